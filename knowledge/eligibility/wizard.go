package eligibility

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/safetynet/safetynet/knowledge/place"
)

// Wizard walks a resident through the pre-check one question at a time.
// It is a pure state machine: the channel (Telegram, web chat) stores the
// WizardState wherever it likes — PostgreSQL, so a restart loses nothing —
// and hands it back with the next message.
type Wizard struct {
	// DefaultRegion, when it names a region of Regions, skips the region question.
	DefaultRegion string
	// Hotline is shown when nothing fits or questions remain ("" = DefaultHotline).
	Hotline string
	// Regions are the profiles the wizard offers and computes with: the
	// bureau's, in force today (Store.InForce), handed in by the caller so
	// the wizard stays free of the database. The zero value means the
	// bundled profiles.
	Regions RegionSet
}

// regions is the set the wizard works with.
func (w *Wizard) regions() RegionSet {
	if w.Regions.byID == nil {
		return BundledRegions()
	}
	return w.Regions
}

// WizardState is everything the wizard knows about one conversation. It
// holds only the accepted answers, in canonical form; the current question
// is derived by replaying them, so "back" is dropping the last answer.
type WizardState struct {
	Version int      `json:"v"`
	Region  string   `json:"region,omitempty"` // fixed at start when a default region applies
	Answers []string `json:"answers"`
	Done    bool     `json:"done,omitempty"`
}

// Choice is one button a channel may show.
type Choice struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Prompt is what to send the resident next.
type Prompt struct {
	Key     string   `json:"key,omitempty"` // the question asked, e.g. "age/0"; empty when done
	Text    string   `json:"text"`
	Choices []Choice `json:"choices,omitempty"`
}

// ErrWizardState means a stored state could not be replayed (corrupted, or
// the regions changed under it). Step then returns a fresh start.
var ErrWizardState = errors.New("wizard state cannot be replayed")

const wizardVersion = 1

// IsCancel reports whether the resident wants to stop; the channel ends the
// conversation and drops the state.
func IsCancel(input string) bool {
	switch strings.ToLower(normalize(input)) {
	case "取消", "退出", "不测了", "算了", "结束", "/cancel", "cancel", "/stop":
		return true
	}
	return false
}

func isBack(in string) bool {
	switch strings.ToLower(normalize(in)) {
	case "上一步", "返回", "后退", "上一题", "back", "/back":
		return true
	}
	return false
}

func isRestart(in string) bool {
	switch strings.ToLower(normalize(in)) {
	case "重新开始", "重来", "再测一次", "/restart", "restart":
		return true
	}
	return false
}

// Start begins a conversation.
func (w *Wizard) Start() (WizardState, Prompt) {
	st := WizardState{Version: wizardVersion, Answers: []string{}}
	if _, err := w.regions().Profile(w.DefaultRegion); err == nil {
		st.Region = w.DefaultRegion
	}
	d := w.newDraft(st.Region)
	q := w.next(d)
	p := q.prompt(d)
	p.Text = "您好！我来帮您初步测算一下，家里可能符合哪些救助政策。大概需要回答十几个问题，随时可以回复「上一步」修改，回复「取消」结束。\n\n" + p.Text
	return st, p
}

