package bot

import (
	"strings"
	"unicode"
)

// Languages the bot writes in. Simplified Chinese is the default; the
// knowledge base and the eligibility wizard are Chinese, so in English and
// Uyghur the bot's own words are translated and a short note says the
// policy text that follows is Chinese.
const (
	LangHans   = "zh-Hans"
	LangHant   = "zh-Hant"
	LangEN     = "en"
	LangUyghur = "ug"
)

// Langs lists the languages /lang offers, with their own names.
var Langs = []struct{ Code, Name string }{
	{LangHans, "简体中文"},
	{LangHant, "繁體中文"},
	{LangEN, "English"},
	{LangUyghur, "ئۇيغۇرچە"},
}

func knownLang(code string) bool {
	for _, l := range Langs {
		if l.Code == code {
			return true
		}
	}
	return false
}

// Characters that differ between the two Chinese scripts and are common in
// residents' questions; counting them tells the scripts apart well enough
// to choose how to reply.
const (
	hantOnly = "這個們說請問麼會來時為國對還沒嗎關係錢補貼辦與資學區領戶親屬歲條當給經濟縣鄉鎮農務醫療讓從應該樣幫幾買賣寫見電話號碼點開進長發變認識選擇證書無難臺灣門間聽讀語員單專業體總兒婦殘災難養隊動"
	hansOnly = "这个们说请问么会来时为国对还没吗关系钱补贴办与资学区领户亲属岁条当给经济县乡镇农务医疗让从应该样帮几买卖写见电话号码点开进长发变认识选择证书无难台湾门间听读语员单专业体总儿妇残灾难养队动"
)

// DetectLang guesses the language of a resident's message from its script.
// It returns "" when the text gives no sign (digits, emoji, a code), so the
// conversation keeps the language it had.
func DetectLang(s string) string {
	var han, hant, hans, arabic, latin int
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
			if strings.ContainsRune(hantOnly, r) {
				hant++
			} else if strings.ContainsRune(hansOnly, r) {
				hans++
			}
		case unicode.Is(unicode.Arabic, r):
			arabic++
		case r < 128 && unicode.IsLetter(r):
			latin++
		}
	}
	switch {
	case arabic > 0 && arabic >= han:
		return LangUyghur
	case han > 0 && hant > hans:
		return LangHant
	case han > 0:
		return LangHans
	case latin >= 2:
		return LangEN
	}
	return ""
}

// langFromClient maps a Telegram language_code to ours, as a first guess
// before the resident has written anything.
func langFromClient(code string) string {
	code = strings.ToLower(code)
	switch {
	case code == "":
		return ""
	case strings.HasPrefix(code, "zh-hant"), code == "zh-tw", code == "zh-hk", code == "zh-mo":
		return LangHant
	case strings.HasPrefix(code, "zh"):
		return LangHans
	case strings.HasPrefix(code, "ug"):
		return LangUyghur
	case strings.HasPrefix(code, "en"):
		return LangEN
	}
	return ""
}
