package document

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// maxPart bounds how much of one docx part we read, so a zip bomb cannot
// exhaust memory.
const maxPart = 64 << 20

// decodeText returns raw as UTF-8. Chinese web captures are sometimes GBK;
// GB18030 is its superset, so invalid UTF-8 is decoded as GB18030.
func decodeText(raw []byte) string {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if bytes.HasPrefix(raw, []byte("\xff\xfe")) || bytes.HasPrefix(raw, []byte("\xfe\xff")) {
		// UTF-16 with a byte-order mark, as Windows Notepad saves "Unicode"
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		if out, err := dec.Bytes(raw); err == nil {
			return string(out)
		}
	}
	if utf8.Valid(raw) {
		return string(raw)
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw)
	if err != nil || !utf8.Valid(out) {
		return strings.ToValidUTF8(string(raw), "")
	}
	return string(out)
}

var (
	mdImage    = regexp.MustCompile(`!\[[^\]\n]*\]\([^)\n]*\)`)
	mdLink     = regexp.MustCompile(`\[([^\]\n]+)\]\([^)\n]*\)`)
	mdEmphasis = regexp.MustCompile(`(\*\*|__|\*|` + "`" + `)([^*_` + "`" + `\n]+)(\*\*|__|\*|` + "`" + `)`)
	mdBullet   = regexp.MustCompile(`^\s*(?:[-*+]|>)\s+`)
)

// markdownText reads YAML-like front matter (title, source, issuer, date)
// and strips inline markdown. Heading lines keep their leading #s: the
// splitter uses them as section boundaries.
func markdownText(s string) (string, meta) {
	var m meta
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if strings.HasPrefix(s, "---\n") {
		if end := strings.Index(s[4:], "\n---"); end >= 0 {
			front := s[4 : 4+end]
			s = s[4+end+4:]
			if i := strings.IndexByte(s, '\n'); i >= 0 {
				s = s[i+1:]
			} else {
				s = ""
			}
			for _, line := range strings.Split(front, "\n") {
				k, v, ok := strings.Cut(line, ":")
				if !ok {
					continue
				}
				v = strings.Trim(strings.TrimSpace(v), `"'`)
				switch strings.ToLower(strings.TrimSpace(k)) {
				case "title":
					m.title = v
				case "source":
					m.source = v
				case "issuer":
					m.issuer = v
				case "date":
					m.date = parseDate(v)
				}
			}
			m.strong = true
		}
	}
	var out []string
	inFence := false
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if !inFence {
			if t := strings.TrimSpace(line); strings.HasPrefix(t, "# ") {
				// The single top heading is the title, not a section.
				if m.title == "" {
					m.title = strings.TrimSpace(t[2:])
				}
				continue
			}
			if strings.Trim(strings.TrimSpace(line), "-*_ ") == "" && strings.TrimSpace(line) != "" {
				continue // horizontal rule
			}
			line = mdImage.ReplaceAllString(line, "")
			line = mdLink.ReplaceAllString(line, "$1")
			line = mdEmphasis.ReplaceAllString(line, "$2")
			line = mdBullet.ReplaceAllString(line, "")
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n"), m
}

// htmlSkip are elements whose text is never policy prose.
var htmlSkip = map[string]bool{
	"script": true, "style": true, "nav": true, "header": true, "footer": true,
	"aside": true, "noscript": true, "iframe": true, "svg": true, "form": true,
	"button": true, "select": true, "template": true, "object": true, "canvas": true,
}

// htmlBlock are elements that end a line of text.
var htmlBlock = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "tr": true, "section": true, "article": true,
	"table": true, "ul": true, "ol": true, "blockquote": true, "pre": true, "dd": true,
	"dt": true, "hr": true, "main": true, "td": true, "th": true, "title": true,
}

// htmlChrome matches class or id values of page chrome (menus, breadcrumbs,
// share bars) that sites put in plain divs.
var htmlChrome = regexp.MustCompile(`(?i)(^|[\s_-])(nav|navbar|menu|breadcrumbs?|crumbs?|footer|sidebar|share|toolbar|copyright|comments?|position|location)($|[\s_-])`)