// Step takes the resident's reply. It returns the new state and the next
// prompt; when the last question is answered it also returns the Result,
// and the prompt's text is the full report. A reply the wizard cannot read
// re-asks the same question with a hint. error is only ErrWizardState.
func (w *Wizard) Step(st WizardState, input string) (WizardState, Prompt, *Result, error) {
	if isRestart(input) {
		ns, p := w.Start()
		return ns, p, nil, nil
	}
	if st.Version != wizardVersion {
		ns, p := w.Start()
		return ns, p, nil, fmt.Errorf("version %d: %w", st.Version, ErrWizardState)
	}
	d, err := w.replay(st)
	if err != nil {
		ns, p := w.Start()
		p.Text = "抱歉，刚才的记录找不到了，我们重新开始吧。\n\n" + p.Text
		return ns, p, nil, err
	}
	if isBack(input) {
		if len(st.Answers) == 0 {
			q := w.next(d)
			p := q.prompt(d)
			p.Text = "已经是第一个问题了。\n" + p.Text
			return st, p, nil, nil
		}
		ns := WizardState{Version: st.Version, Region: st.Region, Answers: append([]string{}, st.Answers[:len(st.Answers)-1]...)}
		d, err := w.replay(ns)
		if err != nil {
			fresh, p := w.Start()
			return fresh, p, nil, err
		}
		q := w.next(d)
		p := q.prompt(d)
		p.Text = "好的，我们回到上一个问题。\n" + p.Text
		return ns, p, nil, nil
	}
	if st.Done {
		return st, Prompt{Text: "测算已经完成。想重新测一次请回复「重新开始」，想改最后一个回答请回复「上一步」。",
			Choices: []Choice{{"重新开始", "重新开始"}, {"上一步", "上一步"}}}, nil, nil
	}

	q := w.next(d)
	canon, err := q.accept(d, input)
	if err != nil {
		p := q.prompt(d)
		hint := q.hint
		var vague *VagueAmountError
		if errors.As(err, &vague) {
			// A rough figure is an answer, just not one to compute with:
			// ask for a figure in its range rather than repeat the hint.
			hint = fmt.Sprintf("“%s”大约在 %s 到 %s 元之间，请说一个具体的数（比如 %s），说不准就说估计的数。",
				vague.Input, fmtYuan(vague.Low), fmtYuan(vague.High), fmtYuan(math.Round((vague.Low+vague.High)/2)))
		}
		p.Text = hint + "\n" + p.Text
		return st, p, nil, nil
	}
	d.asked[q.key] = true
	ns := WizardState{Version: st.Version, Region: st.Region, Answers: append(append([]string{}, st.Answers...), canon)}

	if nq := w.next(d); nq != nil {
		return ns, nq.prompt(d), nil, nil
	}
	h, err := d.household()
	if err != nil {
		fresh, p := w.Start()
		return fresh, p, nil, fmt.Errorf("build household: %v: %w", err, ErrWizardState)
	}
	res := Check(h, w.Hotline)
	ns.Done = true
	return ns, Prompt{Text: res.Text()}, &res, nil
}

// Resume repeats the current question of a stored conversation, for a
// channel that lost the last message or a resident who comes back later.
func (w *Wizard) Resume(st WizardState) (Prompt, error) {
	if st.Version != wizardVersion {
		return Prompt{}, fmt.Errorf("version %d: %w", st.Version, ErrWizardState)
	}
	d, err := w.replay(st)
	if err != nil {
		return Prompt{}, err
	}
	q := w.next(d)
	if q == nil {
		h, err := d.household()
		if err != nil {
			return Prompt{}, fmt.Errorf("build household: %v: %w", err, ErrWizardState)
		}
		return Prompt{Text: Check(h, w.Hotline).Text()}, nil
	}
	p := q.prompt(d)
	p.Text = "我们接着上次的问题：\n" + p.Text
	return p, nil
}

// Household rebuilds the household answered so far in a finished state, so
// a channel can keep it or hand it to staff.
func (w *Wizard) Household(st WizardState) (Household, error) {
	d, err := w.replay(st)
	if err != nil {
		return Household{}, err
	}
	if w.next(d) != nil {
		return Household{}, fmt.Errorf("not finished: %w", ErrWizardState)
	}
	return d.household()
}

func (w *Wizard) replay(st WizardState) (*draft, error) {
	if st.Region != "" {
		if _, err := w.regions().Profile(st.Region); err != nil {
			return nil, fmt.Errorf("region %q: %w", st.Region, ErrWizardState)
		}
	}
	d := w.newDraft(st.Region)
	for i, a := range st.Answers {
		q := w.next(d)
		if q == nil {
			return nil, fmt.Errorf("answer %d: no question left: %w", i, ErrWizardState)
		}
		if _, err := q.accept(d, a); err != nil {
			return nil, fmt.Errorf("answer %d to %s: %w", i, q.key, ErrWizardState)
		}
		d.asked[q.key] = true
	}
	return d, nil
}

// draft is the household as far as it has been answered.
type draft struct {
	region    Profile
	hasRegion bool
	area      Area
	count     int
	members   []Member
	rigid     float64
	empCosts  float64
	current   CurrentProgram
	hardship  bool
	expense   float64
	asked     map[string]bool
}

func (w *Wizard) newDraft(region string) *draft {
	d := &draft{asked: map[string]bool{}, current: CurrentNone}
	if p, err := w.regions().Profile(region); err == nil {
		d.region, d.hasRegion = p, true
	}
	return d
}

