package outreach

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/safetynet/safetynet/chat"
)

// ButtonResult tells the bot what to answer a pressed button with.
type ButtonResult struct {
	Reply        string `json:"reply"`
	WantsContact bool   `json:"wants_contact"` // hand the chat to a person
}

// IsButton tells whether callback data belongs to outreach.
func IsButton(data string) bool { return strings.HasPrefix(data, "o:") }

// HandleButton handles the outreach buttons (callback data "o:ack:ID",
// "o:sign:ID", "o:help:ID"). A button pressed in a chat other than the
// household's is refused with ErrWrongChat (the result still carries a
// reply to show). Signing records the chat, the time and the version of
// the pledge text.
func (s *Service) HandleButton(ctx context.Context, from chat.Address, data string) (ButtonResult, error) {
	parts := strings.Split(data, ":")
	if len(parts) != 3 || parts[0] != "o" {
		return ButtonResult{Reply: "这个按钮已失效。"}, ErrBadButton
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || id <= 0 {
		return ButtonResult{Reply: "这个按钮已失效。"}, ErrBadButton
	}
	action := parts[1]
	if action != "ack" && action != "sign" && action != "help" {
		return ButtonResult{Reply: "这个按钮已失效。"}, ErrBadButton
	}
	var res ButtonResult
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var hid, kind, version string
		var mine bool
		err := tx.QueryRow(ctx, `SELECT d.household_id, d.kind, d.pledge_version,
				EXISTS (SELECT 1 FROM outreach_bindings b WHERE b.household_id = h.household_id
					AND b.channel = $2 AND b.chat_id = $3)
			FROM outreach_deliveries d JOIN outreach_households h USING (household_id)
			WHERE d.id = $1 FOR UPDATE OF d, h`, id, from.Channel, from.ID).Scan(&hid, &kind, &version, &mine)
		if errors.Is(err, pgx.ErrNoRows) {
			res.Reply = "这个按钮已失效。"
			return ErrBadButton
		}
		if err != nil {
			return err
		}
		if !mine {
			res.Reply = "这条消息不是发给您的，操作没有记录。如需帮助请拨打 " + s.cfg.Hotline + "。"
			return ErrWrongChat
		}
		// The chat the resident answers on is the one they use: the next
		// reminder goes there.
		if _, err := tx.Exec(ctx, `
			WITH b AS (UPDATE outreach_bindings SET used_at = now() WHERE channel = $2 AND chat_id = $3)
			UPDATE outreach_households SET chat_channel = $2, chat_id = $3
			WHERE household_id = $1 AND (chat_channel, chat_id) IS DISTINCT FROM ($2, $3)`, hid, from.Channel, from.ID); err != nil {
			return err
		}
		switch action {
		case "ack":
			if _, err := tx.Exec(ctx, `UPDATE outreach_deliveries SET acknowledged_at = coalesce(acknowledged_at, now()),
				status = CASE WHEN status IN ('sent', 'sending') THEN 'acknowledged' ELSE status END, updated_at = now()
				WHERE id = $1`, id); err != nil {
				return err
			}
			res.Reply = "好的，已记录您已知晓。谢谢！"
			return event(ctx, tx, hid, "acknowledged", fmt.Sprintf("消息 #%d", id), from)
		case "sign":
			if version == "" {
				_, version = PledgeText()
			}
			if _, err := tx.Exec(ctx, `INSERT INTO outreach_pledges (household_id, chat_channel, chat_id, delivery_id, version)
				VALUES ($1, $2, $3, $4, $5)`, hid, from.Channel, from.ID, id, version); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE outreach_households SET pledge_signed_on = $2, updated_at = now()
				WHERE household_id = $1`, hid, s.today()); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE outreach_deliveries SET acknowledged_at = coalesce(acknowledged_at, now()),
				status = CASE WHEN status IN ('sent', 'sending') THEN 'acknowledged' ELSE status END, updated_at = now()
				WHERE id = $1`, id); err != nil {
				return err
			}
			res.Reply = "已为您记录签署诚信承诺（" + cnDate(s.today()) + "）。家里情况有变化时，请及时告诉村（社区）或乡镇（街道）。谢谢配合！"
			return nil
		default: // help
			res.Reply = "已通知工作人员，会尽快和您联系。着急的话也可以拨打 " + s.cfg.Hotline + "。"
			res.WantsContact = true
			return event(ctx, tx, hid, "contact_requested", fmt.Sprintf("消息 #%d", id), from)
		}
	})
	if err != nil {
		if errors.Is(err, ErrWrongChat) || errors.Is(err, ErrBadButton) {
			return res, err
		}
		return ButtonResult{Reply: "暂时没有记录成功，请稍后再点一次，或拨打 " + s.cfg.Hotline + "。"}, fmt.Errorf("button: %w", err)
	}
	return res, nil
}

// ErrNothingToAcknowledge: the chat's household has no reminder sent in
// the last 30 days that is not acknowledged yet.
var ErrNothingToAcknowledge = errors.New("no reminder to acknowledge")

// AcknowledgeLatest records that the resident has read the latest reminder
// sent to their household: what typing 知晓 does on channels whose
// reminders carry no buttons (WeChat template messages).
func (s *Service) AcknowledgeLatest(ctx context.Context, from chat.Address) (ButtonResult, error) {
	var res ButtonResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var id int64
		var hid string
		err := tx.QueryRow(ctx, `
			SELECT d.id, d.household_id FROM outreach_deliveries d
			WHERE d.household_id IN (SELECT household_id FROM outreach_bindings WHERE channel = $1 AND chat_id = $2)
			  AND d.status = 'sent' AND d.sent_at > now() - interval '30 days'
			ORDER BY d.sent_at DESC, d.id DESC LIMIT 1 FOR UPDATE`, from.Channel, from.ID).Scan(&id, &hid)
		if errors.Is(err, pgx.ErrNoRows) {
			var bound bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM outreach_bindings WHERE channel = $1 AND chat_id = $2)`,
				from.Channel, from.ID).Scan(&bound); err != nil {
				return err
			}
			if !bound {
				return ErrNotBound
			}
			return ErrNothingToAcknowledge
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE outreach_deliveries SET acknowledged_at = now(), status = 'acknowledged', updated_at = now()
			WHERE id = $1`, id); err != nil {
			return err
		}
		res.Reply = "好的，已记录您已知晓。谢谢！"
		return event(ctx, tx, hid, "acknowledged", fmt.Sprintf("消息 #%d（回复知晓）", id), from)
	})
	if err != nil && !errors.Is(err, ErrNotBound) && !errors.Is(err, ErrNothingToAcknowledge) {
		return ButtonResult{}, fmt.Errorf("acknowledge: %w", err)
	}
	return res, err
}
