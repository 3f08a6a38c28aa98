package eligibility

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/safetynet/safetynet/internal/config"
)

// Program names a kind of assistance.
type Program string

const (
	Dibao            Program = "dibao"
	DibaoExpenditure Program = "dibao_expenditure"
	DibaoPhaseout    Program = "dibao_phaseout"
	DibaoSingle      Program = "dibao_single"
	Tekun            Program = "tekun"
	LowIncome        Program = "low_income"
	Temporary        Program = "temporary"
)

// Programs lists every program in the order results carry them.
var Programs = []Program{Dibao, DibaoExpenditure, DibaoPhaseout, DibaoSingle, Tekun, LowIncome, Temporary}

// Verdict is the pre-check's answer for one program.
type Verdict string

const (
	Eligible    Verdict = "eligible"
	NotEligible Verdict = "not_eligible"
	Refer       Verdict = "refer" // a person must look at it; figures alone cannot say
)

// Citation points at the policy text behind a rule. Doc is the corpus file
// (for tests and tools); people and the JSON see the document's Title.
type Citation struct {
	Doc     string
	Section string
	Title   string
	// Borrowed: the document is another region's, cited because the
	// household's own region has none on this point (its profile marks the
	// value an example). The resident and staff are told so.
	Borrowed bool
}

// MarshalJSON writes the document by title, never by file name, and always
// says whether it is borrowed.
func (c Citation) MarshalJSON() ([]byte, error) {
	title := c.Title
	if title == "" {
		title = DocTitle(c.Doc)
	}
	return json.Marshal(struct {
		Doc      string `json:"doc"`
		Section  string `json:"section"`
		Borrowed bool   `json:"borrowed"`
	}{title, c.Section, c.Borrowed})
}

// docRegion is the region family each corpus document belongs to (the
// part of a region id before its year): 刚察县 is in Qinghai.
var docRegion = map[string]string{
	docQinghai:  "qinghai",
	docGongxian: "gongxian",
	docGangcha:  "qinghai",
	docGuizhou:  "guizhou",
}

// ownDocument tells whether doc belongs to the region of profile p: it is
// of the same region family, or p cites it as a real (not example) source.
func ownDocument(p Profile, doc string) bool {
	family, _, _ := strings.Cut(p.ID, "-")
	if r, ok := docRegion[doc]; ok && r == family {
		return true
	}
	for _, s := range p.Sources {
		if !s.Example && s.Doc == doc {
			return true
		}
	}
	return false
}

// localise titles each citation, marks those from other regions'
// documents as borrowed and puts the region's own first.
func localise(list []Citation, p Profile) []Citation {
	out := make([]Citation, 0, len(list))
	for _, c := range list {
		c.Title = DocTitle(c.Doc)
		c.Borrowed = !ownDocument(p, c.Doc)
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool { return !out[i].Borrowed && out[j].Borrowed })
	return out
}

// ProgramResult is the verdict for one program with what it rests on.
type ProgramResult struct {
	Program   Program            `json:"program"`
	Verdict   Verdict            `json:"verdict"`
	Reasons   []string           `json:"reasons"`
	Citations []Citation         `json:"citations"`
	MonthsMin *int               `json:"months_min,omitempty"` // dibao_phaseout only
	MonthsMax *int               `json:"months_max,omitempty"` // dibao_phaseout only; nil = open
	Members   []int              `json:"members,omitempty"`    // dibao_single and tekun only
	Figures   map[string]float64 `json:"figures"`
}

// MarshalJSON always writes months_min/months_max (max may be null) for the
// phase-out and members (maybe empty) for single and tekun, and neither
// for the others, as the spec's output shows.
func (p ProgramResult) MarshalJSON() ([]byte, error) {
	type common struct {
		Program   Program            `json:"program"`
		Verdict   Verdict            `json:"verdict"`
		Reasons   []string           `json:"reasons"`
		Citations []Citation         `json:"citations"`
		Figures   map[string]float64 `json:"figures"`
	}
	c := common{p.Program, p.Verdict, p.Reasons, p.Citations, p.Figures}
	switch p.Program {
	case DibaoPhaseout:
		return json.Marshal(struct {
			common
			MonthsMin *int `json:"months_min"`
			MonthsMax *int `json:"months_max"`
		}{c, p.MonthsMin, p.MonthsMax})
	case DibaoSingle, Tekun:
		m := p.Members
		if m == nil {
			m = []int{}
		}
		return json.Marshal(struct {
			common
			Members []int `json:"members"`
		}{c, m})
	}
	return json.Marshal(c)
}

