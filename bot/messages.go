package bot

import "strings"

// The bot's own words, per language. Short sentences and plain words: many
// residents are elderly. No emoji: phones without an emoji font (common
// among cheap and old ones) show them as empty boxes. {hotline} is replaced with the hotline number.
// A key missing in a language falls back to Simplified Chinese.
var catalog = map[string]map[string]string{
	LangHans: {
		"welcome": "您好！我是社会救助小助手。\n" +
			"您可以直接打字问我低保、特困供养、临时救助、低收入家庭的问题。\n" +
			"想看看自己能不能申请，请发 /check 。\n" +
			"想找工作人员，请发“人工”。\n" +
			"请不要发身份证号、电话号码或银行卡号。",
		"help": "我能帮您做这些事：\n" +
			"• 直接打字提问，比如：低保每月能领多少钱？\n" +
			"• /check 测一测能不能申请救助\n" +
			"• /contact 或“人工” 找工作人员\n" +
			"• /stop 或“退订” 不再接收提醒，“订阅” 重新接收\n" +
			"• /lang 换语言，/cancel 取消当前步骤\n" +
			"也可以拨打热线 {hotline}。",
		"media":          "我现在只能看懂文字。请把您的问题用文字打出来，或者发“人工”找工作人员。",
		"too_long":       "您的消息太长了。请分成几句短话，一次问一个问题。",
		"limited":        "您发得有点快，我跟不上了。请稍等一分钟再发，谢谢您！",
		"pii_warning":    "为了您的安全，请不要在这里发身份证号、电话号码或银行卡号。我已经把它们隐去了。",
		"unavailable":    "服务暂时不可用，请拨打热线 {hotline}。",
		"error":          "抱歉，我这边出了点问题。请稍后再试，或拨打热线 {hotline}。",
		"sources":        "来源：",
		"thanks_up":      "谢谢您的反馈！",
		"thanks_down":    "谢谢您告诉我们，我们会改进。需要人工帮忙请发“人工”。",
		"btn_up":         "有帮助",
		"btn_down":       "没帮助",
		"btn_contact":    "找工作人员",
		"btn_expired":    "这个按钮已经过期了。",
		"stopped":        "好的，以后不再给您发提醒。想重新接收，请发“订阅”。",
		"resumed":        "好的，以后会继续给您发提醒。不想接收，请发“退订”。",
		"not_bound":      "您的聊天还没有和家庭绑定，所以不会收到提醒。有绑定码的话，请发 /start 加上绑定码。",
		"no_reminders":   "提醒功能暂时没有开通。",
		"web_reminders":  "这里的聊天不会给您发提醒。提醒通过微信服务号或 Telegram 发送，请在那里绑定。",
		"btn_check":      "测一测能不能申请",
		"choose_number":  "请回复数字选择：",
		"nothing_to_ack": "现在没有需要确认的提醒。",
		"offer_check":    "想知道您家能不能申请？请选下面的“测一测能不能申请”，或发 /check 。",
		"bound":          "绑定成功！以后办事提醒会发到这里。不想接收，请发“退订”。",
		"code_invalid":   "这个绑定码不对。请核对后再发一次，或问村（社区）工作人员要新的绑定码。",
		"code_expired":   "这个绑定码已经过期了。请问村（社区）工作人员要新的绑定码。",
		"code_used":      "这个绑定码已经用过了。如果不是您本人绑定的，请发“人工”找工作人员。",
		"handoff_new":    "好的，我已经请工作人员来帮您。他们上班时间会在这里回复您，请耐心等一等。\n着急的话，请拨打热线 {hotline}。",
		"handoff_again":  "您的请求已经转给工作人员了，请耐心等一等。您还可以继续在这里补充情况。",
		"handoff_auto":   "这个问题我答不好，已经请工作人员来帮您，他们会在这里回复您。\n着急的话，请拨打热线 {hotline}。",
		"handoff_noted":  "您的话已经转给工作人员了。",
		"cancelled":      "好的，已经取消。您可以直接提问，或发 /help 看看我能做什么。",
		"nothing":        "现在没有要取消的步骤。您可以直接提问。",
		"lang_prompt":    "请选择语言：",
		"lang_set":       "好的，以后用简体中文回复您。",
		"lang_auto":      "自动（跟您打字的语言一样）",
		"lang_auto_set":  "好的，以后跟着您打字的语言回复。",
		"check_off":      "资格测算暂时不可用，请拨打热线 {hotline}。",
		"check_done":     "测算结束。想问别的，直接打字就行；想找人帮忙，请点下面的按钮。",
		"wizard_hint":    "（发 /cancel 可以退出测算）",
	},
	LangHant: {
		"welcome": "您好！我是社會救助小助手。\n" +
			"您可以直接打字問我低保、特困供養、臨時救助、低收入家庭的問題。\n" +
			"想看看自己能不能申請，請發 /check 。\n" +
			"想找工作人員，請發「人工」。\n" +
			"請不要發身分證號、電話號碼或銀行卡號。",
		"help": "我能幫您做這些事：\n" +
			"• 直接打字提問，比如：低保每月能領多少錢？\n" +
			"• /check 測一測能不能申請救助\n" +
			"• /contact 或「人工」 找工作人員\n" +
			"• /stop 或「退訂」 不再接收提醒，「訂閱」 重新接收\n" +
			"• /lang 換語言，/cancel 取消當前步驟\n" +
			"也可以撥打熱線 {hotline}。",
		"media":         "我現在只能看懂文字。請把您的問題用文字打出來，或者發「人工」找工作人員。",
		"too_long":      "您的消息太長了。請分成幾句短話，一次問一個問題。",
		"limited":       "您發得有點快，我跟不上了。請稍等一分鐘再發，謝謝您！",
		"pii_warning":   "為了您的安全，請不要在這裡發身分證號、電話號碼或銀行卡號。我已經把它們隱去了。",
		"unavailable":   "服務暫時不可用，請撥打熱線 {hotline}。",
		"error":         "抱歉，我這邊出了點問題。請稍後再試，或撥打熱線 {hotline}。",
		"sources":       "來源：",
		"thanks_up":     "謝謝您的回饋！",
		"thanks_down":   "謝謝您告訴我們，我們會改進。需要人工幫忙請發「人工」。",
		"btn_up":        "有幫助",
		"btn_down":      "沒幫助",
		"btn_contact":   "找工作人員",
		"btn_expired":   "這個按鈕已經過期了。",
		"stopped":       "好的，以後不再給您發提醒。想重新接收，請發「訂閱」。",
		"resumed":       "好的，以後會繼續給您發提醒。不想接收，請發「退訂」。",
		"handoff_new":   "好的，我已經請工作人員來幫您。他們上班時間會在這裡回覆您，請耐心等一等。\n著急的話，請撥打熱線 {hotline}。",
		"handoff_again": "您的請求已經轉給工作人員了，請耐心等一等。您還可以繼續在這裡補充情況。",
		"handoff_auto":  "這個問題我答不好，已經請工作人員來幫您，他們會在這裡回覆您。\n著急的話，請撥打熱線 {hotline}。",
		"handoff_noted": "您的話已經轉給工作人員了。",
		"cancelled":     "好的，已經取消。您可以直接提問，或發 /help 看看我能做什麼。",
		"nothing":       "現在沒有要取消的步驟。您可以直接提問。",
		"lang_prompt":   "請選擇語言：",
		"lang_set":      "好的，以後用繁體中文回覆您。",
		"lang_auto":     "自動（跟您打字的語言一樣）",
		"lang_auto_set": "好的，以後跟著您打字的語言回覆。",
		"check_done":    "測算結束。想問別的，直接打字就行；想找人幫忙，請點下面的按鈕。",
		"wizard_hint":   "（發 /cancel 可以退出測算）",
	},
	LangEN: {
		"welcome": "Hello! I help with social assistance: dibao (minimum living allowance), support for people in extreme poverty, temporary assistance and low-income households.\n" +
			"Type your question. Send /check to see if you may qualify. Send /contact to reach a person.\n" +
			"Please do not send ID numbers, phone numbers or bank card numbers.",
		"help": "What I can do:\n" +
			"• Answer questions: just type them\n" +
			"• /check: a short eligibility pre-check (in Chinese)\n" +
			"• /contact: reach a staff member\n" +
			"• /stop: no more reminders; /start CODE: link your household\n" +
			"• /lang: choose a language; /cancel: stop the current step\n" +
			"Hotline: {hotline}.",
		"media":          "I can only read text for now. Please type your question, or send /contact to reach a person.",
		"too_long":       "Your message is too long. Please ask one short question at a time.",
		"limited":        "You are sending messages a little fast. Please wait a minute, then try again. Thank you!",
		"pii_warning":    "For your safety, please do not send ID numbers, phone numbers or bank card numbers here. I have removed them.",
		"unavailable":    "The service is not available right now. Please call the hotline {hotline}.",
		"error":          "Sorry, something went wrong on my side. Please try again later, or call {hotline}.",
		"sources":        "Sources:",
		"thanks_up":      "Thank you for your feedback!",
		"thanks_down":    "Thank you for telling us. We will improve. Send /contact to reach a person.",
		"btn_up":         "Helpful",
		"btn_down":       "Not helpful",
		"btn_contact":    "Talk to a person",
		"btn_expired":    "This button has expired.",
		"stopped":        "OK, you will get no more reminders. Send /start to get them again.",
		"resumed":        "OK, reminders are on again. Send /stop to turn them off.",
		"not_bound":      "This chat is not linked to a household, so it gets no reminders. If you have a code, send /start CODE.",
		"no_reminders":   "Reminders are not available yet.",
		"web_reminders":  "This chat sends no reminders. Reminders come through the WeChat service account or Telegram.",
		"btn_check":      "Check if we can apply",
		"choose_number":  "Reply with a number:",
		"nothing_to_ack": "There is no reminder waiting for your confirmation.",
		"offer_check":    "Want to know if your household can apply? Choose “Check if we can apply” below, or send /check.",
		"bound":          "Linked! Reminders will arrive here. Send /stop to turn them off.",
		"code_invalid":   "This code is not right. Please check it, or ask your village or community office for a new one.",
		"code_expired":   "This code has expired. Please ask your village or community office for a new one.",
		"code_used":      "This code has already been used. If it was not you, send /contact.",
		"handoff_new":    "OK, I have asked a staff member to help you. They will reply here during working hours.\nIf it is urgent, call {hotline}.",
		"handoff_again":  "Your request is already with our staff. Please wait a little. You can add details here.",
		"handoff_auto":   "I cannot answer this well, so I have asked a staff member to help. They will reply here.\nIf it is urgent, call {hotline}.",
		"handoff_noted":  "Your message has been passed to our staff.",
		"cancelled":      "OK, cancelled. Ask me anything, or send /help.",
		"nothing":        "There is nothing to cancel. Ask me anything.",
		"lang_prompt":    "Choose a language:",
		"lang_set":       "OK, I will reply in English.",
		"lang_auto":      "Automatic (the language you type)",
		"lang_auto_set":  "OK, I will reply in the language you type.",
		"check_off":      "The eligibility check is not available right now. Please call {hotline}.",
		"check_done":     "The check is finished (a pre-check, not a decision). Type a question to ask more, or tap the button to reach a person.",
		"wizard_hint":    "(send /cancel to leave the check)",
		"zh_note":        "(The policy text below is in Chinese.)",
	},
	LangUyghur: {
		"lang_set": "بولىدۇ.",
		"zh_note":  "ھازىرچە خەنزۇچە جاۋاب بېرىمىز. ياردەم ئۈچۈن تېلېفون: {hotline}",
	},
}

// msg returns the text for key in lang, falling back to Simplified Chinese.
func (e *Engine) msg(lang, key string) string {
	s, ok := catalog[lang][key]
	if !ok {
		s = catalog[LangHans][key]
	}
	return strings.ReplaceAll(s, "{hotline}", e.hotline)
}

// chineseNote is the line that tells an English or Uyghur reader the text
// that follows is Chinese; "" for Chinese readers.
func (e *Engine) chineseNote(lang string) string {
	if lang == LangEN || lang == LangUyghur {
		return e.msg(lang, "zh_note")
	}
	return ""
}
