package console

import (
	"errors"
	"net/http"

	"github.com/safetynet/safetynet/handoff"
	"github.com/safetynet/safetynet/internal/pii"
	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/eligibility"
	"github.com/safetynet/safetynet/outreach"
)

// FieldError is bad input to one of the console's own forms; it names the
// field so the page can say what to fix.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// problem is an error as a person is told it: the status, the field at
// fault (if any), a sentence for staff and one for API callers.
type problem struct {
	Status int
	Field  string
	Words  string // Chinese, for the pages
	En     string // for the JSON API
}

// Why errors are explained here and only here: the domain packages speak
// English to logs and tools; the console turns their sentinel and field
// errors into words for staff once, so pages and the API agree and a new
// error needs one line.
var (
	errBadReply     = errors.New("text: the reply must have 1 to 2000 characters")
	errNotDelivered = errors.New("reply saved but not delivered")
)

// documentError is a knowledge base error about the document staff named;
// knowledge's own errors carry the name only inside their English text,
// and explain wants it for the page.
type documentError struct {
	Name string
	Err  error
}

func (e *documentError) Error() string { return e.Err.Error() }
func (e *documentError) Unwrap() error { return e.Err }

// outreachFieldWords say in staff's words what is wrong with a campaign
// field the outreach service refused.
var outreachFieldWords = map[string]string{
	"name":      "请给活动起个名字。",
	"template":  "请选择消息模板；选“一般通知”时要填写消息内容。",
	"text":      "消息内容里的占位符写错了。可用的占位：户主称呼、到期日期、热线电话（见输入框下的说明）。",
	"window":    "发送时段要写成 24 小时制的 08:00 这样的时间，结束要晚于开始。",
	"rate":      "发送速度应为每秒至少 1 条，且不超过本服务的上限。",
	"region":    "没有这个地区，请从列表中选择。",
	"area":      "城乡只能选“城市”或“农村”（或全部）。",
	"program":   "没有这个救助类别，请从列表中选择。",
	"due-field": "到期条件有误。",
	"due_from":  "到期日期应写成 YYYY-MM-DD。",
	"due_to":    "到期日期应写成 YYYY-MM-DD。",
	"chat":      "工作人员的聊天 ID 有误，请核对后再试。",
}

// explain finds what to tell a person about err; ok is false for an
// unexpected error, which goes to the log instead.
func explain(err error) (p problem, ok bool) {
	var fe *FieldError
	var ofe *outreach.FieldError
	var ie *eligibility.InputError
	var de *documentError
	switch {
	case err == nil:
		return problem{}, false
	case errors.As(err, &fe):
		return problem{http.StatusBadRequest, fe.Field, fe.Msg, fe.Error()}, true
	case errors.As(err, &ofe):
		words, known := outreachFieldWords[ofe.Field]
		if !known {
			words = "填写的内容有误（" + ofe.Field + "）。"
		}
		return problem{http.StatusBadRequest, ofe.Field, words, ofe.Error()}, true
	case errors.As(err, &ie):
		return problem{http.StatusBadRequest, ie.Field, ie.Field + "：" + ie.Msg, ie.Error()}, true
	case errors.Is(err, ErrNotFound), errors.Is(err, outreach.ErrNotFound), errors.Is(err, handoff.ErrNotFound):
		return problem{http.StatusNotFound, "", "没有找到这条记录。", "not found"}, true
	case errors.Is(err, outreach.ErrCampaignState):
		return problem{http.StatusConflict, "", "活动当前的状态不能这样操作，请刷新后再看。", err.Error()}, true
	case errors.Is(err, outreach.ErrNotTested):
		return problem{http.StatusConflict, "", "这个活动还没有发给工作人员测试。请先测试发送，或勾选“跳过测试”后再开始。", err.Error()}, true
	case errors.Is(err, outreach.ErrNoSender):
		return problem{http.StatusConflict, "chats", "本服务没有配置发送渠道（Telegram 或微信），无法测试发送。", err.Error()}, true
	case errors.Is(err, handoff.ErrClaimed), errors.Is(err, handoff.ErrClosed):
		return problem{http.StatusConflict, "", "这张工单的状态已经变了（可能别人已认领或已关闭），请刷新后再看。", err.Error()}, true
	case errors.Is(err, handoff.ErrEmptyReply), errors.Is(err, errBadReply):
		return problem{http.StatusBadRequest, "text", "回复不能为空，也不能超过 2000 字。", errBadReply.Error()}, true
	case errors.Is(err, errNotDelivered):
		return problem{http.StatusBadGateway, "", "回复已保存在工单里，但没能送达居民（对方的聊天通道暂时不可用）。可以稍后再发，或电话联系。", err.Error()}, true
	case errors.Is(err, knowledge.ErrEmptyQuestion), errors.Is(err, knowledge.ErrLongQuestion):
		return problem{http.StatusBadRequest, "question", "问题为空或太长。", err.Error()}, true
	case errors.Is(err, knowledge.ErrNoDocument):
		words := "知识库里没有这个文件。"
		if errors.As(err, &de) {
			words = "知识库里没有这个文件：" + de.Name
		}
		return problem{http.StatusNotFound, "", words, err.Error()}, true
	case errors.Is(err, knowledge.ErrNoSource):
		// The sentinel alone: the wrapped error names the path on the
		// server the file was read from.
		return problem{http.StatusConflict, "", "找不到这个文件当初导入时的原文件（可能已被移走，或是在记录路径之前导入的），请重新上传。",
			knowledge.ErrNoSource.Error()}, true
	case errors.Is(err, pii.ErrNoKey):
		return problem{http.StatusServiceUnavailable, "", noKeyMessage, noKeyMessage}, true
	}
	return problem{}, false
}
