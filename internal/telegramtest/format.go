package telegramtest

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// htmlTags are the tags Telegram's HTML parse mode accepts.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "code": true, "pre": true, "blockquote": true, "tg-emoji": true,
}

// checkHTML applies the rules of parse_mode HTML that bots most often
// break: every '<' must open a supported tag (so "收入<500元" from a user
// must be escaped as &lt;), and tags must nest and close. It returns the
// text's visible length in characters.
func checkHTML(s string) (int, error) {
	var stack []string
	visible := 0
	for i := 0; i < len(s); {
		switch s[i] {
		case '&':
			if j := strings.IndexByte(s[i:], ';'); j > 1 && j <= 10 && validEntity(s[i+1:i+j]) {
				visible++
				i += j + 1
				continue
			}
			visible++
			i++
		case '<':
			tag := s[i+1:]
			closing := strings.HasPrefix(tag, "/")
			tag = strings.TrimPrefix(tag, "/")
			name := tag
			if k := strings.IndexAny(tag, " \t\n>"); k >= 0 {
				name = tag[:k]
			}
			name = strings.ToLower(name)
			if !htmlTags[name] {
				if closing {
					return 0, fmt.Errorf("Unexpected end tag at byte offset %d", i)
				}
				return 0, fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, i)
			}
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return 0, fmt.Errorf("Unclosed start tag at byte offset %d", i)
			}
			if closing {
				if len(stack) == 0 {
					return 0, fmt.Errorf("Unexpected end tag at byte offset %d", i)
				}
				if top := stack[len(stack)-1]; top != name {
					return 0, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top, name)
				}
				stack = stack[:len(stack)-1]
			} else {
				stack = append(stack, name)
			}
			i += j + 1
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			visible++
			i += size
		}
	}
	if len(stack) > 0 {
		return 0, fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1])
	}
	return visible, nil
}

func validEntity(name string) bool {
	switch name {
	case "lt", "gt", "amp", "quot":
		return true
	}
	if rest, ok := strings.CutPrefix(name, "#"); ok && rest != "" {
		hex := strings.HasPrefix(rest, "x") || strings.HasPrefix(rest, "X")
		if hex {
			rest = rest[1:]
		}
		for _, c := range rest {
			if !(c >= '0' && c <= '9' || hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
				return false
			}
		}
		return rest != ""
	}
	return false
}

// checkMarkdownV2 applies MarkdownV2's escaping rule: outside code and link
// targets, the characters that never start an entity (. ! # + - = { } and
// a '>' that does not begin a line, a lone '|') must be escaped with '\',
// and entities must be closed. It is a subset of Telegram's parser, enough
// to catch unescaped user text and figures like "1.5" or "-".
func checkMarkdownV2(s string) error {
	type open struct {
		marker string
		at     int
	}
	var stack []open
	toggle := func(marker string, at int) {
		if n := len(stack); n > 0 && stack[n-1].marker == marker {
			stack = stack[:n-1]
			return
		}
		stack = append(stack, open{marker, at})
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			i++ // the next character is literal
		case '`':
			fence := "`"
			if strings.HasPrefix(s[i:], "```") {
				fence = "```"
			}
			end := indexUnescaped(s, i+len(fence), fence)
			if end < 0 {
				return fmt.Errorf("Can't find end of Code entity at byte offset %d", i)
			}
			i = end + len(fence) - 1
		case '[':
			stack = append(stack, open{"[", i})
		case ']':
			n := len(stack)
			if n == 0 || stack[n-1].marker != "[" {
				return fmt.Errorf("Character ']' is reserved and must be escaped with the preceding '\\'")
			}
			stack = stack[:n-1]
			if i+1 < len(s) && s[i+1] == '(' {
				end := indexUnescaped(s, i+2, ")")
				if end < 0 {
					return fmt.Errorf("Can't find end of a URL at byte offset %d", i+1)
				}
				i = end
			}
		case '*':
			toggle("*", i)
		case '~':
			toggle("~", i)
		case '_':
			if strings.HasPrefix(s[i:], "__") {
				toggle("__", i)
				i++
			} else {
				toggle("_", i)
			}
		case '|':
			if !strings.HasPrefix(s[i:], "||") {
				return fmt.Errorf("Character '|' is reserved and must be escaped with the preceding '\\'")
			}
			toggle("||", i)
			i++
		case '>':
			if i > 0 && s[i-1] != '\n' {
				return fmt.Errorf("Character '>' is reserved and must be escaped with the preceding '\\'")
			}
		case '.', '!', '#', '+', '-', '=', '{', '}', '(', ')':
			return fmt.Errorf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
		}
	}
	if n := len(stack); n > 0 {
		return fmt.Errorf("Can't find end of the entity starting at byte offset %d", stack[n-1].at)
	}
	return nil
}

// indexUnescaped finds sep in s at or after from, skipping '\'-escaped
// characters; -1 if absent.
func indexUnescaped(s string, from int, sep string) int {
	for i := from; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if strings.HasPrefix(s[i:], sep) {
			return i
		}
	}
	return -1
}
