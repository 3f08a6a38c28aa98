package outreach

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/safetynet/safetynet/chat"
)

// queueCurrentReminders runs inside Bind. Reminders are derived once a day
// (Remind is idempotent for the day), so a household that binds after the
// day's derivation had its reminders marked unreachable and, without this,
// would never get them. Those still current — review or phase-out not yet
// past, pledge not signed since — are queued to the new chat now, one per
// reminder (the latest derivation of it); older copies of the same reminder
// are cancelled so that nothing reports them as unreached any more.
func (s *Service) queueCurrentReminders(ctx context.Context, tx pgx.Tx, householdID string, to chat.Address) (int, error) {
	today := s.today()
	rows, err := tx.Query(ctx, `
		WITH current AS (
			SELECT DISTINCT ON (d.kind, d.due_on) d.id, d.kind, d.due_on
			FROM outreach_deliveries d JOIN outreach_households h USING (household_id)
			WHERE d.household_id = $1 AND d.campaign_id IS NULL AND d.status = 'unreachable'
			  AND d.kind IN ('review', 'phaseout', 'pledge')
			  AND CASE WHEN d.kind = 'pledge'
			           THEN h.pledge_signed_on IS NULL OR h.pledge_signed_on < d.created_at::date
			           ELSE d.due_on >= $2::date END
			ORDER BY d.kind, d.due_on, d.id DESC
		), superseded AS (
			UPDATE outreach_deliveries d SET status = 'cancelled', reason = '已绑定，改发最新的一条提醒', updated_at = now()
			FROM current c
			WHERE d.household_id = $1 AND d.campaign_id IS NULL AND d.status = 'unreachable'
			  AND d.kind = c.kind AND d.due_on IS NOT DISTINCT FROM c.due_on AND d.id <> c.id
		)
		UPDATE outreach_deliveries d SET status = 'queued', reason = '', chat_channel = $4, chat_id = $3, updated_at = now()
		FROM current c WHERE d.id = c.id
		RETURNING d.id`, householdID, today, to.ID, to.Channel)
	if err != nil {
		return 0, fmt.Errorf("queue current reminders: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("queue current reminders: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	var region string
	if err := tx.QueryRow(ctx, `SELECT region FROM outreach_households WHERE household_id = $1`, householdID).Scan(&region); err != nil {
		return 0, fmt.Errorf("queue current reminders: %w", err)
	}
	window, err := ParseWindow(s.rules.For(region).Window)
	if err != nil {
		return 0, err
	}
	// Today's sending window: now if it is open, else when it opens.
	if err := s.enqueue(ctx, tx, ids, s.sendTime(today, window)); err != nil {
		return 0, err
	}
	return len(ids), event(ctx, tx, householdID, "reminders_queued", fmt.Sprintf("%d", len(ids)), to)
}
