package telegramtest

import (
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// bucket is a token bucket: rate tokens per second, at most burst saved
// up. rate <= 0 means unlimited.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func (b *bucket) refill(now time.Time) {
	if b.rate <= 0 {
		return
	}
	if !b.last.IsZero() {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
}

// wait is how long until one token is available (0 if one is).
func (b *bucket) wait() time.Duration {
	if b.rate <= 0 || b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

func (b *bucket) take() {
	if b.rate > 0 {
		b.tokens--
	}
}

// retryAfterSeconds rounds a wait up to whole seconds, at least 1, since
// Telegram's retry_after is an integer and 0 would mean "no advice".
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// failure is an error the test asked the server to answer with.
type failure struct {
	code       int
	desc       string
	retryAfter int
}

var retryAfterRe = regexp.MustCompile(`retry after (\d+)`)

func newFailure(code int, desc string) failure {
	f := failure{code: code, desc: desc}
	if code == http.StatusTooManyRequests {
		f.retryAfter = 1
		if m := retryAfterRe.FindStringSubmatch(desc); m != nil {
			f.retryAfter, _ = strconv.Atoi(m[1])
		}
		if f.desc == "" {
			f.desc = fmt.Sprintf("Too Many Requests: retry after %d", f.retryAfter)
		}
	}
	if f.desc == "" {
		f.desc = http.StatusText(code)
	}
	return f
}

// FailNext makes the next sendMessage to chatID fail with code and
// description (e.g. 500, "Internal Server Error"). Calls queue up. A 429
// carries retry_after taken from "retry after N" in the description, else 1.
func (s *Server) FailNext(chatID int64, code int, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(chatID)
	c.failNext = append(c.failNext, newFailure(code, description))
}

// FailNextN makes the next n sendMessage calls, to any chat, fail with code
// and description.
func (s *Server) FailNextN(n, code int, description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := newFailure(code, description)
	for range n {
		s.failAny = append(s.failAny, f)
	}
}

// Inject429 makes the next n sendMessage calls, to any chat, fail with 429
// and parameters.retry_after = retryAfter seconds.
func (s *Server) Inject429(n, retryAfter int) {
	retryAfter = max(1, retryAfter)
	s.FailNextN(n, http.StatusTooManyRequests, fmt.Sprintf("Too Many Requests: retry after %d", retryAfter))
}

// BlockChat makes the user of chatID block the bot: every send to the chat
// gets 403 "Forbidden: bot was blocked by the user" until UnblockChat.
func (s *Server) BlockChat(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID).blocked = true
}

// UnblockChat undoes BlockChat.
func (s *Server) UnblockChat(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID).blocked = false
}

// Count429 is how many calls the server answered with 429, whether from
// the rate limits or injected.
func (s *Server) Count429() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count429
}

var errBlocked = &apiError{code: http.StatusForbidden, desc: "Forbidden: bot was blocked by the user"}

// admitSendLocked decides whether a sendMessage to c may go out now: a
// block wins, then injected failures, then the global and per-chat limits.
// It consumes rate tokens only when the message is accepted.
func (s *Server) admitSendLocked(c *chatState, now time.Time) *apiError {
	if c.blocked {
		return errBlocked
	}
	if len(c.failNext) > 0 {
		f := c.failNext[0]
		c.failNext = c.failNext[1:]
		return &apiError{code: f.code, desc: f.desc, retryAfter: f.retryAfter}
	}
	if len(s.failAny) > 0 {
		f := s.failAny[0]
		s.failAny = s.failAny[1:]
		return &apiError{code: f.code, desc: f.desc, retryAfter: f.retryAfter}
	}
	s.global.refill(now)
	c.bucket.refill(now)
	if wait := max(s.global.wait(), c.bucket.wait()); wait > 0 {
		n := retryAfterSeconds(wait)
		return &apiError{
			code:       http.StatusTooManyRequests,
			desc:       "Too Many Requests: retry after " + strconv.Itoa(n),
			retryAfter: n,
		}
	}
	s.global.take()
	c.bucket.take()
	return nil
}
