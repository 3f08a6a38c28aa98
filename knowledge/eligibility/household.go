// Package eligibility is the pre-check rules engine: it tells a household
// which assistance programs it probably qualifies for, with the figures,
// the reasons and the policy text behind each verdict. It is pure Go — no
// database, no network — so the CLI, the HTTP API and the chat wizard all
// share exactly one implementation of the rules in spec/eligibility.md.
package eligibility

// Area selects which local standard applies.
type Area string

const (
	Urban Area = "urban"
	Rural Area = "rural"
)

// Labor is a member's capacity to work.
type Labor string

const (
	LaborFull    Labor = "full"
	LaborPartial Labor = "partial"
	LaborNone    Labor = "none"
)

// Disability is the level of a member's disability.
type Disability string

const (
	DisabilityNone     Disability = "none"
	DisabilityMild     Disability = "mild"
	DisabilityModerate Disability = "moderate"
	DisabilitySevere   Disability = "severe"
)

// Supporters describes a member's legally obliged supporters.
type Supporters string

const (
	SupportersAble   Supporters = "able"
	SupportersUnable Supporters = "unable"
	SupportersNone   Supporters = "none"
)

// CurrentProgram is what the household receives today.
type CurrentProgram string

const (
	CurrentNone      CurrentProgram = "none"
	CurrentDibao     CurrentProgram = "dibao"
	CurrentTekun     CurrentProgram = "tekun"
	CurrentLowIncome CurrentProgram = "low_income"
)

// Member is one person who lives and eats with the household.
type Member struct {
	Relation       string     `json:"relation,omitempty"`
	Age            int        `json:"age"`
	MonthlyIncome  float64    `json:"monthly_income"`
	Employed       bool       `json:"employed"`
	LaborCapacity  Labor      `json:"labor_capacity"`
	Disability     Disability `json:"disability"`
	SeriousIllness bool       `json:"serious_illness"`
	Student        bool       `json:"student"`
	Caregiving     bool       `json:"caregiving"`
	Supporters     Supporters `json:"supporters"`
}

// NewMember returns a member with the schema's defaults, so code that builds
// households (the wizard, tests) starts from the same place as decoded JSON.
func NewMember(age int) Member {
	return Member{Age: age, LaborCapacity: LaborFull, Disability: DisabilityNone, Supporters: SupportersAble}
}

// Household is a validated household with its region resolved. Build it
// with Decode, or by hand followed by Validate.
type Household struct {
	Region                 Profile        `json:"region"`
	Area                   Area           `json:"area"`
	Members                []Member       `json:"members"`
	MonthlyRigidExpenses   float64        `json:"monthly_rigid_expenses"`
	MonthlyEmploymentCosts float64        `json:"monthly_employment_costs"`
	CurrentProgram         CurrentProgram `json:"current_program"`
	SuddenHardship         bool           `json:"sudden_hardship"`
	SuddenExpense          float64        `json:"sudden_expense"`
}