func (d *draft) household() (Household, error) {
	h := Household{Region: d.region, Area: d.area, Members: d.members, MonthlyRigidExpenses: d.rigid,
		MonthlyEmploymentCosts: d.empCosts, CurrentProgram: d.current, SuddenHardship: d.hardship, SuddenExpense: d.expense}
	return h, h.Validate()
}

func (d *draft) workingAge(m Member) bool {
	return m.Age >= d.region.WorkingAge.Min && m.Age <= d.region.WorkingAge.Max
}

// question is one thing to ask. accept parses a reply, records it in the
// draft and returns its canonical form, which accept reads back on replay.
type question struct {
	key     string
	text    string
	choices []Choice
	hint    string
	accept  func(d *draft, in string) (string, error)
}

func (q *question) prompt(*draft) Prompt {
	return Prompt{Key: q.key, Text: q.text, Choices: q.choices}
}

const (
	hintAmount = "抱歉，没看懂这个金额。请输入数字，比如 1500；没有就回复「没有」。"
	hintAge    = "请输入年龄数字，比如 70。不满一岁的孩子填 0。"
	hintCount  = "请输入家里一起生活、一起吃饭的人数，比如 3（1 到 30 之间）。"
	hintYesNo  = "请回复「是」或「否」。"
	hintChoice = "请从下面的选项里选一个，也可以回复前面的数字。"
	hintRegion = "请从下面的选项里选一个，也可以回复前面的数字或您家所在的县、市。暂时只有这几个地区的标准。"
)

var yesNo = []Choice{{"是", "是"}, {"否", "否"}}

func yesNoAnswer(set func(d *draft, v bool)) func(d *draft, in string) (string, error) {
	return func(d *draft, in string) (string, error) {
		v, err := ParseYesNo(in)
		if err != nil {
			return "", err
		}
		set(d, v)
		if v {
			return "是", nil
		}
		return "否", nil
	}
}

func amountAnswer(set func(d *draft, v float64)) func(d *draft, in string) (string, error) {
	return func(d *draft, in string) (string, error) {
		v, err := ParseAmount(in)
		if err != nil {
			return "", err
		}
		set(d, v)
		return fmtYuan(v), nil
	}
}

// placeAnswer accepts, besides what choose accepts, a reply that names a
// place inside exactly one choice's ("刚察县" for 青海省, "我家在珙县"
// for 四川省宜宾市珙县): people answer with where they live, not with the
// wording of the list. A place that holds a choice's ("宜宾", "四川") is
// not enough, since not all of it has that choice's standards.
func placeAnswer(choices []Choice, choose func(d *draft, in string) (string, error), set func(d *draft, v string)) func(d *draft, in string) (string, error) {
	return func(d *draft, in string) (string, error) {
		if v, err := choose(d, in); err == nil {
			return v, nil
		}
		var said []place.Division
		for _, m := range place.Mentioned(in, nil) {
			said = append(said, m.Divisions...)
		}
		match := ""
		for _, c := range choices {
			var of []place.Division
			for _, m := range place.Mentioned(c.Label, nil) {
				of = append(of, m.Divisions...)
			}
			if rel := place.Relate(said, place.Narrowest(of)); rel != place.Same && rel != place.Inside {
				continue
			}
			if match != "" {
				return "", ErrNotYesNo // two choices hold it: ask again
			}
			match = c.Value
		}
		if match == "" {
			return "", ErrNotYesNo
		}
		set(d, match)
		return match, nil
	}
}

// choiceAnswer accepts a choice's value, its label, its 1-based number or
// one of the extra words people use for it.
func choiceAnswer(choices []Choice, synonyms map[string]string, set func(d *draft, v string)) func(d *draft, in string) (string, error) {
	return func(d *draft, in string) (string, error) {
		t := strings.ToLower(normalize(in))
		for i, c := range choices {
			if t == strings.ToLower(c.Value) || t == strings.ToLower(normalize(c.Label)) || t == strconv.Itoa(i+1) {
				set(d, c.Value)
				return c.Value, nil
			}
		}
		if v, ok := synonyms[t]; ok {
			set(d, v)
			return v, nil
		}
		return "", ErrNotYesNo
	}
}

// next returns the first question not yet answered whose condition holds,
// or nil when the household is complete. The order is the conversation.
func (w *Wizard) next(d *draft) *question {
	for _, q := range w.questions(d) {
		if q != nil && !d.asked[q.key] {
			return q
		}
	}
	return nil
}

