package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/safetynet/safetynet/bot"
	"github.com/safetynet/safetynet/bot/resident"
	"github.com/safetynet/safetynet/bot/telegram"
	"github.com/safetynet/safetynet/bot/webchat"
	"github.com/safetynet/safetynet/bot/wechat"
	"github.com/safetynet/safetynet/internal/csvexport"
	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/knowledge/eligibility"
	"github.com/safetynet/safetynet/outreach"
)

func init() {
	register(command{name: "outreach", usage: "households, binding codes, reminders, campaigns, dispatch, report (outreach help)", run: runOutreach, personalData: true})
}

const outreachUsage = `usage: safetynet outreach COMMAND [flags]

  import FILE.csv [--dry-run]              enrol or update households (all rows or none)
  codes [--household ID]... [--rotate] [--bot NAME] [--ttl 720h]
                                           print household_id,code,link binding codes; the
                                           same codes until used or rotated; the bot name
                                           comes from TELEGRAM_BOT_TOKEN (getMe) when set;
                                           with WeChat set, a wechat_qr column: the link of
                                           a QR code whose scene is the code (30 days)
  remind --date YYYY-MM-DD [--dry-run]     derive and queue the reminders due that day
  campaign create|preview|list|show|test|start|pause|resume|cancel ...
                                           bureau campaigns (outreach campaign help)
  report [--campaign ID] [--json]          counts by status
  followups [--csv]                        households staff should call or visit
  household QUERY                          find by household id or ID number (masked)
  timeline HOUSEHOLD_ID                    what happened to a household
  dispatch [--workers N] [--rescue-after 3m] [--remind]
                                           work the send queue until stopped
`

func runOutreach(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(env.Stderr, outreachUsage)
		if len(args) == 0 {
			return badInput("outreach: name a subcommand")
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	var err error
	switch sub {
	case "import":
		err = runOutreachImport(ctx, env, rest)
	case "codes":
		err = runOutreachCodes(ctx, env, rest)
	case "remind":
		err = runOutreachRemind(ctx, env, rest)
	case "campaign":
		err = runOutreachCampaign(ctx, env, rest)
	case "report":
		err = runOutreachReport(ctx, env, rest)
	case "followups":
		err = runOutreachFollowUps(ctx, env, rest)
	case "household":
		err = runOutreachHousehold(ctx, env, rest)
	case "timeline":
		err = runOutreachTimeline(ctx, env, rest)
	case "dispatch":
		err = runOutreachDispatch(ctx, env, rest)
	default:
		fmt.Fprint(env.Stderr, outreachUsage)
		return badInput("outreach: unknown subcommand %q", sub)
	}
	return outreachErr(err)
}

// outreachErr turns the domain's input errors into exit status 2.
func outreachErr(err error) error {
	var ie *outreach.ImportError
	var fe *outreach.FieldError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return nil
	case errors.As(err, &ie):
		return badInput("%s", ie.Error())
	case errors.As(err, &fe):
		return badInput("--%s: %s", fe.Field, fe.Message)
	case errors.Is(err, pii.ErrNoKey):
		return badInput("%v", err)
	case errors.Is(err, outreach.ErrNotFound), errors.Is(err, outreach.ErrCampaignState), errors.Is(err, outreach.ErrNotTested):
		return badInput("%v", err)
	}
	return err
}

// newOutreach builds the service from the environment, sending through
// every configured channel.
func newOutreach(ctx context.Context, env *Env, cfg outreach.Config) (*outreach.Service, error) {
	pool, err := env.DB(ctx)
	if err != nil {
		return nil, err
	}
	cfg.DataKey, cfg.TZ, cfg.Hotline, cfg.Rate = env.Cfg.DataKey, env.Cfg.TZ, env.Cfg.Hotline, env.Cfg.OutreachRate
	cfg.Logger = env.Log
	if cfg.Regions == nil {
		cfg.Regions = eligibility.NewStore(pool) // the bureau's regions, not only the bundled
	}
	if cfg.Sender == nil {
		senders, err := resident.Senders(ctx, bot.Setup{Config: env.Cfg, Pool: pool, Logger: env.Log})
		if err != nil {
			return nil, err
		}
		// The web chat cannot take reminders; without another channel
		// there is nothing to dispatch through.
		delete(senders, webchat.Channel)
		if len(senders) > 0 {
			cfg.Sender = resident.Router(senders)
			// Each channel is paced by its own limits.
			cfg.Limits = resident.Limits(senders)
		}
	}
	return outreach.New(pool, cfg)
}

