package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/safetynet/safetynet/bot/telegram"
	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/outreach"
)

const campaignUsage = `usage: safetynet outreach campaign COMMAND [flags]

  create  --name N (--template T | --text TEXT | --text-file F) [segment] [--start T]
          [--window 08:00-20:00] [--rate N] [--pause-after N] [--pause-window 1m] [--pledge]
          creates a draft and prints its preview
  preview ID | same flags as create          how many, and three samples (names masked)
  list                                       all campaigns
  show ID [--json]                           one campaign with counts by status
  test ID --chat STAFF_CHAT...               send the samples to staff chats first
  start ID [--force]                         queue it (must be test-sent unless --force)
  pause ID [--reason R] | resume ID | cancel ID [--reason R]

segment: --region ID... --area urban|rural --program P... --due-field review|phaseout|pledge
         --due-from YYYY-MM-DD --due-to YYYY-MM-DD
--start: YYYY-MM-DD HH:MM or RFC 3339, in SAFETYNET_TZ (default now)
templates: %s
`

func runOutreachCampaign(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(env.Stderr, campaignUsage, strings.Join(outreach.Templates(), ", "))
		if len(args) == 0 {
			return badInput("outreach campaign: name a subcommand")
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "create", "preview":
		return campaignCreate(ctx, env, sub, rest)
	case "list":
		return campaignList(ctx, env)
	case "show", "test", "start", "pause", "resume", "cancel":
		return campaignAct(ctx, env, sub, rest)
	}
	fmt.Fprintf(env.Stderr, campaignUsage, strings.Join(outreach.Templates(), ", "))
	return badInput("outreach campaign: unknown subcommand %q", sub)
}

func campaignCreate(ctx context.Context, env *Env, sub string, args []string) error {
	fs := newFlags("outreach campaign "+sub, env)
	var in outreach.CampaignInput
	var regions, programs multiFlag
	fs.StringVar(&in.Name, "name", "", "campaign name")
	fs.StringVar(&in.Template, "template", "", "template name from prompts/outreach")
	fs.StringVar(&in.Text, "text", "", "own message text (placeholders allowed)")
	textFile := fs.String("text-file", "", "read the message text from a file")
	fs.Var(&regions, "region", "region id (repeat)")
	fs.StringVar(&in.Segment.Area, "area", "", "urban or rural")
	fs.Var(&programs, "program", "program (repeat)")
	fs.StringVar(&in.Segment.DueField, "due-field", "", "review, phaseout or pledge")
	fs.StringVar(&in.Segment.DueFrom, "due-from", "", "due on or after YYYY-MM-DD")
	fs.StringVar(&in.Segment.DueTo, "due-to", "", "due on or before YYYY-MM-DD")
	start := fs.String("start", "", "start time in SAFETYNET_TZ")
	fs.StringVar(&in.Window, "window", "", "daily sending window, local HH:MM-HH:MM")
	fs.Float64Var(&in.Rate, "rate", 0, "messages a second (≤ OUTREACH_RATE)")
	fs.IntVar(&in.PauseAfter, "pause-after", 0, "failures within --pause-window that pause the campaign (default 20, -1 off)")
	fs.DurationVar(&in.PauseWindow, "pause-window", time.Minute, "window for --pause-after")
	fs.BoolVar(&in.WithPledge, "pledge", false, "add the 签署诚信承诺 button")
	fs.StringVar(&in.CreatedBy, "by", os.Getenv("USER"), "who creates it")
	rest, err := parseFlags(fs, args, "pledge")
	if err != nil {
		return err
	}
	svc, err := newOutreach(ctx, env, outreach.Config{})
	if err != nil {
		return err
	}
	if sub == "preview" && len(rest) == 1 {
		id, err := parseID(rest[0], "ID")
		if err != nil {
			return err
		}
		pv, err := svc.CampaignPreview(ctx, id)
		if err != nil {
			return err
		}
		printPreview(env, pv)
		return nil
	}
	if len(rest) > 0 {
		return badInput("outreach campaign %s: unexpected argument %q", sub, rest[0])
	}
	in.Segment.Regions, in.Segment.Programs = regions, programs
	if *textFile != "" {
		b, err := os.ReadFile(*textFile)
		if err != nil {
			return badInput("--text-file: %v", err)
		}
		in.Text = string(b)
	}
	if *start != "" {
		t, err := parseStart(*start, env.Cfg.TZ)
		if err != nil {
			return err
		}
		in.StartAt = t
	}
	if sub == "preview" {
		if in.Name == "" {
			in.Name = "preview"
		}
		pv, err := svc.PreviewCampaign(ctx, in)
		if err != nil {
			return err
		}
		printPreview(env, pv)
		return nil
	}
	c, err := svc.CreateCampaign(ctx, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "campaign %d created (draft): %s\n", c.ID, c.Name)
	pv, err := svc.PreviewOf(ctx, c)
	if err != nil {
		return err
	}
	printPreview(env, pv)
	fmt.Fprintf(env.Stdout, "next: safetynet outreach campaign test %d --chat STAFF_CHAT_ID, then start %d\n", c.ID, c.ID)
	return nil
}

