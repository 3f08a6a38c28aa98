package console_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/bot/telegram"
	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/questions"
)

// A ticket shows the whole conversation from the resident's first
// question, the earlier ones from the question log included, a page at a
// time, under a topic taken from it.
func TestTicketConversationPagedWithTopic(t *testing.T) {
	t.Parallel()
	st := fullStack(t)
	ctx := context.Background()
	addr := chat.Address{Channel: telegram.Channel, ID: "8801"}
	id, err := st.questions.Record(ctx, questions.Entry{Chat: addr, Question: "临时救助要带什么材料？", Answered: true,
		Answer: "请带身份证、户口簿和困难情况说明到乡镇民政办。", Lang: "zh-Hans"})
	require.NoError(t, err)
	_, err = st.pool.Exec(ctx, `UPDATE questions SET asked_at = now() - interval '2 hours' WHERE id = $1`, id)
	require.NoError(t, err)
	// Another resident's question never shows on this ticket.
	_, err = st.questions.Record(ctx, questions.Entry{Chat: chat.Address{Channel: telegram.Channel, ID: "8802"}, Question: "别人家的问题不该出现", Answered: false})
	require.NoError(t, err)

	turns := []handoff.Turn{{Author: handoff.AuthorResident, Text: "/check"}}
	for i := range 30 {
		turns = append(turns,
			handoff.Turn{Author: handoff.AuthorBot, Text: "第 " + strconv.Itoa(i) + " 个问题？"},
			handoff.Turn{Author: handoff.AuthorResident, Text: "答" + strconv.Itoa(i)})
	}
	turns = append(turns, handoff.Turn{Author: handoff.AuthorResident, Text: "我家老人瘫痪在床没人照顾能申请什么"},
		handoff.Turn{Author: handoff.AuthorResident, Text: "人工"})
	tk, _, err := st.desk.Open(ctx, handoff.Request{Chat: addr, Reason: "asked", Transcript: turns})
	require.NoError(t, err)

	c := st.client(t)
	c.login("hotline", hotlinePW)
	_, body := c.get("/console/handoffs")
	require.Contains(t, body, "我家老人瘫痪在床没人照顾能申请什么")
	require.NotContains(t, body, "居民要求人工服务")

	path := fmt.Sprintf("/console/handoffs/%d", tk.ID)
	resp, last := c.get(path)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, last, "第 2 / 2 页", "65 lines: two pages, the newest shown first")
	require.Contains(t, last, "人工")
	require.NotContains(t, last, "临时救助要带什么材料")

	_, first := c.get(path + "?page=1")
	require.Contains(t, first, "第 1 / 2 页")
	require.Contains(t, first, "临时救助要带什么材料", "the question asked before the handoff")
	require.Contains(t, first, "困难情况说明")
	require.Contains(t, first, "/check")
	require.NotContains(t, first, "别人家的问题不该出现")
	require.Less(t, strings.Index(first, "临时救助要带什么材料"), strings.Index(first, `<div class="bubble">/check</div>`), "oldest first")

	_, bad := c.get(path + "?page=99")
	require.Contains(t, bad, "第 2 / 2 页", "a page out of range shows the newest")
}
