package outreach

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/safetynet/safetynet/chat"
)

// codeAlphabet leaves out look-alikes (0/O, 1/I/L) since codes may be read
// out over the phone or typed from paper.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

const codeLen = 10 // ~49 bits: guessing one of them is hopeless

// BindCode is a household's current binding code. It is looked up by its
// hash; the code itself is kept sealed so that it can be printed again.
type BindCode struct {
	HouseholdID string `json:"household_id"`
	Code        string `json:"code"`
	// Link is the Telegram deep link, "" when no bot name is known.
	Link string `json:"link"`
	// ExpiresAt is nil for a code valid until used or rotated.
	ExpiresAt *time.Time `json:"expires_at"`
}

// Binding is what Bind tells the bot about the household it bound.
type Binding struct {
	HouseholdID string `json:"household_id"`
	NameMasked  string `json:"name_masked"`
	Program     string `json:"program"`
	ProgramName string `json:"program_name"`
	// Rebound is true when the household was bound to another chat before.
	Rebound bool `json:"rebound"`
	// RemindersQueued counts reminders that were due but unreachable and
	// are now queued to this chat.
	RemindersQueued int `json:"reminders_queued"`
}

func newCode() string {
	b := make([]byte, codeLen)
	if _, err := rand.Read(b); err != nil {
		panic("outreach: no randomness: " + err.Error())
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

func hashCode(code string) string {
	sum := sha256.Sum256([]byte("safetynet/bind/v1\x00" + code))
	return hex.EncodeToString(sum[:])
}

// IssueCodes returns each household's current code (all households not
// yet bound when ids is empty): the one already issued while it is unused,
// unrevoked and unexpired, else a new one. Printing codes twice thus gives
// the same letters, and a letter already sent out keeps working.
// ttl > 0 bounds how long a new code stays valid; 0 means until used or
// rotated.
func (s *Service) IssueCodes(ctx context.Context, ids []string, botName string, ttl time.Duration) ([]BindCode, error) {
	return s.issueCodes(ctx, ids, botName, ttl, false)
}

// RotateCodes revokes the households' unused codes and issues new ones, for
// a letter lost or sent to the wrong person.
func (s *Service) RotateCodes(ctx context.Context, ids []string, botName string, ttl time.Duration) ([]BindCode, error) {
	return s.issueCodes(ctx, ids, botName, ttl, true)
}

func (s *Service) issueCodes(ctx context.Context, ids []string, botName string, ttl time.Duration, rotate bool) ([]BindCode, error) {
	if err := s.needVault(); err != nil {
		return nil, err
	}
	var out []BindCode
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if len(ids) == 0 {
			rows, err := tx.Query(ctx, `SELECT household_id FROM outreach_households WHERE chat_id IS NULL ORDER BY household_id`)
			if err != nil {
				return err
			}
			ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
		} else {
			// Row locks: two runs at once must not both find no live code
			// and each issue one.
			rows, err := tx.Query(ctx, `SELECT household_id FROM outreach_households WHERE household_id = ANY($1) FOR UPDATE`, ids)
			if err != nil {
				return err
			}
			found, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			have := map[string]bool{}
			for _, f := range found {
				have[f] = true
			}
			for _, id := range ids {
				if !have[id] {
					return fmt.Errorf("household %q: %w", id, ErrNotFound)
				}
			}
		}
		live := map[string]BindCode{}
		if rotate {
			if _, err := tx.Exec(ctx, `UPDATE outreach_bind_codes SET revoked_at = now()
				WHERE household_id = ANY($1) AND used_at IS NULL AND revoked_at IS NULL`, ids); err != nil {
				return err
			}
		} else {
			rows, err := tx.Query(ctx, `SELECT DISTINCT ON (household_id) household_id, code_enc, expires_at
				FROM outreach_bind_codes
				WHERE household_id = ANY($1) AND used_at IS NULL AND revoked_at IS NULL
				  AND code_enc IS NOT NULL AND (expires_at IS NULL OR expires_at > $2)
				ORDER BY household_id, created_at DESC`, ids, s.cfg.Now())
			if err != nil {
				return err
			}
			for rows.Next() {
				var (
					c   BindCode
					enc []byte
				)
				if err := rows.Scan(&c.HouseholdID, &enc, &c.ExpiresAt); err != nil {
					rows.Close()
					return err
				}
				if c.Code, err = s.vault.Open(enc, "bindcode:"+c.HouseholdID); err != nil {
					rows.Close()
					return fmt.Errorf("household %q: binding code sealed with another SAFETYNET_DATA_KEY: rotate it (--rotate): %w", c.HouseholdID, err)
				}
				live[c.HouseholdID] = c
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		var expires *time.Time
		if ttl > 0 {
			e := s.cfg.Now().Add(ttl).UTC().Truncate(time.Second)
			expires = &e
		}
		batch := &pgx.Batch{}
		for _, id := range ids {
			if c, ok := live[id]; ok {
				c.Link = BindLink(botName, c.Code)
				out = append(out, c)
				continue
			}
			c := newCode()
			out = append(out, BindCode{HouseholdID: id, Code: c, Link: BindLink(botName, c), ExpiresAt: expires})
			batch.Queue(`INSERT INTO outreach_bind_codes (code_hash, household_id, expires_at, code_enc) VALUES ($1, $2, $3, $4)`,
				hashCode(c), id, expires, s.vault.Seal(c, "bindcode:"+id))
		}
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		return nil, fmt.Errorf("issue codes: %w", err)
	}
	return out, nil
}

// BindLink is the deep link that opens the bot with /start CODE; "" without
// a bot name (the resident then sends /start CODE by hand).
func BindLink(botName, code string) string {
	if botName == "" {
		return ""
	}
	return "https://t.me/" + url.PathEscape(botName) + "?start=" + url.QueryEscape(code)
}

// Bind links a chat to the household a code was issued for (the bot's
// /start CODE, a WeChat QR scene). The household keeps the chats it bound
// before; reminders go to the one used last, this one. Errors:
// ErrCodeInvalid, ErrCodeExpired, ErrCodeUsed.
func (s *Service) Bind(ctx context.Context, code string, to chat.Address) (Binding, error) {
	if err := to.Validate(); err != nil {
		return Binding{}, fmt.Errorf("bind: %w", err)
	}
	var b Binding
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var (
			hid           string
			expires       *time.Time
			used, revoked *time.Time
			usedChat      *string
		)
		err := tx.QueryRow(ctx, `SELECT household_id, expires_at, used_at, revoked_at, used_chat_id
			FROM outreach_bind_codes WHERE code_hash = $1 FOR UPDATE`, hashCode(normalizeCode(code))).
			Scan(&hid, &expires, &used, &revoked, &usedChat)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrCodeInvalid
		}
		if err != nil {
			return err
		}
		switch {
		case used != nil:
			return ErrCodeUsed
		case revoked != nil:
			return ErrCodeInvalid
		case expires != nil && !s.cfg.Now().Before(*expires):
			return ErrCodeExpired
		}
		if _, err := tx.Exec(ctx, `UPDATE outreach_bind_codes SET used_at = now(), used_chat_channel = $2, used_chat_id = $3
			WHERE code_hash = $1`, hashCode(normalizeCode(code)), to.Channel, to.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO outreach_bindings (channel, chat_id, household_id) VALUES ($1, $2, $3)
			ON CONFLICT (channel, chat_id) DO UPDATE SET household_id = $3, bound_at = now(), used_at = now()`,
			to.Channel, to.ID, hid); err != nil {
			return err
		}
		var prevChannel, prevID *string
		err = tx.QueryRow(ctx, `
			UPDATE outreach_households h SET chat_channel = $2, chat_id = $3, bound_at = now(), opted_out_at = NULL,
				unreachable_at = NULL, unreachable_reason = '', updated_at = now()
			FROM (SELECT household_id, chat_channel, chat_id FROM outreach_households WHERE household_id = $1 FOR UPDATE) old
			WHERE h.household_id = old.household_id
			RETURNING old.chat_channel, old.chat_id, h.household_id, h.name_masked, h.program`, hid, to.Channel, to.ID).
			Scan(&prevChannel, &prevID, &b.HouseholdID, &b.NameMasked, &b.Program)
		if err != nil {
			return err
		}
		b.Rebound = prevID != nil && (*prevChannel != to.Channel || *prevID != to.ID)
		b.ProgramName = ProgramNames[b.Program]
		if err := event(ctx, tx, hid, "bound", "", to); err != nil {
			return err
		}
		b.RemindersQueued, err = s.queueCurrentReminders(ctx, tx, hid, to)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrCodeInvalid) || errors.Is(err, ErrCodeExpired) || errors.Is(err, ErrCodeUsed) {
			return Binding{}, err
		}
		return Binding{}, fmt.Errorf("bind: %w", err)
	}
	return b, nil
}

func normalizeCode(c string) string {
	out := make([]byte, 0, len(c))
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		if ch == ' ' || ch == '-' {
			continue
		}
		out = append(out, ch)
	}
	return string(out)
}

func event(ctx context.Context, tx pgx.Tx, householdID, kind, detail string, from chat.Address) error {
	var channel, id *string
	if !from.IsZero() {
		channel, id = &from.Channel, &from.ID
	}
	_, err := tx.Exec(ctx, `INSERT INTO outreach_events (household_id, kind, detail, chat_channel, chat_id) VALUES ($1, $2, $3, $4, $5)`,
		householdID, kind, detail, channel, id)
	return err
}

// OptOut stops all outreach to the households bound to the chat at once
// (the bot's /stop): queued messages are marked opted out in the same
// transaction, and dispatch re-checks before every send.
func (s *Service) OptOut(ctx context.Context, from chat.Address) error {
	return s.setOptOut(ctx, from, true)
}

// OptIn undoes OptOut for the chat's households.
func (s *Service) OptIn(ctx context.Context, from chat.Address) error {
	return s.setOptOut(ctx, from, false)
}

// boundTo selects the households a chat is bound to.
const boundTo = `household_id IN (SELECT household_id FROM outreach_bindings WHERE channel = $1 AND chat_id = $2)`

func (s *Service) setOptOut(ctx context.Context, from chat.Address, out bool) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		q := `UPDATE outreach_households SET opted_out_at = now(), updated_at = now() WHERE ` + boundTo + ` RETURNING household_id`
		kind := "opted_out"
		if !out {
			// Turning reminders back on from a chat makes it the one they go to.
			q = `UPDATE outreach_households SET opted_out_at = NULL, chat_channel = $1, chat_id = $2, updated_at = now()
				WHERE ` + boundTo + ` RETURNING household_id`
			kind = "opted_in"
		}
		rows, err := tx.Query(ctx, q, from.Channel, from.ID)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return ErrNotBound
		}
		for _, id := range ids {
			if err := event(ctx, tx, id, kind, "", from); err != nil {
				return err
			}
		}
		if out {
			_, err = tx.Exec(ctx, `UPDATE outreach_deliveries SET status = 'opted_out', reason = '居民已退订', updated_at = now()
				WHERE household_id = ANY($1) AND status IN ('queued', 'held')`, ids)
		}
		return err
	})
	if err != nil && !errors.Is(err, ErrNotBound) {
		return fmt.Errorf("opt-out: %w", err)
	}
	return err
}

// LooksLikeCode tells whether text, typed alone, is a binding code
// (spaces and dashes ignored), so a resident may type the code on paper
// instead of sending /start CODE.
func LooksLikeCode(text string) bool {
	c := normalizeCode(text)
	if len(c) != codeLen {
		return false
	}
	for i := 0; i < len(c); i++ {
		if !strings.ContainsRune(codeAlphabet, rune(c[i])) {
			return false
		}
	}
	return true
}
