package outreach

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/safetynet/safetynet/chat"

	"github.com/safetynet/safetynet/internal/switches"
)

type sendArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

func (sendArgs) Kind() string { return "outreach_send" }

type remindArgs struct {
	Date string `json:"date"`
}

func (remindArgs) Kind() string { return "outreach_remind" }

func (remindArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueName, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 10 * time.Minute}}
}

type requeueArgs struct{}

func (requeueArgs) Kind() string { return "outreach_requeue" }

func (requeueArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueName, MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: 20 * time.Second}}
}

// Stats count what this process's dispatch did, for benchmarks and logs.
type Stats struct {
	Sent        int64 `json:"sent"`
	RateLimited int64 `json:"rate_limited"` // 429s received
	Unreachable int64 `json:"unreachable"`
	Failed      int64 `json:"failed"`
	Retried     int64 `json:"retried"`
}

// stats are kept by the Service, not in a package variable, so two
// services in one process (tests, benchmarks) count apart.
type stats struct{ sent, limited, unreachable, failed, retried atomic.Int64 }

// DispatchStats returns this service's counters.
func (s *Service) DispatchStats() Stats {
	return Stats{Sent: s.stats.sent.Load(), RateLimited: s.stats.limited.Load(),
		Unreachable: s.stats.unreachable.Load(), Failed: s.stats.failed.Load(), Retried: s.stats.retried.Load()}
}

type sendWorker struct {
	river.WorkerDefaults[sendArgs]
	s *Service
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[sendArgs]) error {
	return w.s.sendOne(ctx, job.ID, job.Attempt, job.MaxAttempts, job.Args.DeliveryID)
}

// NextRetry backs off 5xx and network errors: 2 s, 4 s, 8 s … up to 2 min.
func (w *sendWorker) NextRetry(job *river.Job[sendArgs]) time.Time {
	d := 2 * time.Second << min(job.Attempt-1, 6)
	return time.Now().Add(min(d, 2*time.Minute))
}

type remindWorker struct {
	river.WorkerDefaults[remindArgs]
	s *Service
}

// Timeout: deriving a million households' reminders takes most of a
// minute; River's rescuer honours this, so a long run is not taken for
// a stuck one.
func (w *remindWorker) Timeout(*river.Job[remindArgs]) time.Duration { return 30 * time.Minute }

// Work derives the day's reminders and, to catch up after downtime, the
// previous day's; both are idempotent.
func (w *remindWorker) Work(ctx context.Context, job *river.Job[remindArgs]) error {
	d, err := time.Parse(time.DateOnly, job.Args.Date)
	if err != nil {
		return river.JobCancel(fmt.Errorf("remind date %q: %w", job.Args.Date, err))
	}
	for _, day := range []time.Time{d.AddDate(0, 0, -1), d} {
		if _, err := w.s.Remind(ctx, day, false); err != nil {
			return err
		}
	}
	return nil
}

type requeueWorker struct {
	river.WorkerDefaults[requeueArgs]
	s *Service
}

func (w *requeueWorker) Work(ctx context.Context, job *river.Job[requeueArgs]) error {
	_, err := w.s.Requeue(ctx, 0)
	if err != nil {
		return err
	}
	if _, err := w.s.requeueOrphans(ctx); err != nil {
		return err
	}
	_, err = w.s.pool.Exec(ctx, `
		UPDATE outreach_campaigns c SET status = 'done', status_reason = '全部发送完毕', updated_at = now()
		WHERE c.status = 'running' AND NOT EXISTS (SELECT 1 FROM outreach_deliveries d
			WHERE d.campaign_id = c.id AND d.status IN ('queued', 'held', 'sending'))`)
	return err
}

