// Package outreach reaches enrolled households before they have to come
// asking: it keeps the households a bureau enrols (personal data sealed),
// binds their chats with one-time codes, derives the reminders that are due
// (periodic review, phase-out ending, integrity pledge), runs bureau
// campaigns, and dispatches every message through a durable River queue
// within Telegram's limits, recording each send in a ledger so that nothing
// is lost and, short of a crash, nothing goes out twice.
//
// Nothing here assumes it is the only process: pacing lives in PostgreSQL
// (outreach_pace), idempotency in unique keys, and River's leader runs the
// periodic scheduler.
package outreach

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/internal/config"
	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/internal/switches"
	"github.com/safetynet/safetynet/knowledge/eligibility"
)

// Sentinel errors.
var (
	ErrNotFound      = errors.New("not found")
	ErrCodeInvalid   = errors.New("binding code is not valid")
	ErrCodeExpired   = errors.New("binding code has expired")
	ErrCodeUsed      = errors.New("binding code was already used")
	ErrNotBound      = errors.New("this chat is not bound to any household")
	ErrWrongChat     = errors.New("button pressed in a chat other than the household's")
	ErrBadButton     = errors.New("unknown button data")
	ErrNoSender      = errors.New("no sender configured: set TELEGRAM_BOT_TOKEN or the WECHAT_ settings")
	ErrNotTested     = errors.New("campaign has not been test-sent to staff chats yet")
	ErrCampaignState = errors.New("campaign is not in a state that allows this")
)

// Button is one button under a reminder; Data comes back when pressed.
type Button = chat.Button

// Config configures a Service. Zero values take the defaults noted.
type Config struct {
	DataKey []byte         // SAFETYNET_DATA_KEY; nil: import refuses personal data
	TZ      *time.Location // SAFETYNET_TZ; default config.DefaultTZ
	Hotline string         // default 12345
	Rate    float64        // OUTREACH_RATE, messages a second over all chats and channels; default 25
	// ChatGap is the least time between two messages to one chat (default 1s).
	ChatGap time.Duration
	// Limits are the limits of each channel Sender reaches, by channel
	// name: each channel is paced apart, at the lower of its GlobalPerSec
	// and Rate, with the larger of its ChatGap and ChatGap. A channel not
	// listed is paced by Rate and ChatGap alone.
	Limits map[string]chat.Limits
	// Sender reaches a household's chat on its channel (a chat.Router);
	// its typed errors tell dispatch whether to wait, retry, or give up on
	// the chat. nil: the service can import and queue but not dispatch.
	Sender chat.Sender
	Logger *slog.Logger
	// Workers is how many sends a process keeps in hand (default 64).
	Workers int
	// MaxAttempts caps retries of one message (default 6).
	MaxAttempts int
	// RescueAfter is how long a send may stay running before River's
	// rescuer hands it to another worker (default 3 min; River's own is 1 h).
	RescueAfter time.Duration
	// JobTimeout bounds one send attempt, waits included (default 60 s).
	JobTimeout time.Duration
	// AutoRemind makes the leader derive today's reminders periodically.
	AutoRemind bool
	// Rules overrides the embedded reminder rules.
	Rules *Rules
	// PollInterval is how often idle workers look for jobs (default 200 ms).
	PollInterval time.Duration
	// Now is the clock for dates (tests); default time.Now.
	Now func() time.Time
	// Regions says which region ids households and segments may name
	// (default: the bundled profiles). Serve passes the bureau's own, kept
	// in the database.
	Regions RegionSource
}

// RegionSource lists the region ids that have a profile.
type RegionSource interface {
	RegionIDs(ctx context.Context) ([]string, error)
}

// bundledRegions is the default RegionSource: the profiles built into
// the binary.
type bundledRegions struct{}

func (bundledRegions) RegionIDs(context.Context) ([]string, error) {
	var ids []string
	for _, p := range eligibility.Regions() {
		ids = append(ids, p.ID)
	}
	return ids, nil
}

