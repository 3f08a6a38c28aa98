package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/bot/resident"
	"github.com/safetynet/safetynet/bot/telegram"
	"github.com/safetynet/safetynet/bot/wechat"
	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/config"
	"github.com/safetynet/safetynet/internal/db"
	"github.com/safetynet/safetynet/internal/telegramtest"
	"github.com/safetynet/safetynet/internal/wechattest"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/corpus"
)

func init() {
	registerBench(benchmark{name: "bot", usage: "simulated residents through a loopback Bot API: updates/s, reply latency p50/p95", run: runBenchBot})
}

// benchBotResult is what `bench bot --json` prints.
type benchBotResult struct {
	Residents     int     `json:"residents"`
	Workers       int     `json:"workers"`
	Seconds       float64 `json:"seconds"`
	Updates       int     `json:"updates"`
	Questions     int     `json:"questions"`
	UpdatesPerSec float64 `json:"updates_per_sec"`
	P50ms         float64 `json:"p50_ms"`
	P95ms         float64 `json:"p95_ms"`
	P99ms         float64 `json:"p99_ms"`
	MaxMs         float64 `json:"max_ms"`
	QuestionP95ms float64 `json:"question_p95_ms"`
	TxPerUpdate   float64 `json:"db_transactions_per_update"`
	Errors        int     `json:"errors"`
}

// benchQuestions are asked in turn; all but the last are covered by the
// starter corpus, the last is not (the "say so, give the hotline" path).
// The order never puts two unanswered questions in a row, which would hand
// the resident to a person and send two messages for one update.
var benchQuestions = []string{
	"贵州农村低保标准是多少？",
	"低保渐退期一般给多长时间？",
	"特困供养人员要符合什么条件？",
	"临时救助怎么申请？",
	"居住证可以申请低保吗？",
	"低收入家庭怎么认定？",
	"家里有人外出打工，收入怎么算？",
	"明天会下雨吗？",
}