// PerCapita are the household's monthly incomes per person: A before and B
// after rigid expenses, both after employment costs.
type PerCapita struct {
	BeforeRigid float64 `json:"before_rigid"`
	AfterRigid  float64 `json:"after_rigid"`
}

// Result is the whole pre-check.
type Result struct {
	Region          string  `json:"region"`
	RegionName      string  `json:"region_name,omitempty"`
	Area            Area    `json:"area"`
	StandardMonthly float64 `json:"standard_monthly"`
	// StandardExample: the region profile marks this standard as an example
	// value the bureau has yet to set, so the figures are illustrative.
	StandardExample bool            `json:"standard_example,omitempty"`
	PerCapita       PerCapita       `json:"per_capita"`
	CountedIncome   []float64       `json:"counted_income"` // per member, after imputation
	Programs        []ProgramResult `json:"programs"`
	NextSteps       []string        `json:"next_steps"`
	// Bring lists the papers to bring, one an item (also said in a step).
	Bring      []string `json:"bring,omitempty"`
	Disclaimer string   `json:"disclaimer"`
}

// Program returns the result for p; every Result has all of them.
func (r Result) Program(p Program) ProgramResult {
	for _, pr := range r.Programs {
		if pr.Program == p {
			return pr
		}
	}
	return ProgramResult{Program: p}
}

// DefaultHotline is used when none is configured.
const DefaultHotline = config.DefaultHotline

// Corpus documents the citations point at (file base names).
const (
	docQinghai  = "000_af371565f628b411.txt"
	docGongxian = "001_5a044e6a7ae10426.txt"
	docGangcha  = "002_7906d49b427e11db.txt"
	docGuizhou  = "004_f3d72d4f8696011b.txt"
)

// docTitles are the short names residents see in place of file names.
var docTitles = map[string]string{
	docQinghai:  "青海省民政厅十二项衔接措施（2021）",
	docGongxian: "珙县兜底保障试点工作方案（2020）",
	docGangcha:  "刚察县民政“十四五”思路（2023）",
	docGuizhou:  "贵州省民政兜底脱贫三年行动计划（2018）",
}

// DocTitle names a cited document for people; the file name when unknown.
func DocTitle(doc string) string {
	if t, ok := docTitles[doc]; ok {
		return t
	}
	return doc
}

var (
	citeIncomeRules   = Citation{Doc: docGongxian, Section: "二、(一) 3."}  // deductions, caregivers not imputed, expenditure dibao
	citeDeductionsGZ  = Citation{Doc: docGuizhou, Section: "三、(一) 2."}   // employment costs and illness costs deducted
	citeEmploymentQH  = Citation{Doc: docQinghai, Section: "一、"}         // employment costs deducted; phase-out ≥ 1 year; single-person
	citeLowIncomeQH   = Citation{Doc: docQinghai, Section: "四、"}         // low-income = 2× standard; tekun scope; temporary
	citePhaseoutGX    = Citation{Doc: docGongxian, Section: "二、(一) 1."}  // phase-out 3–12 months up to 2× standard
	citePhaseoutLong  = Citation{Doc: docGongxian, Section: "二、(三) 11."} // phase-out before leaving assistance
	citeSingleGX      = Citation{Doc: docGongxian, Section: "二、(一) 2."}
	citeGangchaBasic  = Citation{Doc: docGangcha, Section: "三、(一) 2."} // low-income severe disability/illness; tekun minors to 18; expenditure households
	citeTekunGX       = Citation{Doc: docGongxian, Section: "二、(一) 4."}
	citeTemporaryGX   = Citation{Doc: docGongxian, Section: "二、(一) 5."}
	citeTownConfirmGX = Citation{Doc: docGongxian, Section: "三、(二)"}
)