func newFlags(name string, env *Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string, bools ...string) ([]string, error) {
	bf := map[string]bool{}
	for _, b := range bools {
		bf[b] = true
	}
	flags, rest := flagArgs(args, bf)
	if err := fs.Parse(flags); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err // usage already printed; not an error
		}
		return nil, badInput("%v", err)
	}
	return append(rest, fs.Args()...), nil
}

func runOutreachImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("outreach import", env)
	dry := fs.Bool("dry-run", false, "validate and count, store nothing")
	rest, err := parseFlags(fs, args, "dry-run")
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return badInput("outreach import: give one FILE.csv (or - for standard input)")
	}
	if len(env.Cfg.DataKey) == 0 {
		return badInput("%v", pii.ErrNoKey)
	}
	var r io.Reader = env.Stdin
	if rest[0] != "-" {
		f, err := os.Open(rest[0])
		if err != nil {
			return badInput("FILE: %v", err)
		}
		defer f.Close()
		r = f
	}
	svc, err := newOutreach(ctx, env, outreach.Config{})
	if err != nil {
		return err
	}
	res, err := svc.Import(ctx, r, *dry)
	if err != nil {
		return err
	}
	verb := "imported"
	if res.DryRun {
		verb = "would import (dry run, nothing stored)"
	}
	fmt.Fprintf(env.Stdout, "%s %d households: %d new, %d changed, %d unchanged\n", verb, res.Rows, res.Inserted, res.Updated, res.Unchanged)
	for _, s := range res.SharedIDs {
		fmt.Fprintf(env.Stdout, "check: line %d: household %s has the same ID number as %s (flagged for staff)\n",
			s.Line, s.HouseholdID, strings.Join(s.Others, ", "))
	}
	return nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func runOutreachCodes(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("outreach codes", env)
	var ids multiFlag
	fs.Var(&ids, "household", "household id (repeat; default all households not yet bound)")
	rotate := fs.Bool("rotate", false, "revoke the households' unused codes and issue new ones (a lost or misdirected letter)")
	botName := fs.String("bot", "", "bot username for the links (default: asked from Telegram with getMe when TELEGRAM_BOT_TOKEN is set)")
	ttl := fs.Duration("ttl", 0, "how long new codes stay valid (default: until used or rotated)")
	rest, err := parseFlags(fs, args, "rotate")
	if err != nil {
		return err
	}
	if *ttl < 0 {
		return badInput("--ttl: %v is negative", *ttl)
	}
	ids = append(ids, rest...)
	svc, err := newOutreach(ctx, env, outreach.Config{})
	if err != nil {
		return err
	}
	name := strings.TrimPrefix(*botName, "@")
	if name == "" && env.Cfg.TelegramToken != "" {
		snd, err := telegram.NewSender(env.Cfg.TelegramToken, env.Cfg.TelegramAPIURL)
		if err != nil {
			return err
		}
		if name, err = snd.Username(ctx); err != nil {
			return fmt.Errorf("ask Telegram for the bot's name (getMe): %w", err)
		}
	}
	if name == "" {
		fmt.Fprintln(env.Stderr, "outreach codes: no bot name (--bot, or TELEGRAM_BOT_TOKEN to ask Telegram): links left empty; residents send /start CODE")
	}
	issue := svc.IssueCodes
	if *rotate {
		issue = svc.RotateCodes
	}
	codes, err := issue(ctx, ids, name, *ttl)
	if err != nil {
		return err // outreachErr makes an unknown household and a missing key bad input
	}
	rows := [][]string{{"household_id", "code", "link"}}
	for _, c := range codes {
		rows = append(rows, []string{c.HouseholdID, c.Code, c.Link})
	}
	if env.Cfg.WeChat.AppID != "" {
		// Where WeChat is configured, each code also as the link of a
		// parametric QR code whose scene is the code, for the letter:
		// scanning it follows the account and binds. All are made before
		// anything is printed, so a failure prints no half list (the codes
		// themselves stay: printing again gives the same ones).
		if err := addWeChatQR(ctx, env, rows); err != nil {
			return err
		}
	}
	w := csvexport.NewWriter(env.Stdout)
	for _, r := range rows {
		_ = w.Write(r)
	}
	w.Flush()
	return w.Error()
}