func runBenchBot(ctx context.Context, env *Env, args []string) error {
	fs := flag.NewFlagSet("bench bot", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	residents := fs.Int("residents", 16, "simulated residents, each waiting for the reply before the next message")
	workers := fs.Int("workers", 16, "chats the adapter serves at once")
	duration := fs.Duration("duration", 15*time.Second, "how long residents keep talking")
	corpusDir := fs.String("corpus", "", "policy documents to ingest (default: the embedded starter corpus)")
	inPlace := fs.Bool("in-place", false, "use DATABASE_URL itself instead of a scratch database (leaves bench rows behind)")
	keep := fs.Bool("keep-db", false, "keep the scratch database")
	rate := fs.Float64("rate", 0, "updates a second over all residents (paced; 0 = as fast as replies come)")
	latency := fs.Duration("api-latency", 0, "delay every Bot API response, like a distant data centre")
	asJSON := fs.Bool("json", false, "print the figures as one JSON object")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured run to this file")
	channel := fs.String("channel", "telegram", "the channel residents use: telegram or wechat (loopback stand-ins both)")
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "usage: safetynet bench bot [flags]")
		fmt.Fprintln(env.Stderr, "Runs the Telegram adapter and engine against a loopback Bot API (internal/telegramtest),")
		fmt.Fprintln(env.Stderr, "built-in embedder, no LLM, in a scratch database created beside DATABASE_URL.")
		fs.PrintDefaults()
	}
	flags, rest := flagArgs(args, map[string]bool{"in-place": true, "keep-db": true, "json": true})
	if err := fs.Parse(flags); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return badInput("%v", err)
	}
	if len(rest) > 0 {
		return badInput("bench bot: unexpected argument %q", rest[0])
	}
	if *residents < 1 || *workers < 1 || *duration <= 0 {
		return badInput("--residents, --workers and --duration must be positive")
	}
	if *rate < 0 {
		return badInput("--rate must not be negative")
	}
	if *channel != telegram.Channel && *channel != wechat.Channel {
		return badInput("--channel: %q is not telegram or wechat", *channel)
	}

	// A pool sized for the workers: each update holds a connection for a
	// statement at a time, retrieval a few more.
	dbURL := env.Cfg.DatabaseURL
	if !*inPlace {
		name, drop, err := scratchDatabase(ctx, dbURL)
		if err != nil {
			return err
		}
		if !*keep {
			defer drop()
		} else {
			fmt.Fprintf(env.Stderr, "scratch database kept: %s\n", name)
		}
		dbURL = withDatabase(dbURL, name)
	}
	pool, err := db.Open(ctx, withPoolSize(dbURL, *workers+8))
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool); err != nil {
		return err
	}
	kb := knowledge.New(pool, knowledge.NewBuiltin(), knowledge.Options{Hotline: env.Cfg.Hotline})
	if err := benchIngest(ctx, kb, *corpusDir); err != nil {
		return err
	}

	eng, err := bot.New(bot.Config{
		Pool: pool, Answerer: kb, Desk: handoff.New(pool, nil), Hotline: env.Cfg.Hotline,
		// The region profiles from the database, as serve has them.
		Wizard: resident.Wizard(pool, env.Cfg, ""),
		// Residents here talk as fast as the bot answers: no per-chat limit.
		RateBurst: 1e9, RatePerSec: 1e9,
		Channels: map[string]chat.Limits{telegram.Channel: telegram.Limits, wechat.Channel: wechat.Limits},
	})
	if err != nil {
		return err
	}
	if *channel == wechat.Channel {
		return benchWeChat(ctx, env, pool, eng, *residents, *duration, *asJSON)
	}
	tgOpts := []telegramtest.Option{telegramtest.WithoutLimits()}
	if *latency > 0 {
		tgOpts = append(tgOpts, telegramtest.WithLatency(*latency))
	}
	srv := telegramtest.New(tgOpts...)
	defer srv.Close()
	tb, err := telegram.New(ctx, eng, telegram.Options{
		Token: srv.Token(), APIURL: srv.URL(), Workers: *workers, PollTimeout: 5 * time.Second, Logger: env.Log,
	})
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- tb.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-runDone; err != nil && !errors.Is(err, context.Canceled) {
			env.Log.Warn("bench bot: telegram stand-in", "err", err)
		}
	}()

	// Warm up: one conversation, so connections and caches are ready.
	warm := &benchResident{srv: srv, chat: 1}
	if err := warm.step(ctx, "/start", ""); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}

	tx0, err := commits(ctx, pool)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return badInput("--cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	var errs atomic.Int64
	rs := make([]*benchResident, *residents)
	base := int64(1_000_000 + rand.IntN(1_000_000)*1000)
	start := time.Now()
	for i := range rs {
		rs[i] = &benchResident{srv: srv, chat: base + int64(i), seq: i}
		if *rate > 0 {
			// Each resident takes its share of the rate, offset so that
			// they do not all send in the same instant.
			rs[i].every = time.Duration(float64(*residents) / *rate * float64(time.Second))
			rs[i].next = start.Add(rs[i].every * time.Duration(i) / time.Duration(*residents))
		}
		wg.Add(1)
		go func(r *benchResident) {
			defer wg.Done()
			if err := r.talk(ctx, deadline); err != nil {
				errs.Add(1)
				env.Log.Warn("bench resident", "chat", r.chat, "err", err)
			}
		}(rs[i])
	}
	wg.Wait()
	elapsed := time.Since(start)
	tx1, err := commits(ctx, pool)
	if err != nil {
		return err
	}

	lat, qlat := make([][]time.Duration, len(rs)), make([][]time.Duration, len(rs))
	for i, r := range rs {
		lat[i], qlat[i] = r.lat, r.qlat
	}
	res := tally(*residents, *workers, elapsed, lat, qlat, int(errs.Load()), tx1-tx0)
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	fmt.Fprintf(env.Stdout, "bench bot: %d residents, %d workers, %.1fs", res.Residents, res.Workers, res.Seconds)
	if *rate > 0 {
		fmt.Fprintf(env.Stdout, ", paced at %.0f updates/s", *rate)
	}
	fmt.Fprintln(env.Stdout)
	return res.report(env.Stdout)
}

// tally sums a run up: every resident's reply latencies (all of them, and
// those of questions), and the database transactions the run took.
func tally(residents, workers int, elapsed time.Duration, lat, qlat [][]time.Duration, errs int, tx int64) benchBotResult {
	var all, qs []time.Duration
	for i := range lat {
		all = append(all, lat[i]...)
		qs = append(qs, qlat[i]...)
	}
	res := benchBotResult{
		Residents: residents, Workers: workers, Seconds: elapsed.Seconds(), Updates: len(all), Questions: len(qs),
		UpdatesPerSec: float64(len(all)) / elapsed.Seconds(),
		P50ms:         pct(all, 50), P95ms: pct(all, 95), P99ms: pct(all, 99), MaxMs: pct(all, 100),
		QuestionP95ms: pct(qs, 95), Errors: errs,
	}
	if len(all) > 0 {
		res.TxPerUpdate = float64(tx) / float64(len(all))
	}
	return res
}