func (w *Wizard) questions(d *draft) []*question {
	var qs []*question
	if !d.hasRegion || d.asked["region"] {
		var cs []Choice
		for _, p := range w.regions().Profiles() {
			cs = append(cs, Choice{p.Name, p.ID})
		}
		set := func(d *draft, v string) {
			d.region, _ = w.regions().Profile(v)
			d.hasRegion = true
		}
		qs = append(qs, &question{key: "region", text: "您家在哪个地区？", choices: cs, hint: hintRegion,
			accept: placeAnswer(cs, choiceAnswer(cs, nil, set), set)})
	}
	areas := []Choice{{"城镇", string(Urban)}, {"农村", string(Rural)}}
	qs = append(qs, &question{key: "area", text: "您家的户口是城镇还是农村？", choices: areas, hint: hintChoice,
		accept: choiceAnswer(areas, map[string]string{"城市": "urban", "城里": "urban", "镇上": "urban", "乡下": "rural", "村里": "rural", "农村户口": "rural", "城镇户口": "urban"},
			func(d *draft, v string) { d.area = Area(v) })})
	qs = append(qs, &question{key: "count", text: "家里一起生活、一起吃饭的一共几口人（包括您自己）？", hint: hintCount,
		accept: func(d *draft, in string) (string, error) {
			n, err := parseCount(in)
			if err != nil {
				return "", err
			}
			d.count = n
			d.members = make([]Member, n)
			for i := range d.members {
				d.members[i] = NewMember(0)
			}
			return strconv.Itoa(n), nil
		}})
	if !d.asked["count"] {
		return qs
	}
	for i := 0; i < d.count; i++ {
		qs = append(qs, w.memberQuestions(d, i)...)
	}

	qs = append(qs, &question{key: "rigid", hint: hintAmount,
		text:   "全家每个月看病吃药、康复、孩子上学这些省不下来的花费，大概一共多少钱？没有就回复「没有」。",
		accept: amountAnswer(func(d *draft, v float64) { d.rigid = v })})
	anyEmployed := false
	for _, m := range d.members {
		anyEmployed = anyEmployed || m.Employed
	}
	if anyEmployed {
		qs = append(qs, &question{key: "employment_costs", hint: hintAmount,
			text:   "家里有人在工作。上班每个月花在路费、吃饭、电话费上的钱大概多少？没有就回复「没有」。",
			accept: amountAnswer(func(d *draft, v float64) { d.empCosts = v })})
	}
	current := []Choice{{"没有", string(CurrentNone)}, {"低保", string(CurrentDibao)}, {"特困供养", string(CurrentTekun)}, {"低收入家庭", string(CurrentLowIncome)}}
	qs = append(qs, &question{key: "current", text: "家里现在有没有在领救助？", choices: current, hint: hintChoice,
		accept: choiceAnswer(current, map[string]string{"无": "none", "没": "none", "否": "none", "在领低保": "dibao", "低保户": "dibao", "特困": "tekun", "五保": "tekun", "五保户": "tekun", "低保边缘": "low_income"},
			func(d *draft, v string) { d.current = CurrentProgram(v) })})
	qs = append(qs, &question{key: "hardship", choices: yesNo, hint: hintYesNo,
		text:   "最近家里有没有遇到突然的难处，比如意外事故、火灾水灾、突发重病？",
		accept: yesNoAnswer(func(d *draft, v bool) { d.hardship = v })})
	if d.hardship {
		qs = append(qs, &question{key: "expense", hint: hintAmount,
			text: "这件事大概要花多少钱？不清楚就回复「不知道」。",
			accept: func(d *draft, in string) (string, error) {
				switch normalize(in) {
				case "不知道", "不清楚", "说不准", "不确定":
					d.expense = 0
					return "0", nil
				}
				return amountAnswer(func(d *draft, v float64) { d.expense = v })(d, in)
			}})
	}
	return qs
}

