package knowledge_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/internal/testdb"
	"github.com/safetynet/safetynet/knowledge"
)

// rankOf is the rank at which the answer to q is cited (0: not in five).
func rankOf(t *testing.T, svc *knowledge.Service, q knowledge.EvalQuestion) int {
	t.Helper()
	rep, err := svc.Eval(context.Background(), []knowledge.EvalQuestion{q}, 5)
	require.NoError(t, err)
	return rep.Results[0].Rank
}

// An answered question teaches the ranking what residents call a thing:
// once staff record that "给老人做饭的食堂" is answered by 刚察's 幸福食堂
// passage, another resident's differently worded question finds it first.
func TestExamplesTeachTheRanking(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, pool := corpusService(t, knowledge.Options{})
	// Without the bundled examples: what the documents' words alone find.
	_, err := pool.Exec(ctx, `DELETE FROM examples`)
	require.NoError(t, err)
	q := knowledge.EvalQuestion{ID: "meal", Question: "咱村里的老人没人做饭 有没有吃饭的地方 管不管饭",
		Docs: []string{"002_7906d49b427e11db.txt"}, ExpectAny: []string{"幸福食堂", "助餐服务"}, Answerable: true}
	other := knowledge.EvalQuestion{ID: "other", Question: "孤儿的基本生活费标准有没有调整机制",
		Docs:      []string{"000_af371565f628b411.txt", "002_7906d49b427e11db.txt"},
		ExpectAny: []string{"保障标准自然增长机制", "补助标准动态增长机制"}, Answerable: true}
	otherBefore := rankOf(t, svc, other)
	before := rankOf(t, svc, q)
	t.Logf("rank without examples: %d", before)
	require.NotEqual(t, 1, before, "the documents' words alone put another passage first")

	added, err := svc.AddExamples(ctx, []knowledge.Example{{
		Question: "村里孤寡老人吃饭没人管 有没有给老人做饭的食堂", Answerable: true,
		Docs: []string{"002_7906d49b427e11db.txt"}, Spans: []string{"幸福食堂"},
	}}, "test")
	require.NoError(t, err)
	require.Equal(t, 1, added)
	require.Equal(t, 1, rankOf(t, svc, q), "the passage the example names comes first")

	// An unrelated question is not pulled to it.
	require.Positive(t, otherBefore)
	require.Equal(t, otherBefore, rankOf(t, svc, other))

	// The same question again replaces the first: the newest word wins.
	added, err = svc.AddExamples(ctx, []knowledge.Example{{
		Question: "村里孤寡老人吃饭没人管 有没有给老人做饭的食堂", Answerable: false,
	}}, "test")
	require.NoError(t, err)
	require.Zero(t, added)
	ans, not, err := svc.ExampleCount(ctx)
	require.NoError(t, err)
	require.Equal(t, [2]int{0, 1}, [2]int{ans, not})
}

// The bundled examples come with the documents they are about, and with
// no other corpus.
func TestExamplesSeededWithTheirDocuments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, err := os.Open(filepath.Join("data", "examples.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	seeds, err := knowledge.ReadQuestions(f)
	require.NoError(t, err)
	var wantAns, wantNot int
	for _, q := range seeds {
		if q.Answerable {
			wantAns++
		} else {
			wantNot++
		}
	}

	svc, pool := builtinCorpusService(t, knowledge.Options{})
	ans, not, err := svc.ExampleCount(ctx)
	require.NoError(t, err)
	require.Equal(t, [2]int{wantAns, wantNot}, [2]int{ans, not})
	// Every answered example found its passage in the documents.
	var lost int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM examples e WHERE e.answerable
		AND NOT EXISTS (SELECT 1 FROM example_passages p WHERE p.example_id = e.id)`).Scan(&lost))
	require.Zero(t, lost, "answered examples whose spans no passage holds")
	// Ingesting again adds none twice.
	_, err = svc.Ingest(ctx, corpusDir(t))
	require.NoError(t, err)
	ans2, not2, err := svc.ExampleCount(ctx)
	require.NoError(t, err)
	require.Equal(t, [2]int{ans, not}, [2]int{ans2, not2})

	other := knowledge.New(testdb.New(t), knowledge.NewBuiltin(), knowledge.Options{})
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "note.txt"),
		[]byte("关于做好冬季困难群众救助工作的通知\n\n一、各地要及时发放取暖补贴。\n"), 0o600))
	_, err = other.Ingest(ctx, dir)
	require.NoError(t, err)
	ans, not, err = other.ExampleCount(ctx)
	require.NoError(t, err)
	require.Equal(t, [2]int{0, 0}, [2]int{ans, not})
}

// Bad examples name what is wrong, and a batch is stored whole or not at
// all.
func TestExamplesBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := knowledge.ExamplesFrom([]knowledge.EvalQuestion{{ID: "line3", Question: "低保怎么申请",
		Answerable: true, Docs: []string{"a.txt"}}})
	require.ErrorContains(t, err, "line3: expect_any")
	_, err = knowledge.ExamplesFrom([]knowledge.EvalQuestion{{ID: "x7", Question: "医保卡怎么补办",
		Docs: []string{"a.txt"}}})
	require.ErrorContains(t, err, "x7: answerable")

	svc := knowledge.New(testdb.New(t), knowledge.NewBuiltin(), knowledge.Options{})
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.txt"),
		[]byte("关于最低生活保障审核确认的通知\n\n一、申请低保，由共同生活的家庭成员向户籍所在地乡镇提出申请。\n"), 0o600))
	_, err = svc.Ingest(ctx, dir)
	require.NoError(t, err)
	good := knowledge.Example{Question: "低保怎么申请", Answerable: true, Docs: []string{"a.txt"}, Spans: []string{"提出申请"}}
	for _, bad := range []knowledge.Example{
		{Question: "低保能发多久", Answerable: true},                                                    // no passage named
		{Question: "低保找谁申请", Answerable: true, Docs: []string{"b.txt"}, Spans: []string{"提出申请"}},  // no such document
		{Question: "低保去哪申请", Answerable: true, Docs: []string{"a.txt"}, Spans: []string{"向县里申请"}}, // no such text
	} {
		_, err = svc.AddExamples(ctx, []knowledge.Example{good, bad}, "test")
		require.Error(t, err)
		require.True(t, strings.Contains(err.Error(), "example 2"), err.Error())
		ans, not, err := svc.ExampleCount(ctx)
		require.NoError(t, err)
		require.Equal(t, [2]int{0, 0}, [2]int{ans, not}, "nothing of the batch is stored")
	}
	added, err := svc.AddExamples(ctx, []knowledge.Example{good}, "test")
	require.NoError(t, err)
	require.Equal(t, 1, added)
	_, err = svc.AddExamples(ctx, nil, "")
	require.ErrorContains(t, err, "source")
}
