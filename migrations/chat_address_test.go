package migrations_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/migrations"
)

// TestChatAddressKeepsRows writes rows the way the bigint-chat-id schema
// held them, then applies 00600 and checks that every row is still there
// under (channel, text id), and that households' chats became bindings.
func TestChatAddressKeepsRows(t *testing.T) {
	ctx := context.Background()
	pool := testdb.Empty(t)
	_, err := pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS vector`)
	require.NoError(t, err)
	sqlDB := stdlib.OpenDBFromPool(pool)
	t.Cleanup(func() { sqlDB.Close() })
	sub, err := fs.Sub(migrations.FS, ".")
	require.NoError(t, err)
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, sub)
	require.NoError(t, err)
	_, err = p.UpTo(ctx, 599)
	require.NoError(t, err)

	_, err = pool.Exec(ctx, `
		INSERT INTO bot_conversations (channel, chat_id, tokens) VALUES ('telegram', 5550001, 3), ('web', 4611686018427387903, 1);
		INSERT INTO webchat_outbox (chat_id, text) VALUES (4611686018427387903, '工作人员回复');
		INSERT INTO questions (channel, chat_id, question, answered) VALUES ('telegram', 5550001, '低保标准？', true);
		INSERT INTO handoff_tickets (channel, chat_id, reason) VALUES ('telegram', 5550001, 'asked');
		INSERT INTO outreach_households (household_id, head_name_enc, name_masked, national_id_enc, national_id_hash,
			national_id_masked, region, area, program, enrolled_on, next_review_on, chat_id, bound_at)
		VALUES ('H1', '\x00', '张*', '\x00', 'h1', '5201**', 'guizhou', 'rural', 'dibao', '2024-01-01', '2025-01-01', 5550001, now()),
		       ('H2', '\x00', '李*', '\x00', 'h2', '5202**', 'guizhou', 'rural', 'dibao', '2024-01-01', '2025-01-01', NULL, NULL);
		INSERT INTO outreach_bind_codes (code_hash, household_id, expires_at, used_at, used_chat_id)
		VALUES ('c1', 'H1', now() + interval '1 day', now(), 5550001);
		INSERT INTO outreach_deliveries (household_id, kind, period, status, chat_id, message_id)
		VALUES ('H1', 'review', '2025-01-01', 'sent', 5550001, 77);
		INSERT INTO outreach_pledges (household_id, chat_id, version) VALUES ('H1', 5550001, 'v1');
		INSERT INTO outreach_events (household_id, kind, chat_id) VALUES ('H1', 'bound', 5550001), ('H2', 'imported', NULL);
	`)
	require.NoError(t, err)

	_, err = p.UpTo(ctx, 600)
	require.NoError(t, err)

	count := func(q string) int {
		t.Helper()
		var n int
		require.NoError(t, pool.QueryRow(ctx, q).Scan(&n), q)
		return n
	}
	require.Equal(t, 1, count(`SELECT count(*) FROM bot_conversations WHERE channel = 'telegram' AND chat_id = '5550001' AND tokens = 3`))
	require.Equal(t, 1, count(`SELECT count(*) FROM bot_conversations WHERE channel = 'web' AND chat_id = '4611686018427387903'`))
	require.Equal(t, 1, count(`SELECT count(*) FROM webchat_outbox WHERE chat_id = '4611686018427387903' AND text = '工作人员回复'`))
	require.Equal(t, 1, count(`SELECT count(*) FROM questions WHERE channel = 'telegram' AND chat_id = '5550001'`))
	require.Equal(t, 1, count(`SELECT count(*) FROM handoff_tickets WHERE channel = 'telegram' AND chat_id = '5550001'`))
	require.Equal(t, 1, count(`SELECT count(*) FROM outreach_households WHERE household_id = 'H1' AND chat_channel = 'telegram' AND chat_id = '5550001'`))
	require.Equal(t, 1, count(`SELECT count(*) FROM outreach_households WHERE household_id = 'H2' AND chat_channel IS NULL AND chat_id IS NULL`))
	require.Equal(t, 1, count(`SELECT count(*) FROM outreach_bind_codes WHERE used_chat_channel = 'telegram' AND used_chat_id = '5550001'`))
	require.Equal(t, 1, count(`SELECT count(*) FROM outreach_deliveries WHERE chat_channel = 'telegram' AND chat_id = '5550001' AND message_id = '77'`))
	require.Equal(t, 1, count(`SELECT count(*) FROM outreach_pledges WHERE chat_channel = 'telegram' AND chat_id = '5550001'`))
	require.Equal(t, 2, count(`SELECT count(*) FROM outreach_events`))
	require.Equal(t, 1, count(`SELECT count(*) FROM outreach_events WHERE chat_channel = 'telegram' AND chat_id = '5550001'`))
	require.Equal(t, 1, count(`SELECT count(*) FROM outreach_bindings WHERE household_id = 'H1' AND channel = 'telegram' AND chat_id = '5550001'`))
	require.Equal(t, 1, count(`SELECT count(*) FROM outreach_bindings`))

	// A WeChat openid now fits, and the one-open-ticket rule still holds per chat.
	_, err = pool.Exec(ctx, `INSERT INTO handoff_tickets (channel, chat_id, reason) VALUES ('wechat', 'oAbC-123_xyz', 'asked')`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO handoff_tickets (channel, chat_id, reason) VALUES ('telegram', '5550001', 'asked')`)
	require.Error(t, err, "a second open ticket for one chat")

	// And back down: the Telegram rows survive, the WeChat one cannot.
	_, err = p.DownTo(ctx, 599)
	require.NoError(t, err)
	require.Equal(t, 1, count(`SELECT count(*) FROM handoff_tickets WHERE chat_id = 5550001`))
	require.Equal(t, 1, count(`SELECT count(*) FROM outreach_households WHERE chat_id = 5550001`))
}
