package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/config"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/eligibility"
	"github.com/safetynet/safetynet/questions"
)

// Adapters from the other parts to the console's interfaces. serve wires
// them: console.New(console.Deps{Knowledge: console.KnowledgeOf(svc), …}).

// KnowledgeOf adapts the knowledge service.
func KnowledgeOf(s *knowledge.Service) Knowledge { return knowledgeAdapter{s} }

type knowledgeAdapter struct{ s *knowledge.Service }

func (k knowledgeAdapter) Suggest(ctx context.Context, q, region string) (knowledge.Answer, error) {
	ans, err := k.s.Ask(ctx, q, knowledge.AskOptions{Region: region})
	if errors.Is(err, knowledge.ErrEmptyQuestion) || errors.Is(err, knowledge.ErrLongQuestion) {
		return knowledge.Answer{}, &FieldError{"question", "问题为空或太长"}
	}
	return ans, err
}

// IngestFiles ingests file by file, so each upload gets its own line in
// the results.
func (k knowledgeAdapter) IngestFiles(ctx context.Context, paths []string) ([]IngestResult, error) {
	out := make([]IngestResult, 0, len(paths))
	for _, p := range paths {
		res := IngestResult{File: filepath.Base(p)}
		rep, err := k.s.Ingest(ctx, p)
		switch {
		case errors.Is(err, knowledge.ErrNoFiles):
			res.Status, res.Error = "failed", "读不出文件内容"
		case err != nil:
			return out, err
		case len(rep.Failed) > 0:
			res.Status, res.Error = "failed", "文件无法读取或保存"
		case rep.DocsAdded > 0:
			res.Status = "added"
		case rep.DocsUpdated > 0:
			res.Status = "updated"
		default:
			res.Status = "unchanged"
		}
		res.Chunks = rep.ChunksAdded + rep.ChunksUpdated + rep.ChunksUnchanged
		out = append(out, res)
	}
	return out, nil
}

// EligibilityOf adapts the pre-check engine; hotline is where results
// point residents when nothing fits.
func EligibilityOf(hotline string) Eligibility { return eligibilityAdapter{hotline} }

type eligibilityAdapter struct{ hotline string }

func (e eligibilityAdapter) Regions() []Region {
	ps := eligibility.Regions()
	out := make([]Region, len(ps))
	for i, p := range ps {
		out[i] = Region{ID: p.ID, Name: p.Name}
	}
	return out
}

func (e eligibilityAdapter) Check(ctx context.Context, doc []byte) (CheckResult, error) {
	return e.check(ctx, doc, eligibility.BundledRegions())
}

func (e eligibilityAdapter) check(_ context.Context, doc []byte, set eligibility.RegionSet) (CheckResult, error) {
	h, err := eligibility.DecodeIn(bytes.NewReader(doc), set)
	var ie *eligibility.InputError
	if errors.As(err, &ie) {
		return CheckResult{}, &FieldError{Field: ie.Field, Msg: ie.Msg}
	}
	if err != nil {
		return CheckResult{}, err
	}
	r := eligibility.Check(h, e.hotline)
	out := CheckResult{
		Region: r.Region, Standard: r.StandardMonthly,
		PerCapitaA: r.PerCapita.BeforeRigid, PerCapitaB: r.PerCapita.AfterRigid,
		NextSteps: r.NextSteps, Disclaimer: r.Disclaimer,
	}
	if r.RegionName != "" {
		out.Region = r.RegionName
	}
	for _, p := range r.Programs {
		pc := ProgramCheck{Program: string(p.Program), Verdict: string(p.Verdict), Reasons: p.Reasons}
		for _, c := range p.Citations {
			line := "《" + eligibility.DocTitle(c.Doc) + "》" + c.Section
			if c.Borrowed {
				line += "（外地文件，仅作参考）"
			}
			pc.Citations = append(pc.Citations, line)
		}
		out.Programs = append(out.Programs, pc)
	}
	return out, nil
}

// HandoffsOf adapts the handoff desk.
func HandoffsOf(d *handoff.Desk) Handoffs { return handoffAdapter{d} }

type handoffAdapter struct{ d *handoff.Desk }

func ticketOf(t handoff.Ticket) Ticket {
	out := Ticket{
		ID: t.ID, Status: t.Status, Channel: t.Channel, ClaimedBy: t.ClaimedBy,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		// The chat id identifies the resident and is never shown; the
		// ticket number is how staff refer to the person.
		Resident: fmt.Sprintf("居民 #%d", t.ID),
	}
	switch t.Reason {
	case "unanswered":
		out.Topic = "机器人没能回答，转人工"
	default:
		out.Topic = "居民要求人工服务"
	}
	for _, m := range t.Messages {
		from := m.Author
		out.Messages = append(out.Messages, TicketMessage{From: from, Text: m.Text, At: m.CreatedAt})
	}
	return out
}