// Check runs every program's rule on a valid household. hotline is where
// residents are pointed when nothing fits ("" means DefaultHotline).
func Check(h Household, hotline string) Result {
	if hotline == "" {
		hotline = DefaultHotline
	}
	reg := h.Region
	S := reg.Standard(h.Area)
	n := float64(len(h.Members))

	counted := make([]float64, len(h.Members))
	imputed := []int{}
	gross := 0.0
	for i, m := range h.Members {
		counted[i] = m.MonthlyIncome
		if imputable(m, reg) && m.MonthlyIncome < reg.MinWageMonthly {
			counted[i] = reg.MinWageMonthly
			imputed = append(imputed, i)
		}
		gross += counted[i]
	}
	A := round2(math.Max(0, (gross-h.MonthlyEmploymentCosts)/n))
	B := round2(math.Max(0, (gross-h.MonthlyEmploymentCosts-h.MonthlyRigidExpenses)/n))
	lowLine := round2(reg.LowIncomeMultiplier * S)
	capLine := round2(reg.PhaseoutCapMultiple * S)

	c := checker{h: h, S: S, A: A, B: B, lowLine: lowLine, capLine: capLine, imputed: imputed}
	res := Result{
		Region:          reg.ID,
		RegionName:      reg.Name,
		Area:            h.Area,
		StandardMonthly: S,
		StandardExample: reg.Sources["dibao_standard_monthly."+string(h.Area)].Example,
		PerCapita:       PerCapita{BeforeRigid: A, AfterRigid: B},
		CountedIncome:   roundAll(counted),
	}
	dibao := c.dibao()
	exp := c.expenditure()
	res.Programs = []ProgramResult{dibao, exp, c.phaseout(), c.single(), c.tekun(), c.lowIncome(), c.temporary()}
	for i := range res.Programs {
		res.Programs[i].Citations = localise(res.Programs[i].Citations, reg)
	}
	res.NextSteps, res.Bring = nextSteps(h, res, hotline)
	res.Disclaimer = disclaimer
	return res
}

// imputable: an able adult of working age who could work but does not is
// counted at the minimum wage; carers, students and the ill are not [001].
func imputable(m Member, reg Profile) bool {
	return m.Age >= reg.WorkingAge.Min && m.Age <= reg.WorkingAge.Max &&
		m.LaborCapacity == LaborFull && !m.Employed && !m.Student && !m.Caregiving &&
		!m.SeriousIllness && (m.Disability == DisabilityNone || m.Disability == DisabilityMild)
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func roundAll(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = round2(x)
	}
	return out
}

type checker struct {
	h                         Household
	S, A, B, lowLine, capLine float64
	imputed                   []int
}

func (c checker) dibaoEligible() bool       { return c.A < c.S }
func (c checker) expenditureEligible() bool { return c.A >= c.S && c.B < c.S }

func (c checker) standardCitations(extra ...Citation) []Citation {
	out := append([]Citation{}, extra...)
	key := "dibao_standard_monthly." + string(c.h.Area)
	if s, ok := c.h.Region.Sources[key]; ok && !s.Example && s.Doc != "" {
		out = appendCite(out, Citation{Doc: s.Doc, Section: s.Section})
	}
	return out
}

func appendCite(list []Citation, c Citation) []Citation {
	for _, x := range list {
		if x == c {
			return list
		}
	}
	return append(list, c)
}

func (c checker) dibao() ProgramResult {
	p := ProgramResult{Program: Dibao, Figures: map[string]float64{"S": c.S, "A": c.A, "B": c.B}}
	p.Citations = c.standardCitations(citeIncomeRules, citeDeductionsGZ, citeEmploymentQH)
	if c.dibaoEligible() {
		p.Verdict = Eligible
		p.Reasons = append(p.Reasons, "家庭人均月收入 "+yuan(c.A)+"，低于当地低保标准 "+yuan(c.S)+"，可能符合低保条件。")
	} else {
		p.Verdict = NotEligible
		p.Reasons = append(p.Reasons, "家庭人均月收入 "+yuan(c.A)+"，"+notBelow(c.A, c.S)+"当地低保标准 "+yuan(c.S)+"，按收入看暂不符合普通低保。")
	}
	p.Reasons = append(p.Reasons, c.incomeNotes()...)
	return p
}

