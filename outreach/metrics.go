package outreach

import "github.com/prometheus/client_golang/prometheus"

// Collectors are this process's dispatch counters for /metrics. They carry
// no household data, only counts.
func (s *Service) Collectors() []prometheus.Collector {
	counter := func(name, help string, f func() int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "safetynet", Subsystem: "outreach", Name: name, Help: help},
			func() float64 { return float64(f()) })
	}
	return []prometheus.Collector{
		counter("sent_total", "Messages Telegram accepted.", s.stats.sent.Load),
		counter("rate_limited_total", "429 answers received (each waited out and retried).", s.stats.limited.Load),
		counter("unreachable_total", "Sends refused because the chat blocked the bot or is gone.", s.stats.unreachable.Load),
		counter("failed_total", "Messages that ended failed (retries exhausted or rejected).", s.stats.failed.Load),
		counter("retried_total", "Transient send failures retried with backoff.", s.stats.retried.Load),
	}
}