// report prints the figures every channel's run has, after its own title
// line; residents that failed make it an error.
func (res benchBotResult) report(w io.Writer) error {
	fmt.Fprintf(w, "updates handled  %d (%.0f/s), of which questions %d\n", res.Updates, res.UpdatesPerSec, res.Questions)
	fmt.Fprintf(w, "reply latency    p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms\n", res.P50ms, res.P95ms, res.P99ms, res.MaxMs)
	fmt.Fprintf(w, "questions only   p95 %.1f ms\n", res.QuestionP95ms)
	fmt.Fprintf(w, "db transactions  %.1f per update (all of them: engine, retrieval, log)\n", res.TxPerUpdate)
	if res.Errors > 0 {
		fmt.Fprintf(w, "residents with errors: %d\n", res.Errors)
		return fmt.Errorf("bench bot: %d residents failed", res.Errors)
	}
	return nil
}

// benchResident plays one resident: a question, a 👎, the wizard's first
// steps, /cancel, help, another question; over and over.
type benchResident struct {
	srv  *telegramtest.Server
	chat int64
	seq  int
	lat  []time.Duration
	qlat []time.Duration
	last telegramtest.SentMessage
	// every paces the resident (0: send as soon as the reply came); next
	// is when the next message is due.
	every time.Duration
	next  time.Time
}

var benchUser = telegramtest.User{FirstName: "bench", LanguageCode: "zh-hans"}