// incomeNotes explains how the per-capita income was reached, so a
// resident can check the arithmetic themselves.
func (c checker) incomeNotes() []string {
	var out []string
	for _, i := range c.imputed {
		out = append(out, "第 "+strconv.Itoa(i+1)+" 位家人在劳动年龄内、能干活但没有工作，收入按当地最低工资 "+yuan(c.h.Region.MinWageMonthly)+"计算。")
	}
	if c.h.MonthlyEmploymentCosts > 0 {
		out = append(out, "已扣除外出工作的必要花费（交通、吃饭、通信）每月 "+yuan(c.h.MonthlyEmploymentCosts)+"。")
	}
	for i, m := range c.h.Members {
		if m.Caregiving && m.Age >= c.h.Region.WorkingAge.Min && m.Age <= c.h.Region.WorkingAge.Max && !m.Employed {
			out = append(out, "第 "+strconv.Itoa(i+1)+" 位家人因照顾家人没有工作，不按最低工资算收入。")
		}
	}
	return out
}

func notBelow(x, line float64) string {
	if x == line {
		return "等于"
	}
	return "高于"
}

func (c checker) expenditure() ProgramResult {
	p := ProgramResult{Program: DibaoExpenditure, Figures: map[string]float64{"S": c.S, "A": c.A, "B": c.B, "rigid_expenses": round2(c.h.MonthlyRigidExpenses)}}
	p.Citations = c.standardCitations(citeIncomeRules, citeGangchaBasic)
	switch {
	case c.dibaoEligible():
		p.Verdict = NotEligible
		p.Reasons = []string{"不扣刚性支出时收入已低于标准，按普通低保申请即可，不需要走支出型低保。"}
	case c.expenditureEligible():
		p.Verdict = Eligible
		p.Reasons = []string{"人均月收入 " + yuan(c.A) + "高于标准 " + yuan(c.S) + "，但扣除看病、残疾、上学等刚性支出每月 " + yuan(c.h.MonthlyRigidExpenses) + "后，人均只剩 " + yuan(c.B) + "，低于标准，可能符合支出型贫困低保。"}
	case c.h.MonthlyRigidExpenses > 0:
		p.Verdict = NotEligible
		p.Reasons = []string{"扣除刚性支出每月 " + yuan(c.h.MonthlyRigidExpenses) + "后，人均月收入 " + yuan(c.B) + "仍" + notBelow(c.B, c.S) + "标准 " + yuan(c.S) + "。"}
	default:
		p.Verdict = NotEligible
		p.Reasons = []string{"没有填看病、残疾、上学等刚性支出，人均月收入 " + yuan(c.B) + notBelow(c.B, c.S) + "标准 " + yuan(c.S) + "。"}
	}
	return p
}

func (c checker) phaseout() ProgramResult {
	reg := c.h.Region
	minM := reg.PhaseoutMonths.Min
	var maxM *int
	if reg.PhaseoutMonths.Max != nil {
		v := *reg.PhaseoutMonths.Max
		maxM = &v
	}
	p := ProgramResult{Program: DibaoPhaseout, MonthsMin: &minM, MonthsMax: maxM,
		Figures:   map[string]float64{"S": c.S, "B": c.B, "phaseout_cap": c.capLine},
		Citations: []Citation{citePhaseoutGX, citeEmploymentQH, citePhaseoutLong},
	}
	switch {
	case c.h.CurrentProgram != CurrentDibao:
		p.Verdict = NotEligible
		p.Reasons = []string{"渐退只适用于正在领取低保、收入好转的家庭；您家目前没有领取低保。"}
	case c.B < c.S:
		p.Verdict = NotEligible
		p.Reasons = []string{"人均月收入 " + yuan(c.B) + "仍低于标准 " + yuan(c.S) + "，可以继续享受低保，不需要渐退。"}
	case c.B <= c.capLine:
		p.Verdict = Eligible
		p.Reasons = []string{"人均月收入 " + yuan(c.B) + "已超过标准 " + yuan(c.S) + "，但没有超过 " + yuan(c.capLine) + "（标准的 " + num(reg.PhaseoutCapMultiple) + " 倍），低保不会马上停，还有一段渐退期（" + monthsText(minM, maxM) + "），帮助生活稳下来。"}
	default:
		p.Verdict = NotEligible
		p.Reasons = []string{"人均月收入 " + yuan(c.B) + "高于渐退上限 " + yuan(c.capLine) + "（标准的 " + num(reg.PhaseoutCapMultiple) + " 倍），家庭将退出低保。恭喜生活有了好转；如果以后又遇到困难，可以再申请。"}
	}
	return p
}

