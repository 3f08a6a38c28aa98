package bot

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the engine's counters for /metrics. They carry no chat ids
// and no text: only channel, kind and outcome.
type Metrics struct {
	events  *prometheus.CounterVec
	seconds *prometheus.HistogramVec
}

// NewMetrics registers the engine's metrics on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "safetynet_bot_events_total",
			Help: "Resident events handled, by channel, kind and outcome.",
		}, []string{"channel", "kind", "outcome"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "safetynet_bot_handle_seconds",
			Help:    "Time to handle one resident event, reply built (sending not included).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"channel"}),
	}
	for _, c := range []prometheus.Collector{m.events, m.seconds} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) observe(ev Event, outcome string, start time.Time) {
	if m == nil {
		return
	}
	kind := ev.Kind
	switch kind {
	case KindText, KindChoice, KindPhoto, KindVoice, KindSticker:
	default:
		kind = KindOther
	}
	m.events.WithLabelValues(ev.Address.Channel, string(kind), outcome).Inc()
	m.seconds.WithLabelValues(ev.Address.Channel).Observe(time.Since(start).Seconds())
}