// Requeue puts held messages back in the queue once what held them is
// gone: the sending switch is on again and their campaign (if any) runs.
// campaignID 0 means all. It returns how many it queued.
func (s *Service) Requeue(ctx context.Context, campaignID int64) (int, error) {
	on, err := s.switches.Enabled(ctx, switches.OutreachSending)
	if err != nil || !on {
		return 0, err
	}
	n := 0
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			UPDATE outreach_deliveries d SET status = 'queued', reason = '', updated_at = now()
			WHERE d.status = 'held' AND ($1 = 0 OR d.campaign_id = $1)
			  AND (d.campaign_id IS NULL OR EXISTS (SELECT 1 FROM outreach_campaigns c
					WHERE c.id = d.campaign_id AND c.status = 'running'))
			RETURNING d.id`, campaignID)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		n = len(ids)
		return s.enqueue(ctx, tx, ids, s.cfg.Now())
	})
	if err != nil {
		return 0, fmt.Errorf("requeue: %w", err)
	}
	return n, nil
}

// requeueOrphans is the safety net under River: a ledger row still open
// (queued, or sending long past the rescue time) with no live job — say a
// job discarded by a panic — gets a new job instead of waiting forever.
func (s *Service) requeueOrphans(ctx context.Context) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			UPDATE outreach_deliveries d SET status = 'queued', updated_at = now()
			WHERE d.id IN (
				SELECT d2.id FROM outreach_deliveries d2
				WHERE d2.status IN ('queued', 'sending')
				  AND d2.updated_at < now() - make_interval(secs => $1)
				  AND NOT EXISTS (SELECT 1 FROM river_job j WHERE j.kind = 'outreach_send'
						AND j.state IN ('available', 'scheduled', 'running', 'retryable', 'pending')
						AND j.args @> jsonb_build_object('delivery_id', d2.id))
				LIMIT 10000 FOR UPDATE SKIP LOCKED)
			RETURNING d.id`, 2*s.cfg.RescueAfter.Seconds()+60)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		n = len(ids)
		return s.enqueue(ctx, tx, ids, s.cfg.Now())
	})
	if err != nil {
		return 0, fmt.Errorf("requeue orphans: %w", err)
	}
	if n > 0 {
		s.log.Warn("outreach: requeued messages that had lost their job", "count", n)
	}
	return n, nil
}

// waitErr turns a wait cut short by the job's deadline or a shutdown into
// a snooze, which does not use up one of the message's attempts.
func waitErr(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return river.JobSnooze(time.Second)
	}
	return err
}

// pending is what sendOne learns about a delivery before sending.
type pending struct {
	status       string
	kind         string
	dueOn        *time.Time
	jobID        *int64
	sendingSince *time.Time
	pledgeVer    string
	campaignID   *int64
	householdID  string
	chatChannel  *string
	chatID       *string
	optedOut     bool
	nameEnc      []byte
	region       string
	program      string
	reviewOn     time.Time
	phaseoutOn   *time.Time
	cStatus      *string
	cBody        *string
	cWinStart    *int
	cWinEnd      *int
	cRate        *float64
	cPledge      *bool
}

func (s *Service) load(ctx context.Context, id int64) (pending, error) {
	var p pending
	err := s.pool.QueryRow(ctx, `
		SELECT d.status, d.kind, d.due_on, d.job_id, d.sending_since, d.pledge_version, d.campaign_id,
			h.household_id, h.chat_channel, h.chat_id, h.opted_out_at IS NOT NULL, h.head_name_enc, h.region, h.program,
			h.next_review_on, h.phaseout_ends_on,
			c.status, c.body, c.window_start, c.window_end, c.rate, c.with_pledge
		FROM outreach_deliveries d
		JOIN outreach_households h ON h.household_id = d.household_id
		LEFT JOIN outreach_campaigns c ON c.id = d.campaign_id
		WHERE d.id = $1`, id).Scan(&p.status, &p.kind, &p.dueOn, &p.jobID, &p.sendingSince, &p.pledgeVer, &p.campaignID,
		&p.householdID, &p.chatChannel, &p.chatID, &p.optedOut, &p.nameEnc, &p.region, &p.program, &p.reviewOn, &p.phaseoutOn,
		&p.cStatus, &p.cBody, &p.cWinStart, &p.cWinEnd, &p.cRate, &p.cPledge)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrNotFound
	}
	return p, err
}

// settle moves a delivery that is still queued to a final or held state.
func (s *Service) settle(ctx context.Context, id int64, status, reason string) error {
	_, err := s.pool.Exec(ctx, `UPDATE outreach_deliveries SET status = $2, reason = $3, updated_at = now()
		WHERE id = $1 AND status IN ('queued', 'sending')`, id, status, reason)
	return err
}