// htmlText extracts the text of an HTML page with the standard library's
// lenient XML decoder (HTML auto-close and entities), dropping scripts,
// styles and navigation. Metadata in <title> and <meta> become weak hints.
func htmlText(raw []byte) (string, meta, error) {
	var m meta
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(raw) {
		raw = []byte(decodeText(raw))
	}
	raw = htmlPrepare(raw)
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }

	var (
		b       strings.Builder
		stack   []string // open element names
		skip    int      // depth inside a skipped element, 0 = not skipping
		inTitle bool
		title   string
	)
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			// Broken markup: keep what we have and strip tags from the rest.
			rest := raw[min(int(d.InputOffset()), len(raw)):]
			b.WriteString("\n")
			b.WriteString(stripTags(string(rest)))
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			voidEl := isVoid(name)
			if !voidEl {
				stack = append(stack, name)
			}
			if skip > 0 {
				if !voidEl {
					skip++
				}
				continue
			}
			if name == "meta" {
				htmlMeta(t, &m)
			}
			if htmlSkip[name] || chromeAttr(t) {
				if !voidEl {
					skip = 1
				}
				continue
			}
			if name == "title" {
				inTitle = true
			}
			if htmlBlock[name] {
				b.WriteString("\n")
			}
		case xml.EndElement:
			name := strings.ToLower(t.Name.Local)
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			if skip > 0 {
				skip--
				continue
			}
			if name == "title" {
				inTitle = false
				continue
			}
			if htmlBlock[name] {
				b.WriteString("\n")
			}
		case xml.CharData:
			if skip > 0 {
				continue
			}
			if inTitle {
				title += string(t)
				continue
			}
			b.WriteString(strings.ReplaceAll(string(t), "\n", " "))
		}
	}
	if m.title == "" {
		m.title = siteTitle(title)
	}
	return b.String(), m, nil
}

func isVoid(name string) bool {
	switch name {
	case "br", "img", "meta", "link", "input", "hr", "area", "base", "col", "embed", "source", "track", "wbr", "param":
		return true
	}
	return false
}

func chromeAttr(t xml.StartElement) bool {
	for _, a := range t.Attr {
		switch strings.ToLower(a.Name.Local) {
		case "class", "id", "role":
			if htmlChrome.MatchString(strings.ToLower(a.Value)) {
				return true
			}
		}
	}
	return false
}

// htmlMeta reads the metadata tags Chinese government sites commonly set.
func htmlMeta(t xml.StartElement, m *meta) {
	var name, content string
	for _, a := range t.Attr {
		switch strings.ToLower(a.Name.Local) {
		case "name", "property":
			name = strings.ToLower(a.Value)
		case "content":
			content = strings.TrimSpace(a.Value)
		}
	}
	switch name {
	case "articletitle", "og:title", "title":
		m.title = content
	case "pubdate", "publishdate", "firstpublishedtime", "article:published_time", "date":
		m.date = parseDate(content)
	case "contentsource", "author", "source":
		if m.issuer == "" {
			m.issuer = content
		}
	}
}

// siteTitle drops the site name sites append to <title> ("X_青海省民政厅").
func siteTitle(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for _, sep := range []string{"_", " - ", "|", "－"} {
		if i := strings.Index(s, sep); i > 0 {
			s = s[:i]
		}
	}
	return strings.TrimSpace(s)
}

var (
	htmlDrop = regexp.MustCompile(`(?is)<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<!doctype[^>]*>`)
	// a "<" that starts no tag: text such as "a < b", which XML rejects
	strayLT = regexp.MustCompile(`<([^a-zA-Z/!?]|$)`)
)

// htmlPrepare removes scripts, styles and comments (their contents are not
// markup and often break the decoder) and escapes stray "<".
func htmlPrepare(raw []byte) []byte {
	raw = htmlDrop.ReplaceAll(raw, nil)
	return strayLT.ReplaceAll(raw, []byte("&lt;$1"))
}

var tagRe = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)

func stripTags(s string) string {
	s = tagRe.ReplaceAllString(s, "\n")
	r := strings.NewReplacer("&nbsp;", " ", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'")
	return r.Replace(s)
}

// docxText reads the paragraphs of word/document.xml: one line per <w:p>,
// text from <w:t>, tabs and breaks kept as whitespace.
func docxText(raw []byte) (string, meta, error) {
	var m meta
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return "", m, fmt.Errorf("read docx zip: %w", err)
	}
	var body []byte
	for _, f := range zr.File {
		switch f.Name {
		case "word/document.xml":
			if body, err = readZipPart(f); err != nil {
				return "", m, err
			}
		case "docProps/core.xml":
			if core, err := readZipPart(f); err == nil {
				m.title = coreTitle(core)
			}
		}
	}
	if body == nil {
		return "", m, errors.New("docx has no word/document.xml")
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	var (
		b    strings.Builder
		para strings.Builder
		inT  bool
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", m, fmt.Errorf("read docx document.xml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inT = true
			case "tab":
				para.WriteString("\t")
			case "br", "cr":
				para.WriteString("\n")
			case "p":
				para.Reset()
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inT = false
			case "p":
				b.WriteString(para.String())
				b.WriteString("\n")
				para.Reset()
			}
		case xml.CharData:
			if inT {
				para.Write(t)
			}
		}
	}
	return b.String(), m, nil
}

func readZipPart(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("open docx part %s: %w", f.Name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxPart+1))
	if err != nil {
		return nil, fmt.Errorf("read docx part %s: %w", f.Name, err)
	}
	if len(data) > maxPart {
		return nil, fmt.Errorf("docx part %s larger than %d bytes", f.Name, maxPart)
	}
	return data, nil
}

func coreTitle(core []byte) string {
	var c struct {
		Title string `xml:"title"`
	}
	if err := xml.Unmarshal(core, &c); err != nil {
		return ""
	}
	return strings.TrimSpace(c.Title)
}