// addWeChatQR appends the wechat_qr column: the address of each code's QR
// code image. WeChat keeps a QR code with a text scene for 30 days; after
// that, printing the codes again makes new ones for the same codes.
func addWeChatQR(ctx context.Context, env *Env, rows [][]string) error {
	pool, err := env.DB(ctx)
	if err != nil {
		return err
	}
	wx, err := wechat.NewSender(pool, env.Cfg.WeChat)
	if err != nil {
		return fmt.Errorf("WeChat settings: %w", err)
	}
	rows[0] = append(rows[0], "wechat_qr")
	for i := 1; i < len(rows); i++ {
		_, image, err := wx.BindingQR(ctx, rows[i][1])
		if err != nil {
			return fmt.Errorf("WeChat QR code for household %s: %w", rows[i][0], err)
		}
		rows[i] = append(rows[i], image)
	}
	return nil
}

func runOutreachRemind(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("outreach remind", env)
	date := fs.String("date", "", "the day, YYYY-MM-DD (default today in SAFETYNET_TZ)")
	dry := fs.Bool("dry-run", false, "count what is due, queue nothing")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if _, err := parseFlags(fs, args, "dry-run", "json"); err != nil {
		return err
	}
	d := time.Now().In(env.Cfg.TZ)
	if *date != "" {
		var err error
		if d, err = time.Parse(time.DateOnly, *date); err != nil {
			return badInput("--date: %q is not a date YYYY-MM-DD", *date)
		}
	}
	svc, err := newOutreach(ctx, env, outreach.Config{})
	if err != nil {
		return err
	}
	res, err := svc.Remind(ctx, d, *dry)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	verb := "queued"
	if res.DryRun {
		verb = "would queue (dry run)"
	}
	fmt.Fprintf(env.Stdout, "%s: %s %d new reminders (review %d, phaseout %d, pledge %d); %d unreachable (no chat), %d opted out\n",
		res.Date, verb, res.Queued, res.ByKind["review"], res.ByKind["phaseout"], res.ByKind["pledge"], res.Unreachable, res.OptedOut)
	return nil
}

func runOutreachReport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("outreach report", env)
	campaign := fs.Int64("campaign", 0, "a campaign's id (default: the reminders)")
	asJSON := fs.Bool("json", false, "JSON as in cli.md")
	if _, err := parseFlags(fs, args, "json"); err != nil {
		return err
	}
	svc, err := newOutreach(ctx, env, outreach.Config{})
	if err != nil {
		return err
	}
	var id *int64
	if *campaign != 0 {
		id = campaign
		if _, err := svc.Campaign(ctx, *campaign); err != nil {
			return badInput("--campaign: %v", err)
		}
	}
	r, err := svc.Report(ctx, id)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(r)
	}
	c := r.Counts
	for _, row := range []struct {
		k string
		n int
	}{{"queued", c.Queued}, {"sent", c.Sent}, {"failed", c.Failed}, {"unreachable", c.Unreachable},
		{"acknowledged", c.Acknowledged}, {"opted out", c.OptedOut}} {
		fmt.Fprintf(env.Stdout, "%-13s %d\n", row.k, row.n)
	}
	return nil
}

func runOutreachFollowUps(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("outreach followups", env)
	asCSV := fs.Bool("csv", false, "CSV for a spreadsheet")
	if _, err := parseFlags(fs, args, "csv"); err != nil {
		return err
	}
	svc, err := newOutreach(ctx, env, outreach.Config{})
	if err != nil {
		return err
	}
	list, err := svc.FollowUps(ctx)
	if err != nil {
		return err
	}
	if *asCSV {
		return outreach.WriteFollowUpsCSV(env.Stdout, list, env.Cfg.TZ)
	}
	for _, f := range list {
		fmt.Fprintf(env.Stdout, "%-14s %-12s %-6s %-13s %s\n", f.Reason, f.HouseholdID, f.NameMasked, f.PhoneMasked, f.Detail)
	}
	fmt.Fprintf(env.Stdout, "%d households need a call or a visit\n", len(list))
	return nil
}