func (r *benchResident) talk(ctx context.Context, deadline time.Time) error {
	for i := r.seq; time.Now().Before(deadline); i++ {
		q1 := benchQuestions[i%len(benchQuestions)]
		q2 := benchQuestions[(i+3)%len(benchQuestions)]
		if err := r.step(ctx, q1, ""); err != nil {
			return err
		}
		if fb := r.buttonWithPrefix("f:-1:"); fb != "" {
			if err := r.step(ctx, "", fb); err != nil {
				return err
			}
		}
		for _, s := range []struct{ text, data string }{
			{"/check", ""}, {"", "w:guizhou-2020"}, {"农村", ""}, {"1", ""}, {"/cancel", ""}, {"帮助", ""}, {q2, ""},
		} {
			if err := r.step(ctx, s.text, s.data); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *benchResident) buttonWithPrefix(p string) string {
	for _, b := range r.last.Buttons() {
		if strings.HasPrefix(b.CallbackData, p) {
			return b.CallbackData
		}
	}
	return ""
}

// step sends text or presses data on the last message and waits for the
// bot's next message; latency runs from sending to the server recording
// the reply.
func (r *benchResident) step(ctx context.Context, text, data string) error {
	if r.every > 0 {
		if d := time.Until(r.next); d > 0 {
			time.Sleep(d)
		}
		r.next = r.next.Add(r.every)
	}
	n := len(r.srv.SentTo(r.chat))
	t0 := time.Now()
	if data != "" {
		if _, err := r.srv.PressButton(r.chat, r.last.MessageID, data); err != nil {
			return err
		}
	} else {
		r.srv.SendText(r.chat, benchUser, text)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	msgs, err := r.srv.WaitForMessages(wctx, r.chat, n+1)
	if err != nil {
		return fmt.Errorf("after %q%q: %w", text, data, err)
	}
	r.last = msgs[n]
	d := r.last.At.Sub(t0)
	r.lat = append(r.lat, d)
	if data == "" && !strings.HasPrefix(text, "/") && text != "帮助" && len([]rune(text)) > 3 {
		r.qlat = append(r.qlat, d)
	}
	return nil
}

func pct(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p+99)/100 - 1
	i = max(0, min(i, len(s)-1))
	return float64(s[i].Microseconds()) / 1000
}

func commits(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	var n int64
	err := pool.QueryRow(ctx, `SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("read database statistics: %w", err)
	}
	return n, nil
}

// benchIngest loads the policy documents: a folder, or the embedded
// starter corpus (copied to a temporary folder so Ingest does all of its
// work, statistics included).
func benchIngest(ctx context.Context, kb *knowledge.Service, dir string) error {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "safetynet-bench-corpus-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if err := os.CopyFS(tmp, corpus.FS); err != nil {
			return fmt.Errorf("starter corpus: %w", err)
		}
		dir = tmp
	}
	rep, err := kb.Ingest(ctx, dir)
	if err != nil {
		return fmt.Errorf("ingest %s: %w", dir, err)
	}
	if len(rep.Failed) > 0 {
		return fmt.Errorf("ingest %s: %d documents failed", dir, len(rep.Failed))
	}
	return nil
}

// scratchDatabase creates an empty database beside the one in url and
// returns its name and a function that drops it.
func scratchDatabase(ctx context.Context, dbURL string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", nil, fmt.Errorf("connect to database: %w", err)
	}
	defer conn.Close(ctx)
	name := "safetynet_bench_bot_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("create scratch database (or use --in-place): %w", err)
	}
	drop := func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(dctx, dbURL)
		if err != nil {
			return
		}
		defer c.Close(dctx)
		_, _ = c.Exec(dctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`)
	}
	return name, drop, nil
}

func withDatabase(dbURL, name string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	u.Path = "/" + name
	return u.String()
}

func withPoolSize(dbURL string, n int) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	q := u.Query()
	if q.Get("pool_max_conns") == "" {
		q.Set("pool_max_conns", strconv.Itoa(n))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// benchWeChat runs the same residents through the WeChat receiver and the
// real SDK against internal/wechattest: callbacks signed and encrypted,
// answers as the callback's reply (or by the customer-service API when
// the engine takes longer than the reply window).
func benchWeChat(ctx context.Context, env *Env, pool *pgxpool.Pool, eng *bot.Engine, residents int, duration time.Duration, asJSON bool) error {
	wx := wechattest.New()
	defer wx.Close()
	snd, err := wechat.NewSender(pool, config.WeChat{AppID: wx.AppID, AppSecret: wx.AppSecret, Token: wx.Token,
		AESKey: wx.AESKey, APIURL: wx.URL()})
	if err != nil {
		return err
	}
	rc := wechat.NewReceiver(eng, snd, wechat.Options{Logger: env.Log})
	mux := http.NewServeMux()
	rc.Mount(mux)
	hs := httptest.NewServer(mux)
	defer hs.Close()
	wx.SetCallback(hs.URL + "/wechat")
	runCtx, stop := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- rc.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-runDone; err != nil && !errors.Is(err, context.Canceled) {
			env.Log.Warn("bench bot: wechat receiver", "err", err)
		}
	}()

	warm := &wxResident{wx: wx, user: "o-bench-warm"}
	if err := warm.step(ctx, "/start"); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	tx0, err := commits(ctx, pool)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	var errs atomic.Int64
	rs := make([]*wxResident, residents)
	start := time.Now()
	for i := range rs {
		rs[i] = &wxResident{wx: wx, user: fmt.Sprintf("o-bench-%04d", i), seq: i}
		wg.Add(1)
		go func(r *wxResident) {
			defer wg.Done()
			if err := r.talk(ctx, deadline); err != nil {
				errs.Add(1)
				env.Log.Warn("bench resident", "err", err)
			}
		}(rs[i])
	}
	wg.Wait()
	elapsed := time.Since(start)
	tx1, err := commits(ctx, pool)
	if err != nil {
		return err
	}
	lat, qlat := make([][]time.Duration, len(rs)), make([][]time.Duration, len(rs))
	for i, r := range rs {
		lat[i], qlat[i] = r.lat, r.qlat
	}
	res := tally(residents, residents, elapsed, lat, qlat, int(errs.Load()), tx1-tx0)
	if asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	fmt.Fprintf(env.Stdout, "bench bot (wechat): %d residents, %.1fs\n", res.Residents, res.Seconds)
	return res.report(env.Stdout)
}

// wxResident plays one WeChat resident: the Telegram script, with the
// pre-check's choices typed as numbers.
type wxResident struct {
	wx   *wechattest.Server
	user string
	seq  int
	lat  []time.Duration
	qlat []time.Duration
	last string
}

func (r *wxResident) talk(ctx context.Context, deadline time.Time) error {
	for i := r.seq; time.Now().Before(deadline); i++ {
		q1 := benchQuestions[i%len(benchQuestions)]
		q2 := benchQuestions[(i+3)%len(benchQuestions)]
		if err := r.step(ctx, q1); err != nil {
			return err
		}
		if err := r.step(ctx, "/check"); err != nil {
			return err
		}
		for _, s := range []string{r.choice("贵州"), "农村", "1", "/cancel", "帮助", q2} {
			if err := r.step(ctx, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// choice is the number the last message lists label with ("1" if none).
func (r *wxResident) choice(label string) string {
	for _, line := range strings.Split(r.last, "\n") {
		if n, rest, ok := strings.Cut(line, ". "); ok && strings.Contains(rest, label) {
			return n
		}
	}
	return "1"
}

func (r *wxResident) step(ctx context.Context, text string) error {
	n := len(r.wx.Inbox(r.user))
	t0 := time.Now()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := r.wx.Send(wctx, r.user, text); err != nil {
		return err
	}
	msgs, err := r.wx.WaitInbox(wctx, r.user, n+1)
	if err != nil {
		return fmt.Errorf("after %q: %w", text, err)
	}
	r.last = msgs[n].Text
	d := msgs[n].At.Sub(t0)
	r.lat = append(r.lat, d)
	if !strings.HasPrefix(text, "/") && text != "帮助" && len([]rune(text)) > 3 {
		r.qlat = append(r.qlat, d)
	}
	return nil
}
