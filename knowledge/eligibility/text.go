package eligibility

import (
	"strings"
)

const disclaimer = "这只是根据您填写的情况做的初步测算，不是审批结果。能不能享受救助、享受多少，要由乡镇（街道）工作人员入户调查、核对家庭经济状况后决定。"

// programNames are what residents call the programs.
var programNames = map[Program]string{
	Dibao:            "最低生活保障（低保）",
	DibaoExpenditure: "支出型贫困低保",
	DibaoPhaseout:    "低保渐退",
	DibaoSingle:      "单人户低保",
	Tekun:            "特困人员救助供养",
	LowIncome:        "低收入家庭（低保边缘家庭）",
	Temporary:        "临时救助",
}

// bringPrefix opens the next step that lists the papers to bring.
const bringPrefix = "办理时请带上："

// ProgramName is the program's name in plain Chinese.
func ProgramName(p Program) string { return programNames[p] }

// nextSteps says what to bring and where to turn, fitted to the household.
// It also returns the papers to bring, for Text's one-a-line list.
func nextSteps(h Household, r Result, hotline string) (steps, bring []string) {
	docs := []string{"户口簿", "全家人的身份证"}
	var income, ill, disabled, student, care bool
	for _, m := range h.Members {
		income = income || m.MonthlyIncome > 0 || m.Employed
		ill = ill || m.SeriousIllness
		disabled = disabled || m.Disability != DisabilityNone
		student = student || m.Student
		care = care || m.Caregiving
	}
	if income {
		docs = append(docs, "收入证明（工资条、养老金存折或银行流水等）")
	}
	if ill {
		docs = append(docs, "病历、诊断证明")
	}
	if disabled {
		docs = append(docs, "残疾证")
	}
	if student {
		docs = append(docs, "在读证明或学生证")
	}
	if h.MonthlyRigidExpenses > 0 {
		docs = append(docs, "看病、康复、上学等花费的票据")
	}
	if h.MonthlyEmploymentCosts > 0 {
		docs = append(docs, "外出工作交通、吃饭等花费的凭证")
	}
	if care {
		docs = append(docs, "被照顾家人的病历或残疾证")
	}
	if h.SuddenHardship {
		docs = append(docs, "突发事件的证明和费用单据（如医院发票、受灾证明）")
	}
	if h.CurrentProgram != CurrentNone {
		docs = append(docs, "现在领取救助的证件或存折")
	}

	any := false
	for _, p := range r.Programs {
		if p.Verdict != NotEligible {
			any = true
		}
	}
	var out []string
	if any {
		out = append(out, "请到户口所在地的乡镇人民政府（街道办事处）社会救助窗口申请，也可以请村（居）委会帮忙代办。")
		out = append(out, bringPrefix+strings.Join(docs, "、")+"。")
		out = append(out, "有不清楚的地方，可以拨打 "+hotline+" 咨询，或找村（社区）的社会救助协理员帮忙。")
	} else {
		out = append(out, "按您填写的情况，暂时没有测出符合的项目。家里情况有变化（收入减少、有人生病、遇到意外）时，可以随时再测一次。")
		out = append(out, "遇到突发的难处，可以向乡镇（街道）申请临时救助。")
		out = append(out, "如果觉得测算和实际不符，可以拨打 "+hotline+"，或找村（社区）的社会救助协理员当面说明情况；工作人员会以入户调查为准。")
		docs = nil
	}
	return out, docs
}

// Text is the result as a readable report in plain Chinese: the same text
// for the CLI and the chat wizard.
func (r Result) Text() string {
	var b strings.Builder
	area := "农村"
	if r.Area == Urban {
		area = "城镇"
	}
	name := r.RegionName
	if name == "" {
		name = r.Region
	}
	b.WriteString("救助政策初步测算结果\n")
	b.WriteString("地区：" + name + "（" + area + "）\n")
	b.WriteString("当地低保标准：每人每月 " + yuan(r.StandardMonthly) + "\n")
	if r.StandardExample {
		b.WriteString("（注意：这个标准是示例数字，实际标准以当地民政部门公布的为准）\n")
	}
	b.WriteString("家庭人均月收入：" + yuan(r.PerCapita.BeforeRigid))
	if r.PerCapita.AfterRigid != r.PerCapita.BeforeRigid {
		b.WriteString("（扣除刚性支出后 " + yuan(r.PerCapita.AfterRigid) + "）")
	}
	b.WriteString("\n")

	section := func(title string, v Verdict) {
		first := true
		for _, p := range r.Programs {
			if p.Verdict != v {
				continue
			}
			if first {
				b.WriteString("\n" + title + "\n")
				first = false
			}
			b.WriteString("• " + ProgramName(p.Program) + "\n")
			for _, why := range p.Reasons {
				b.WriteString("  " + why + "\n")
			}
			if v != NotEligible && len(p.Citations) > 0 {
				var cs []string
				for _, c := range p.Citations {
					line := "《" + DocTitle(c.Doc) + "》" + c.Section
					if c.Borrowed {
						line += "（外地文件，仅作参考，以本地规定为准）"
					}
					cs = append(cs, line)
				}
				b.WriteString("  依据：" + strings.Join(cs, "；") + "\n")
			}
		}
	}
	section("【可能符合】", Eligible)
	section("【请找工作人员进一步了解】", Refer)
	section("【暂不符合】", NotEligible)

	b.WriteString("\n下一步\n")
	for _, s := range r.NextSteps {
		// In a chat the papers to bring read best as a short list, one a
		// line; the JSON keeps the sentence.
		if strings.HasPrefix(s, bringPrefix) && len(r.Bring) > 0 {
			b.WriteString("• " + bringPrefix + "\n")
			for _, d := range r.Bring {
				b.WriteString("  - " + d + "\n")
			}
			continue
		}
		b.WriteString("• " + s + "\n")
	}
	b.WriteString("提示：" + r.Disclaimer + "\n")
	return b.String()
}