func monthsText(min int, max *int) string {
	if max == nil {
		return "至少 " + strconv.Itoa(min) + " 个月"
	}
	if *max == min {
		return strconv.Itoa(min) + " 个月"
	}
	return strconv.Itoa(min) + " 到 " + strconv.Itoa(*max) + " 个月"
}

func (c checker) lowIncome() ProgramResult {
	p := ProgramResult{Program: LowIncome, Figures: map[string]float64{"S": c.S, "B": c.B, "low_income_line": c.lowLine},
		Citations: []Citation{citeLowIncomeQH, citeGangchaBasic}}
	switch {
	case c.dibaoEligible() || c.expenditureEligible():
		p.Verdict = NotEligible
		p.Reasons = []string{"家庭可能符合低保，低保的保障更多，不必再按低收入家庭认定。"}
	case c.B <= c.lowLine:
		p.Verdict = Eligible
		p.Reasons = []string{"人均月收入 " + yuan(c.B) + "高于低保标准 " + yuan(c.S) + "，但不超过低收入家庭认定线 " + yuan(c.lowLine) + "（标准的 " + num(c.h.Region.LowIncomeMultiplier) + " 倍），可能被认定为低收入家庭（低保边缘家庭），可以申请医疗、教育、住房等专项救助。"}
	default:
		p.Verdict = NotEligible
		p.Reasons = []string{"人均月收入 " + yuan(c.B) + "高于低收入家庭认定线 " + yuan(c.lowLine) + "（低保标准的 " + num(c.h.Region.LowIncomeMultiplier) + " 倍）。"}
	}
	return p
}

func (c checker) single() ProgramResult {
	reg := c.h.Region
	p := ProgramResult{Program: DibaoSingle, Members: []int{}, Figures: map[string]float64{"S": c.S, "B": c.B, "low_income_line": c.lowLine},
		Citations: []Citation{citeEmploymentQH, citeSingleGX, citeGangchaBasic}}
	if c.dibaoEligible() || c.expenditureEligible() {
		p.Verdict = NotEligible
		p.Reasons = []string{"全家可能一起纳入低保，不需要单独为某一个人申请。"}
		return p
	}
	if c.B > c.lowLine {
		p.Verdict = NotEligible
		p.Reasons = []string{"单人户只适用于低收入家庭；人均月收入 " + yuan(c.B) + "高于认定线 " + yuan(c.lowLine) + "。"}
		return p
	}
	for i, m := range c.h.Members {
		var why string
		switch {
		case m.Disability == DisabilitySevere:
			why = "有重度残疾"
		case m.SeriousIllness:
			why = "患有重病"
		case m.Age >= reg.ElderlyAge && m.LaborCapacity == LaborNone:
			why = "是没有劳动能力的老人"
		default:
			continue
		}
		p.Members = append(p.Members, i)
		p.Reasons = append(p.Reasons, "第 "+strconv.Itoa(i+1)+" 位家人"+why+"，可以按“单人户”单独纳入低保。")
	}
	if len(p.Members) > 0 {
		p.Verdict = Eligible
		p.Reasons = append(p.Reasons, "家庭人均月收入 "+yuan(c.B)+"不超过低收入家庭认定线 "+yuan(c.lowLine)+"。")
	} else {
		p.Verdict = NotEligible
		p.Reasons = []string{"家里没有重度残疾、重病或没有劳动能力的老人，单人户政策用不上。"}
	}
	return p
}

