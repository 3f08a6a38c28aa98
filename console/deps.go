package console

import (
	"context"
	"time"

	"github.com/safetynet/safetynet/chat"
	"github.com/safetynet/safetynet/knowledge"
)

// What the console needs from the other parts, declared here where it is
// used. Each is optional: a page whose part is not wired says so instead
// of failing, so the console can be deployed before every part is.

// Handoffs is the queue of residents who asked the bot for a person.
type Handoffs interface {
	ListTickets(ctx context.Context, status string) ([]Ticket, error)
	GetTicket(ctx context.Context, id int64) (Ticket, error)
	ClaimTicket(ctx context.Context, id int64, staff string) (Ticket, error)
	ReplyTicket(ctx context.Context, id int64, staff, text string) (Ticket, error)
	CloseTicket(ctx context.Context, id int64, staff string) (Ticket, error)
}

// Ticket is a handoff ticket as the console shows it: personal data in the
// conversation is already masked.
type Ticket struct {
	ID        int64           `json:"id"`
	Status    string          `json:"status"` // open | claimed | closed
	Channel   string          `json:"channel"`
	Resident  string          `json:"resident"` // a masked label, never a name or number
	Topic     string          `json:"topic"`
	ClaimedBy string          `json:"claimed_by"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	Messages  []TicketMessage `json:"messages"`
}

// TicketMessage is one line of the conversation.
type TicketMessage struct {
	From string    `json:"from"` // resident | bot | staff
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// QuestionLog is the residents' questions to the bot.
type QuestionLog interface {
	DailyQuestions(ctx context.Context, since time.Time) ([]DayCount, error)
	ProblemQuestions(ctx context.Context, limit int) ([]ProblemQuestion, error)
}

// DayCount is one day's questions: how many, how many went unanswered,
// and the thumbs given.
type DayCount struct {
	Day        time.Time `json:"day"`
	Total      int       `json:"total"`
	Unanswered int       `json:"unanswered"`
	Up         int       `json:"up"`
	Down       int       `json:"down"`
}

// ProblemQuestion is a question that went unanswered or got a 👎.
type ProblemQuestion struct {
	Question string    `json:"question"`
	Answered bool      `json:"answered"`
	Disliked bool      `json:"disliked"`
	Count    int       `json:"count"`
	LastAt   time.Time `json:"last_at"`
}

// Households is the outreach register as staff search it.
type Households interface {
	// FindHouseholds looks up by household id, or by a full national ID
	// number (matched by keyed hash; the number is never stored in clear).
	FindHouseholds(ctx context.Context, query string) ([]HouseholdSummary, error)
	// HouseholdDetail returns one household, masked, with its timeline.
	HouseholdDetail(ctx context.Context, id string) (HouseholdDetail, error)
	// FollowUps lists households that reminders did not reach or that did
	// not acknowledge them.
	FollowUps(ctx context.Context) ([]FollowUp, error)
}

// HouseholdSummary is a search hit, masked.
type HouseholdSummary struct {
	ID         string `json:"household_id"`
	HeadName   string `json:"head_name"`   // masked: 张**
	NationalID string `json:"national_id"` // masked: 5201**********123X
	Region     string `json:"region"`
	Program    string `json:"program"`
}

// HouseholdDetail is one household with its history.
type HouseholdDetail struct {
	HouseholdSummary
	Phone          string `json:"phone"` // masked
	Area           string `json:"area"`
	EnrolledOn     string `json:"enrolled_on"`
	NextReviewOn   string `json:"next_review_on"`
	PhaseoutEndsOn string `json:"phaseout_ends_on"`
	PledgeSignedOn string `json:"pledge_signed_on"`
	Bound          bool   `json:"bound"`     // a chat is bound
	OptedOut       bool   `json:"opted_out"` // sent /stop
	// SharesIDWith lists other households enrolled with the same ID number.
	SharesIDWith []string        `json:"shares_id_with,omitempty"`
	Timeline     []TimelineEvent `json:"timeline"`
}

// TimelineEvent is a reminder queued, a delivery, an acknowledgement, a
// pledge signed.
type TimelineEvent struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Detail string    `json:"detail"`
}

// FollowUp is a household for a call or a home visit.
type FollowUp struct {
	HouseholdID string    `json:"household_id"`
	HeadName    string    `json:"head_name"` // masked
	Phone       string    `json:"phone"`     // masked
	Region      string    `json:"region"`
	Reason      string    `json:"reason"` // unreachable | unacknowledged | pledge_unsigned
	Reminder    string    `json:"reminder"`
	Since       time.Time `json:"since"`
}

// Campaigns are the bureau's reminder campaigns.
type Campaigns interface {
	CampaignTemplates(ctx context.Context) ([]string, error)
	PreviewCampaign(ctx context.Context, spec CampaignSpec) (CampaignPreview, error)
	CreateCampaign(ctx context.Context, spec CampaignSpec, by string) (Campaign, error)
	ListCampaigns(ctx context.Context) ([]Campaign, error)
	GetCampaign(ctx context.Context, id int64) (Campaign, error)
	// StartCampaign queues a draft's messages; unless force, the draft
	// must have been test-sent to staff chats first (ErrNotTested).
	StartCampaign(ctx context.Context, id int64, by string, force bool) (Campaign, error)
	// TestSendCampaign sends the rendered messages to staff's own chats
	// first, so a mistake is seen by staff rather than by residents.
	TestSendCampaign(ctx context.Context, id int64, by string, chats []chat.Address) (int, error)
	PauseCampaign(ctx context.Context, id int64, by string) (Campaign, error)
	ResumeCampaign(ctx context.Context, id int64, by string) (Campaign, error)
	CancelCampaign(ctx context.Context, id int64, by string) (Campaign, error)
}

// CampaignSpec is what a bureau fills in.
type CampaignSpec struct {
	Name        string    `json:"name"`
	Region      string    `json:"region"`
	Area        string    `json:"area"`
	Program     string    `json:"program"`
	DueWithin   int       `json:"due_within_days"` // 0: no due window
	Template    string    `json:"template"`
	Text        string    `json:"text,omitempty"` // the bureau's own words, for the general notice template
	StartAt     time.Time `json:"start_at"`
	WindowStart string    `json:"window_start"` // HH:MM in the household's zone
	WindowEnd   string    `json:"window_end"`
	Rate        int       `json:"rate"` // messages a second
}

// CampaignPreview is how many households a spec reaches and a few rendered
// messages.
type CampaignPreview struct {
	Count   int      `json:"count"`
	Samples []string `json:"samples"`
}

// Campaign is a campaign with its progress by status.
type Campaign struct {
	ID        int64          `json:"id"`
	Name      string         `json:"name"`
	State     string         `json:"state"`  // draft | running | paused | done | cancelled
	Tested    bool           `json:"tested"` // test-sent to staff chats
	Reason    string         `json:"reason"`
	Spec      CampaignSpec   `json:"spec"`
	CreatedBy string         `json:"created_by"`
	CreatedAt time.Time      `json:"created_at"`
	Counts    map[string]int `json:"counts"` // queued, sent, failed, unreachable, acknowledged, opted_out
}

// Knowledge answers hotline staff's questions from the policy corpus and
// takes new documents.
type Knowledge interface {
	Suggest(ctx context.Context, question, region string) (knowledge.Answer, error)
	IngestFiles(ctx context.Context, paths []string) ([]IngestResult, error)
}

// IngestResult is what became of one uploaded file.
type IngestResult struct {
	File   string `json:"file"`
	Status string `json:"status"` // added | updated | unchanged | failed
	Chunks int    `json:"chunks"`
	Error  string `json:"error,omitempty"`
}

// Eligibility is the pre-check engine.
type Eligibility interface {
	Regions() []Region
	// Check runs the pre-check on one household JSON document; bad input
	// is an error whose message names the field.
	Check(ctx context.Context, household []byte) (CheckResult, error)
}

// Region is a region profile's id and name.
type Region struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// CheckResult is a pre-check result as the console shows it.
type CheckResult struct {
	Region     string         `json:"region"`
	Standard   float64        `json:"standard_monthly"`
	PerCapitaA float64        `json:"before_rigid"`
	PerCapitaB float64        `json:"after_rigid"`
	Programs   []ProgramCheck `json:"programs"`
	NextSteps  []string       `json:"next_steps"`
	Disclaimer string         `json:"disclaimer"`
}

// ProgramCheck is one program's verdict.
type ProgramCheck struct {
	Program   string   `json:"program"`
	Verdict   string   `json:"verdict"` // eligible | not_eligible | refer
	Reasons   []string `json:"reasons"`
	Citations []string `json:"citations"`
}