// Service is the outreach domain: households, binding, reminders,
// campaigns, dispatch, buttons, reports.
type Service struct {
	pool     *pgxpool.Pool
	cfg      Config
	vault    *pii.Vault // nil without a data key
	switches *switches.Board
	rules    *Rules
	river    *river.Client[pgx.Tx]
	log      *slog.Logger
	stats    stats
}

// New builds the service. It does not start dispatch; Run does.
func New(pool *pgxpool.Pool, cfg Config) (*Service, error) {
	if cfg.TZ == nil {
		cfg.TZ = config.DefaultTZ()
	}
	if cfg.Hotline == "" {
		cfg.Hotline = config.DefaultHotline
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 25
	}
	if cfg.ChatGap <= 0 {
		cfg.ChatGap = time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 64
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 6
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = 3 * time.Minute
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = time.Minute
	}
	if cfg.JobTimeout > cfg.RescueAfter {
		cfg.JobTimeout = cfg.RescueAfter
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 200 * time.Millisecond
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Regions == nil {
		cfg.Regions = bundledRegions{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{pool: pool, cfg: cfg, switches: switches.New(pool), log: cfg.Logger}
	if len(cfg.DataKey) > 0 {
		v, err := pii.NewVault(cfg.DataKey)
		if err != nil {
			return nil, err
		}
		s.vault = v
	}
	s.rules = cfg.Rules
	if s.rules == nil {
		r, err := DefaultRules()
		if err != nil {
			return nil, err
		}
		s.rules = r
	}
	rc, err := s.newRiver()
	if err != nil {
		return nil, err
	}
	s.river = rc
	return s, nil
}

const queueName = "outreach"

func (s *Service) newRiver() (*river.Client[pgx.Tx], error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &sendWorker{s: s})
	river.AddWorker(workers, &remindWorker{s: s})
	river.AddWorker(workers, &requeueWorker{s: s})
	var periodic []*river.PeriodicJob
	periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(30*time.Second),
		func() (river.JobArgs, *river.InsertOpts) { return requeueArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "outreach_requeue"}))
	if s.cfg.AutoRemind {
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(15*time.Minute),
			func() (river.JobArgs, *river.InsertOpts) {
				return remindArgs{Date: s.today().Format(time.DateOnly)}, nil
			},
			&river.PeriodicJobOpts{RunOnStart: true, ID: "outreach_remind"}))
	}
	cfg := &river.Config{
		Queues:               map[string]river.QueueConfig{queueName: {MaxWorkers: s.cfg.Workers}},
		Workers:              workers,
		PeriodicJobs:         periodic,
		MaxAttempts:          s.cfg.MaxAttempts,
		JobTimeout:           s.cfg.JobTimeout,
		RescueStuckJobsAfter: s.cfg.RescueAfter,
		FetchCooldown:        20 * time.Millisecond,
		FetchPollInterval:    s.cfg.PollInterval,
		Logger:               newRiverLogger(s.log),
	}
	rc, err := river.NewClient(riverpgxv5.New(s.pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("outreach: river client: %w", err)
	}
	return rc, nil
}

// CanSend tells whether a channel to send reminders through is configured.
func (s *Service) CanSend() bool { return s.cfg.Sender != nil }

// Run works the outreach queue until ctx ends: sends, periodic reminder
// derivation (with AutoRemind) and requeueing of held messages. Any number
// of processes may run it at once.
func (s *Service) Run(ctx context.Context) error {
	if s.cfg.Sender == nil {
		return ErrNoSender
	}
	if err := s.river.Start(ctx); err != nil {
		return fmt.Errorf("outreach: start dispatch: %w", err)
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.river.Stop(stopCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("outreach: stop dispatch: %w", err)
	}
	return nil
}

// TZ is the zone dates and sending windows are reckoned in.
func (s *Service) TZ() *time.Location { return s.cfg.TZ }

func (s *Service) today() time.Time {
	n := s.cfg.Now().In(s.cfg.TZ)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func (s *Service) needVault() error {
	if s.vault == nil {
		return pii.ErrNoKey
	}
	return nil
}