// sendOne is one attempt at one delivery. Order matters: decide, wait for
// pacing, write "sending" to the ledger, call Telegram, write the outcome.
// The ledger write comes after the pacing wait so that only messages truly
// on the wire are "in flight" when a process dies.
func (s *Service) sendOne(ctx context.Context, jobID int64, attempt, maxAttempts int, id int64) error {
	for round := 0; round < 3; round++ {
		p, err := s.load(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return nil // the household was deleted; nothing to send
		}
		if err != nil {
			return err
		}
		switch p.status {
		case "queued":
		case "sending":
			// Ours after a rescue, or another worker's that died (its lease
			// ran out): resend — this is the one place a duplicate can arise.
			mine := p.jobID != nil && *p.jobID == jobID
			stale := p.sendingSince != nil && time.Since(*p.sendingSince) > s.cfg.RescueAfter
			if !mine && !stale {
				return nil
			}
		default:
			return nil // sent, held, final: nothing to do
		}
		if p.optedOut {
			return s.settle(ctx, id, "opted_out", "居民已退订")
		}
		if p.chatID == nil || p.chatChannel == nil {
			return s.settle(ctx, id, "unreachable", "未绑定聊天")
		}
		to := chat.Address{Channel: *p.chatChannel, ID: *p.chatID}
		if p.cStatus != nil {
			switch *p.cStatus {
			case "cancelled":
				return s.settle(ctx, id, "cancelled", "活动已取消")
			case "running":
			default:
				return s.settle(ctx, id, "held", "活动已暂停")
			}
		}
		on, err := s.switches.Enabled(ctx, switches.OutreachSending)
		if err != nil {
			return err
		}
		if !on {
			return s.settle(ctx, id, "held", "外呼发送已关闭")
		}
		window, err := s.windowFor(p)
		if err != nil {
			return s.fail(ctx, id, p, err.Error())
		}
		now := s.cfg.Now()
		if next := window.Next(now, s.cfg.TZ); next.After(now) {
			return river.JobSnooze(next.Sub(now))
		}
		text, buttons, err := s.compose(id, p)
		if err != nil {
			return s.fail(ctx, id, p, "模板错误："+err.Error())
		}
		if p.cRate != nil && *p.cRate > 0 && *p.cRate < s.cfg.Rate {
			wait, ok, err := s.reserve(ctx, "campaign:"+strconv.FormatInt(*p.campaignID, 10), 1 / *p.cRate, campaignHorizon)
			if err != nil {
				return err
			}
			if !ok {
				return river.JobSnooze(campaignHorizon / 2)
			}
			if err := sleep(ctx, wait); err != nil {
				return waitErr(err)
			}
		}
		if err := s.waitSlot(ctx, to); err != nil {
			return waitErr(err)
		}
		claimed, err := s.claim(ctx, id, jobID, to)
		if err != nil {
			return err
		}
		if !claimed {
			continue // the delivery changed while we waited; look again
		}
		msgID, sendErr := s.cfg.Sender.Send(ctx, to, chat.Message{Text: text, Buttons: buttons, Kind: p.kind})
		return s.record(ctx, id, p, to, msgID, sendErr, attempt, maxAttempts)
	}
	return nil
}

func (s *Service) windowFor(p pending) (Window, error) {
	if p.cWinStart != nil && p.cWinEnd != nil {
		return Window{Start: *p.cWinStart, End: *p.cWinEnd}, nil
	}
	return ParseWindow(s.rules.For(p.region).Window)
}

func (s *Service) compose(id int64, p pending) (string, [][]Button, error) {
	name := ""
	if s.vault != nil {
		n, err := s.vault.Open(p.nameEnc, "name:"+p.householdID)
		if err == nil {
			name = n
		}
	}
	d := s.messageData(p.householdID, name, p.region, p.program, p.reviewOn, p.phaseoutOn, p.dueOn)
	var text string
	switch {
	case p.cBody != nil:
		text = *p.cBody
	default:
		t, err := TemplateText(p.kind)
		if err != nil {
			return "", nil, err
		}
		text = t
	}
	msg, err := Render(text, d)
	if err != nil {
		return "", nil, err
	}
	withPledge := p.cPledge != nil && *p.cPledge
	return msg, buttonsFor(p.kind, id, withPledge), nil
}

func (s *Service) messageData(hid, name, region, program string, reviewOn time.Time, phaseoutOn, dueOn *time.Time) MessageData {
	pledge, _ := PledgeText()
	d := MessageData{Name: name, HouseholdID: hid, Program: ProgramNames[program], Region: regionName(region),
		ReviewDate: cnDate(reviewOn), Hotline: s.cfg.Hotline, PledgeText: pledge}
	if phaseoutOn != nil {
		d.PhaseoutDate = cnDate(*phaseoutOn)
	}
	if dueOn != nil {
		d.DueDate = cnDate(*dueOn)
		d.DaysLeft = int(dueOn.Sub(s.today()).Hours() / 24)
	}
	return d
}

// campaignHorizon bounds how far ahead a campaign's slots are handed out;
// beyond it a job snoozes without taking a slot, so a slow campaign does
// not burn slots on jobs that would wait anyway.
const campaignHorizon = 10 * time.Second