func (w *Wizard) memberQuestions(d *draft, i int) []*question {
	// The first member is the person answering; the rest are numbered.
	who := "第 " + strconv.Itoa(i+1) + " 位家人"
	if i == 0 {
		who = "您"
	}
	m := func(d *draft) *Member { return &d.members[i] }
	cur := d.members[i]
	k := func(name string) string { return name + "/" + strconv.Itoa(i) }

	ageText := who + "今年多大年纪？"
	switch {
	case d.count > 1 && i == 0:
		ageText = "下面一位一位地问，先从您自己说起：您今年多大年纪？"
	case i > 0:
		ageText = "好的，接下来说说" + who + "。" + who + "今年多大年纪？"
	}
	qs := []*question{{key: k("age"), text: ageText, hint: hintAge,
		accept: func(d *draft, in string) (string, error) {
			a, err := ParseAge(in)
			if err != nil {
				return "", err
			}
			m(d).Age = a
			return strconv.Itoa(a), nil
		}}}
	if !d.asked[k("age")] {
		return qs
	}
	qs = append(qs, &question{key: k("income"), hint: hintAmount,
		text:   who + "每个月大概有多少收入？工资、养老金、种地养殖、子女给的钱都算。没有就回复「没有」。",
		accept: amountAnswer(func(d *draft, v float64) { m(d).MonthlyIncome = v })})
	working := d.workingAge(cur)
	if cur.Age >= d.region.WorkingAge.Min {
		qs = append(qs, &question{key: k("employed"), choices: yesNo, hint: hintYesNo,
			text:   who + "现在有工作吗？打工、上班、做生意都算。",
			accept: yesNoAnswer(func(d *draft, v bool) { m(d).Employed = v })})
		labor := []Choice{{"能正常干活", string(LaborFull)}, {"只能干些轻活", string(LaborPartial)}, {"完全干不了活", string(LaborNone)}}
		qs = append(qs, &question{key: k("labor"), text: who + "的身体能干活吗？", choices: labor, hint: hintChoice,
			accept: choiceAnswer(labor, map[string]string{"能": "full", "能干": "full", "正常": "full", "部分": "partial", "轻活": "partial",
				"不能": "none", "干不了": "none", "不能干活": "none"}, func(d *draft, v string) { m(d).LaborCapacity = Labor(v) })})
	}
	dis := []Choice{{"没有残疾", string(DisabilityNone)}, {"轻度", string(DisabilityMild)}, {"中度", string(DisabilityModerate)}, {"重度（一、二级）", string(DisabilitySevere)}}
	qs = append(qs, &question{key: k("disability"), text: who + "有残疾吗？有残疾证的按证上的等级选。", choices: dis, hint: hintChoice,
		accept: choiceAnswer(dis, map[string]string{"没有": "none", "无": "none", "否": "none", "不是": "none", "重度": "severe",
			"一级": "severe", "二级": "severe", "三级": "moderate", "四级": "mild"}, func(d *draft, v string) { m(d).Disability = Disability(v) })})
	qs = append(qs, &question{key: k("illness"), choices: yesNo, hint: hintYesNo,
		text:   who + "有没有重病、大病？比如癌症、尿毒症、需要长期治疗的病。",
		accept: yesNoAnswer(func(d *draft, v bool) { m(d).SeriousIllness = v })})
	if working && !cur.Employed {
		qs = append(qs, &question{key: k("student"), choices: yesNo, hint: hintYesNo,
			text:   who + "现在是全日制在校学生吗？",
			accept: yesNoAnswer(func(d *draft, v bool) { m(d).Student = v })})
		if !cur.Student && cur.LaborCapacity == LaborFull {
			qs = append(qs, &question{key: k("caregiving"), choices: yesNo, hint: hintYesNo,
				text:   who + "是不是因为要在家照顾重病、残疾、失能的家人或 2 岁以下的孩子，没法出去工作？",
				accept: yesNoAnswer(func(d *draft, v bool) { m(d).Caregiving = v })})
		}
	}
	if cur.LaborCapacity == LaborNone || cur.Age < d.region.TekunMinorAge {
		sup := []Choice{{"有，能供养", string(SupportersAble)}, {"有，但没能力供养", string(SupportersUnable)}, {"没有", string(SupportersNone)}}
		qs = append(qs, &question{key: k("supporters"), choices: sup, hint: hintChoice,
			text: who + "有没有能供养" + pronoun(who) + "的父母、子女或配偶？不管他们住在哪里都算。",
			accept: choiceAnswer(sup, map[string]string{"有": "able", "能": "able", "无": "none", "没": "none", "否": "none",
				"供养不了": "unable", "没能力": "unable", "有但没能力": "unable"}, func(d *draft, v string) { m(d).Supporters = Supporters(v) })})
	}
	return qs
}

func pronoun(who string) string {
	if who == "您" {
		return "您"
	}
	return "他（她）"
}