func parseStart(s string, tz *time.Location) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04", "2006-01-02T15:04", time.DateOnly} {
		var t time.Time
		var err error
		if layout == time.RFC3339 {
			t, err = time.Parse(layout, s)
		} else {
			t, err = time.ParseInLocation(layout, s, tz)
		}
		if err == nil {
			return t, nil
		}
	}
	return time.Time{}, badInput("--start: %q is not YYYY-MM-DD HH:MM", s)
}

func printPreview(env *Env, pv outreach.Preview) {
	fmt.Fprintf(env.Stdout, "reaches %d households\n", pv.Count)
	for i, s := range pv.Samples {
		fmt.Fprintf(env.Stdout, "--- sample %d ---\n%s\n", i+1, s)
	}
}

func campaignList(ctx context.Context, env *Env) error {
	svc, err := newOutreach(ctx, env, outreach.Config{})
	if err != nil {
		return err
	}
	list, err := svc.Campaigns(ctx)
	if err != nil {
		return err
	}
	for _, c := range list {
		fmt.Fprintf(env.Stdout, "%4d  %-9s %s  %s  %s\n", c.ID, c.Status, c.StartAt.In(env.Cfg.TZ).Format("2006-01-02 15:04"), c.Name, c.StatusReason)
	}
	return nil
}

func campaignAct(ctx context.Context, env *Env, sub string, args []string) error {
	fs := newFlags("outreach campaign "+sub, env)
	var chats multiFlag
	fs.Var(&chats, "chat", "staff chat id (repeat; test only)")
	reason := fs.String("reason", "", "why (pause, cancel)")
	force := fs.Bool("force", false, "start without a test send")
	asJSON := fs.Bool("json", false, "JSON (show)")
	rest, err := parseFlags(fs, args, "force", "json")
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return badInput("outreach campaign %s: give one campaign ID", sub)
	}
	id, err := parseID(rest[0], "ID")
	if err != nil {
		return err
	}
	svc, err := newOutreach(ctx, env, outreach.Config{})
	if err != nil {
		return err
	}
	var c outreach.Campaign
	switch sub {
	case "show":
		c, err = svc.Campaign(ctx, id)
	case "test":
		// --chat N is a Telegram chat; --chat wechat:OPENID another channel's.
		var ids []chat.Address
		for _, s := range chats {
			if channel, cid, ok := strings.Cut(s, ":"); ok {
				if channel == "" || cid == "" {
					return badInput("--chat: want N or CHANNEL:ID, got %q", s)
				}
				ids = append(ids, chat.Address{Channel: channel, ID: cid})
				continue
			}
			if _, err := parseID(s, "--chat"); err != nil {
				return err
			}
			ids = append(ids, chat.Address{Channel: telegram.Channel, ID: s})
		}
		n, err := svc.TestSend(ctx, id, ids)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "sent %d test messages to %d staff chats\n", n, len(ids))
		return nil
	case "start":
		c, err = svc.StartCampaign(ctx, id, *force)
	case "pause":
		c, err = svc.PauseCampaign(ctx, id, *reason)
	case "resume":
		c, err = svc.ResumeCampaign(ctx, id)
	case "cancel":
		c, err = svc.CancelCampaign(ctx, id, *reason)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(c)
	}
	fmt.Fprintf(env.Stdout, "campaign %d %q: %s %s\n", c.ID, c.Name, c.Status, c.StatusReason)
	if c.Counts != nil {
		k := c.Counts
		fmt.Fprintf(env.Stdout, "queued %d, sent %d, failed %d, unreachable %d, acknowledged %d, opted out %d\n",
			k.Queued, k.Sent, k.Failed, k.Unreachable, k.Acknowledged, k.OptedOut)
	}
	return nil
}