// reserve takes the next slot of a pacing key spaced interval seconds
// apart and returns how long to wait for it; ok is false (and nothing is
// taken) when the next free slot lies beyond horizon.
func (s *Service) reserve(ctx context.Context, key string, interval float64, horizon time.Duration) (time.Duration, bool, error) {
	var wait float64
	err := s.pool.QueryRow(ctx, `
		INSERT INTO outreach_pace AS p (key, next_at) VALUES ($1, clock_timestamp() + make_interval(secs => $2))
		ON CONFLICT (key) DO UPDATE SET next_at = greatest(p.next_at, clock_timestamp()) + make_interval(secs => $2)
			WHERE p.next_at <= clock_timestamp() + make_interval(secs => $3)
		RETURNING greatest(extract(epoch FROM p.next_at - clock_timestamp()) - $2, 0)::float8`,
		key, interval, horizon.Seconds()).Scan(&wait)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("pace %s: %w", key, err)
	}
	return time.Duration(wait * float64(time.Second)), true, nil
}

// waitSlot waits for the chat to be free and for a slot of its channel
// and of all channels together. Slots come from rows in PostgreSQL, so
// the rates hold however many processes send.
func (s *Service) waitSlot(ctx context.Context, to chat.Address) error {
	for {
		d, busy, err := s.takeSlot(ctx, to)
		if err != nil {
			return err
		}
		if busy && d > slotHorizon {
			return river.JobSnooze(d)
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
		if !busy {
			return nil
		}
	}
}

// slotHorizon is how far ahead a channel's slots are handed out; beyond
// it a send waits (or snoozes) without a slot, as a campaign's do.
const slotHorizon = 3 * time.Second

// takeSlot reserves the send's slot: the wait until it; or busy and the
// wait until the chat may receive again or its channel's slots come
// within slotHorizon (nothing reserved then).
func (s *Service) takeSlot(ctx context.Context, to chat.Address) (time.Duration, bool, error) {
	gap, rate := s.pace(to.Channel)
	var wait float64
	var busy bool
	err := s.pool.QueryRow(ctx, `SELECT wait_s, busy FROM outreach_take_slot($1, make_interval(secs => $2),
			$3, make_interval(secs => $4), make_interval(secs => $5), make_interval(secs => $6))`,
		paceKey(to), gap.Seconds(), "channel:"+to.Channel, 1/rate, 1/s.cfg.Rate, slotHorizon.Seconds()).Scan(&wait, &busy)
	if err != nil {
		return 0, false, fmt.Errorf("pace: %w", err)
	}
	return time.Duration(wait * float64(time.Second)), busy, nil
}

// pace is a channel's least gap between two messages to one chat and its
// rate: what the channel allows (chat.Limits), never more than the
// service's own settings. Telegram's limits are the bot's and WeChat's
// the account's, so neither channel waits for the other.
func (s *Service) pace(channel string) (gap time.Duration, rate float64) {
	gap, rate = s.cfg.ChatGap, s.cfg.Rate
	if l, ok := s.cfg.Limits[channel]; ok {
		gap = max(gap, l.ChatGap)
		if l.GlobalPerSec > 0 {
			rate = min(rate, l.GlobalPerSec)
		}
	}
	return gap, rate
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// claim writes the ledger's "before" row: this job is sending now. It
// re-checks in the same statement that the household has not opted out and
// the campaign still runs, so /stop takes effect for every later send.
func (s *Service) claim(ctx context.Context, id, jobID int64, to chat.Address) (bool, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE outreach_deliveries d SET status = 'sending', job_id = $2, sending_since = now(),
			attempts = attempts + 1, chat_channel = $5, chat_id = $3, updated_at = now()
		WHERE d.id = $1
		  AND (d.status = 'queued' OR (d.status = 'sending' AND (d.job_id = $2 OR d.sending_since < now() - make_interval(secs => $4))))
		  AND EXISTS (SELECT 1 FROM outreach_households h WHERE h.household_id = d.household_id
				AND h.opted_out_at IS NULL AND h.chat_channel = $5 AND h.chat_id = $3)
		  AND (d.campaign_id IS NULL OR EXISTS (SELECT 1 FROM outreach_campaigns c
				WHERE c.id = d.campaign_id AND c.status = 'running'))`, id, jobID, to.ID, s.cfg.RescueAfter.Seconds(), to.Channel)
	if err != nil {
		return false, fmt.Errorf("claim delivery %d: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// record writes the ledger's "after" row from the send's outcome.
func (s *Service) record(ctx context.Context, id int64, p pending, to chat.Address, msgID string, sendErr error, attempt, maxAttempts int) error {
	// The outcome must be written even if the job's context just ended.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var (
		limited     *chat.RateLimitedError
		unreachable *chat.BlockedError
		outside     *chat.OutOfWindowError
		permanent   *chat.PermanentError
	)
	if errors.As(sendErr, &outside) {
		// Nothing may be sent there until the resident writes again: the
		// same as unreachable for the staff follow-up list.
		unreachable = &chat.BlockedError{Reason: "超出回复时限：" + outside.Reason}
		sendErr = unreachable
	}
	switch {
	case sendErr == nil:
		s.stats.sent.Add(1)
		_, err := s.pool.Exec(wctx, `UPDATE outreach_deliveries SET sent_at = now(), message_id = $2, reason = '', updated_at = now(),
			-- the resident may press a button before this write lands
			status = CASE WHEN status = 'acknowledged' THEN status ELSE 'sent' END
			WHERE id = $1`, id, nilIfEmpty(msgID))
		return err
	case errors.As(sendErr, &limited):
		s.stats.limited.Add(1)
		// Not sent: back to the queue, and keep this chat quiet until then.
		_, err := s.pool.Exec(wctx, `
			WITH d AS (UPDATE outreach_deliveries SET status = 'queued', reason = $2, updated_at = now() WHERE id = $1)
			UPDATE outreach_pace SET next_at = greatest(next_at, clock_timestamp() + make_interval(secs => $3)) WHERE key = $4`,
			id, "限流，稍后重试", limited.RetryAfter.Seconds(), paceKey(to))
		if err != nil {
			return err
		}
		return river.JobSnooze(max(limited.RetryAfter, time.Second))
	case errors.As(sendErr, &unreachable):
		s.stats.unreachable.Add(1)
		_, err := s.pool.Exec(wctx, `
			WITH d AS (UPDATE outreach_deliveries SET status = 'unreachable', reason = $2, last_error_at = now(),
				updated_at = now() WHERE id = $1)
			UPDATE outreach_households SET unreachable_at = now(), unreachable_reason = $2 WHERE household_id = $3`,
			id, "无法送达："+unreachable.Reason, p.householdID)
		if err != nil {
			return err
		}
		return s.maybePause(wctx, p.campaignID)
	case errors.As(sendErr, &permanent):
		return s.fail(wctx, id, p, "发送被拒："+permanent.Reason)
	default:
		if attempt >= maxAttempts {
			return s.fail(wctx, id, p, fmt.Sprintf("重试 %d 次后仍失败：%v", attempt, sendErr))
		}
		s.stats.retried.Add(1)
		if _, err := s.pool.Exec(wctx, `UPDATE outreach_deliveries SET status = 'queued', reason = $2, last_error_at = now(),
			updated_at = now() WHERE id = $1 AND status = 'sending'`, id, "暂时失败，将重试："+sendErr.Error()); err != nil {
			return err
		}
		if err := s.maybePause(wctx, p.campaignID); err != nil {
			return err
		}
		return sendErr
	}
}

// fail puts a delivery in the visible failed state with its reason.
func (s *Service) fail(ctx context.Context, id int64, p pending, reason string) error {
	s.stats.failed.Add(1)
	if _, err := s.pool.Exec(ctx, `UPDATE outreach_deliveries SET status = 'failed', reason = $2, last_error_at = now(),
		updated_at = now() WHERE id = $1`, id, reason); err != nil {
		return err
	}
	return s.maybePause(ctx, p.campaignID)
}

// maybePause pauses a campaign after a burst of failures, saying why,
// rather than burning through its list.
func (s *Service) maybePause(ctx context.Context, campaignID *int64) error {
	if campaignID == nil {
		return nil
	}
	_, err := s.pool.Exec(ctx, `
		UPDATE outreach_campaigns c SET status = 'paused', updated_at = now(),
			status_reason = format('%s 秒内失败 %s 次，已自动暂停，请检查后再继续', c.pause_window_s, c.pause_after)
		WHERE c.id = $1 AND c.status = 'running' AND c.pause_after > 0
		  AND (SELECT count(*) FROM outreach_deliveries d WHERE d.campaign_id = c.id
				AND d.last_error_at > now() - make_interval(secs => c.pause_window_s)) >= c.pause_after`, *campaignID)
	return err
}

// paceKey is a chat's pacing row: channel and id, since ids of two
// channels may coincide.
func paceKey(to chat.Address) string { return "chat:" + to.Channel + ":" + to.ID }

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