func (c checker) tekun() ProgramResult {
	reg := c.h.Region
	p := ProgramResult{Program: Tekun, Members: []int{}, Figures: map[string]float64{"S": c.S, "tekun_minor_age": float64(reg.TekunMinorAge)},
		Citations: []Citation{citeTekunGX, citeGangchaBasic, citeLowIncomeQH}}
	var near []string
	for i, m := range c.h.Members {
		noLabor := m.LaborCapacity == LaborNone || m.Age < reg.TekunMinorAge
		if !noLabor {
			continue
		}
		who := "第 " + strconv.Itoa(i+1) + " 位家人"
		switch {
		case m.MonthlyIncome >= c.S:
			near = append(near, who+"自己的月收入 "+yuan(m.MonthlyIncome)+"不低于标准 "+yuan(c.S)+"。")
		case m.Supporters == SupportersAble:
			near = append(near, who+"有能供养他（她）的父母、子女或配偶，暂不属于特困人员。")
		default:
			p.Members = append(p.Members, i)
			kind := "没有劳动能力"
			if m.Age < reg.TekunMinorAge {
				kind = "是未满 " + strconv.Itoa(reg.TekunMinorAge) + " 周岁的孩子"
			}
			sup := "没有法定赡养、抚养、扶养人"
			if m.Supporters == SupportersUnable {
				sup = "法定赡养、抚养、扶养人没有能力供养"
			}
			p.Reasons = append(p.Reasons, who+kind+"，自己的月收入 "+yuan(m.MonthlyIncome)+"低于标准 "+yuan(c.S)+"，而且"+sup+"，可能符合特困人员救助供养。")
		}
	}
	if len(p.Members) > 0 {
		p.Verdict = Eligible
		return p
	}
	p.Verdict = NotEligible
	if len(near) == 0 {
		p.Reasons = []string{"特困供养针对没有劳动能力（或未满 " + strconv.Itoa(reg.TekunMinorAge) + " 周岁）、没有收入来源、又没有人供养的人；家里没有这样的成员。"}
	} else {
		p.Reasons = near
	}
	return p
}

func (c checker) temporary() ProgramResult {
	limit := c.h.Region.TemporaryTownLimit
	p := ProgramResult{Program: Temporary, Figures: map[string]float64{"sudden_expense": round2(c.h.SuddenExpense), "temporary_town_limit": limit},
		Citations: []Citation{citeTemporaryGX, citeLowIncomeQH}}
	if !c.h.SuddenHardship {
		p.Verdict = NotEligible
		p.Reasons = []string{"没有填写突发困难。如果遇到意外、灾害、急病等突然的困难，可以随时申请临时救助。"}
		return p
	}
	p.Verdict = Refer
	p.Reasons = []string{"家里遇到了突发困难，可以申请临时救助，金额要由工作人员根据实际情况核定。"}
	switch {
	case c.h.SuddenExpense > 0 && c.h.SuddenExpense <= limit:
		p.Citations = append(p.Citations, citeTownConfirmGX)
		p.Reasons = append(p.Reasons, "这次花费 "+yuan(c.h.SuddenExpense)+"，不超过 "+yuan(limit)+"，乡镇（街道）就可以确认，办理会快一些。")
	case c.h.SuddenExpense > limit:
		p.Citations = append(p.Citations, citeTownConfirmGX)
		p.Reasons = append(p.Reasons, "这次花费 "+yuan(c.h.SuddenExpense)+"，超过乡镇可确认的 "+yuan(limit)+"，需要报县级民政部门审批。")
	}
	return p
}

// yuan formats money the way people say it: "375 元", "466.67 元".
func yuan(x float64) string { return fmtYuan(x) + " 元" }

func fmtYuan(x float64) string {
	x = round2(x)
	if x == math.Trunc(x) {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