func handoffErr(err error) error {
	switch {
	case errors.Is(err, handoff.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, handoff.ErrClaimed), errors.Is(err, handoff.ErrClosed):
		return fmt.Errorf("%w: %w", ErrTicketState, err)
	case errors.Is(err, handoff.ErrEmptyReply):
		return errBadReply
	}
	return err
}

func (h handoffAdapter) ListTickets(ctx context.Context, status string) ([]Ticket, error) {
	ts, err := h.d.List(ctx, status)
	if err != nil {
		return nil, handoffErr(err)
	}
	out := make([]Ticket, len(ts))
	for i, t := range ts {
		out[i] = ticketOf(t)
	}
	return out, nil
}

func (h handoffAdapter) GetTicket(ctx context.Context, id int64) (Ticket, error) {
	t, err := h.d.Get(ctx, id)
	if err != nil {
		return Ticket{}, handoffErr(err)
	}
	return ticketOf(t), nil
}

func (h handoffAdapter) ClaimTicket(ctx context.Context, id int64, staff string) (Ticket, error) {
	t, err := h.d.Claim(ctx, id, staff)
	if err != nil {
		return Ticket{}, handoffErr(err)
	}
	return ticketOf(t), nil
}

// ReplyTicket stores the reply and sends it. When storing worked but
// delivery did not, the reply stays on the ticket (without a delivery
// time) and ErrNotDelivered says so.
func (h handoffAdapter) ReplyTicket(ctx context.Context, id int64, staff, text string) (Ticket, error) {
	m, err := h.d.Reply(ctx, id, staff, text)
	if err != nil && m.ID == 0 {
		return Ticket{}, handoffErr(err)
	}
	t, gerr := h.d.Get(ctx, id)
	if gerr != nil {
		return Ticket{}, handoffErr(gerr)
	}
	if err != nil {
		return ticketOf(t), fmt.Errorf("%w: %w", ErrNotDelivered, err)
	}
	return ticketOf(t), nil
}

func (h handoffAdapter) CloseTicket(ctx context.Context, id int64, staff string) (Ticket, error) {
	t, err := h.d.Close(ctx, id, staff)
	if err != nil {
		return Ticket{}, handoffErr(err)
	}
	return ticketOf(t), nil
}

// ErrNotDelivered means a staff reply was saved but did not reach the
// resident's chat.
var ErrNotDelivered = errors.New("reply saved but not delivered")

// QuestionsOf adapts the residents' question log; tz is the zone days are
// counted in.
func QuestionsOf(l *questions.Log, tz *time.Location) QuestionLog {
	if tz == nil {
		tz = config.DefaultTZ()
	}
	return questionsAdapter{l, tz}
}

type questionsAdapter struct {
	l  *questions.Log
	tz *time.Location
}

func (q questionsAdapter) DailyQuestions(ctx context.Context, since time.Time) ([]DayCount, error) {
	days := int(time.Since(since).Hours()/24) + 1
	ds, err := q.l.Daily(ctx, days, q.tz)
	if err != nil {
		return nil, err
	}
	out := make([]DayCount, 0, len(ds))
	for _, d := range ds {
		day, err := time.ParseInLocation(time.DateOnly, d.Date, q.tz)
		if err != nil {
			return nil, fmt.Errorf("question log day %q: %w", d.Date, err)
		}
		out = append(out, DayCount{Day: day, Total: d.Asked, Unanswered: d.Unanswered, Up: d.Liked, Down: d.Disliked})
	}
	return out, nil
}

// ProblemQuestions merges the unanswered and the disliked questions, the
// same wording counted once with how often it came.
func (q questionsAdapter) ProblemQuestions(ctx context.Context, limit int) ([]ProblemQuestion, error) {
	un, err := q.l.Unanswered(ctx, 500)
	if err != nil {
		return nil, err
	}
	dis, err := q.l.Disliked(ctx, 500)
	if err != nil {
		return nil, err
	}
	byText := map[string]*ProblemQuestion{}
	var order []string
	seen := map[int64]bool{}
	for _, e := range append(un, dis...) {
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		p, ok := byText[e.Question]
		if !ok {
			p = &ProblemQuestion{Question: e.Question, Answered: true}
			byText[e.Question] = p
			order = append(order, e.Question)
		}
		p.Count++
		p.Answered = p.Answered && e.Answered
		p.Disliked = p.Disliked || e.Feedback < 0
		if e.AskedAt.After(p.LastAt) {
			p.LastAt = e.AskedAt
		}
	}
	out := make([]ProblemQuestion, 0, len(order))
	for _, k := range order {
		out = append(out, *byText[k])
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].LastAt.After(out[j].LastAt)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