func runOutreachHousehold(ctx context.Context, env *Env, args []string) error {
	if len(args) != 1 {
		return badInput("outreach household: give one household id or ID number")
	}
	svc, err := newOutreach(ctx, env, outreach.Config{})
	if err != nil {
		return err
	}
	list, err := svc.SearchHouseholds(ctx, args[0], 50)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(env.Stdout)
	for _, h := range list {
		if err := enc.Encode(h); err != nil {
			return err
		}
	}
	if len(list) == 0 {
		return badInput("household %q: %v", pii.Redact(args[0]), outreach.ErrNotFound)
	}
	return nil
}

func runOutreachTimeline(ctx context.Context, env *Env, args []string) error {
	if len(args) != 1 {
		return badInput("outreach timeline: give one household id")
	}
	svc, err := newOutreach(ctx, env, outreach.Config{})
	if err != nil {
		return err
	}
	tl, err := svc.Timeline(ctx, args[0])
	if err != nil {
		return err
	}
	if len(tl) == 0 {
		fmt.Fprintf(env.Stdout, "household %s: no events yet (no reminder queued, no chat bound, nothing acknowledged)\n", args[0])
		return nil
	}
	for _, e := range tl {
		detail := e.Detail
		// The two days of a reminder, each named: the day it goes out is
		// not the day it reminds of.
		if e.SendOn != "" {
			detail = strings.TrimSpace(detail + " send " + e.SendOn)
		}
		if e.DueOn != "" {
			detail = strings.TrimSpace(detail + " due " + e.DueOn)
		}
		fmt.Fprintf(env.Stdout, "%s  %-18s %-12s %s\n", e.At.In(env.Cfg.TZ).Format("2006-01-02 15:04:05"), e.Kind, e.Status, detail)
	}
	return nil
}

func runOutreachDispatch(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("outreach dispatch", env)
	workers := fs.Int("workers", 64, "sends kept in hand by this process")
	rescue := fs.Duration("rescue-after", 3*time.Minute, "hand a send stuck by a crash to another worker after this long")
	jobTimeout := fs.Duration("job-timeout", time.Minute, "bound on one send attempt, waits included")
	remind := fs.Bool("remind", false, "also derive each day's reminders (leader only)")
	if _, err := parseFlags(fs, args, "remind"); err != nil {
		return err
	}
	svc, err := newOutreach(ctx, env, outreach.Config{Workers: *workers, RescueAfter: *rescue, JobTimeout: *jobTimeout, AutoRemind: *remind})
	if err != nil {
		return err
	}
	if !svc.CanSend() {
		return badInput("TELEGRAM_BOT_TOKEN or WECHAT_APP_ID (with its secrets): a channel for reminders is required to dispatch")
	}
	env.Log.Info("outreach dispatch started", "workers", *workers, "rate", env.Cfg.OutreachRate)
	return svc.Run(ctx)
}

func parseID(s, what string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, badInput("%s: %q is not an id", what, s)
	}
	return id, nil
}

// startOutreach is serve's hook: it builds the outreach service (the bot
// and the console use the same instance), registers its counters on reg,
// and, when a Telegram token is set, runs dispatch and the daily reminder
// scheduler in g until ctx ends. Without a token it only builds the
// service: import, campaigns and reports still work, nothing is sent.
func startOutreach(ctx context.Context, env *Env, reg prometheusRegisterer, g errgroupGo) (*outreach.Service, error) {
	svc, err := newOutreach(ctx, env, outreach.Config{AutoRemind: true})
	if err != nil {
		return nil, err
	}
	for _, c := range svc.Collectors() {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("outreach metrics: %w", err)
		}
	}
	// Any channel that can take reminders (Telegram, WeChat) starts
	// dispatch; a WeChat-only deployment sends too.
	if svc.CanSend() {
		g.Go(func() error { return svc.Run(ctx) })
	} else {
		env.Log.Info("outreach: no channel for reminders (TELEGRAM_BOT_TOKEN, WECHAT_*), dispatch not started")
	}
	return svc, nil
}

// The narrow views of *prometheus.Registry and *errgroup.Group that
// startOutreach needs.
type prometheusRegisterer interface {
	Register(prometheus.Collector) error
}

type errgroupGo interface {
	Go(func() error)
}
