package telegramtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCheckHTML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		visible int
		wantErr string
	}{
		{"你好", 2, ""},
		{"<b>低保</b> &lt;500 &amp; &#20803;", 11, ""},
		{`<a href="https://example.org">政策</a>`, 2, ""},
		{"<pre><code class=\"language-go\">x</code></pre>", 1, ""},
		{"a & b", 5, ""},
		{"1<2", 0, `Unsupported start tag "2"`},
		{"<div>x</div>", 0, `Unsupported start tag "div"`},
		{"<b>x</i>", 0, `Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{"<b><i>x</b></i>", 0, `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{"<b>x", 0, `Can't find end tag corresponding to start tag "b"`},
		{"</b>", 0, "Unexpected end tag"},
		{"<b", 0, "Unclosed start tag"},
	}
	for _, tt := range tests {
		n, err := checkHTML(tt.in)
		if tt.wantErr != "" {
			require.ErrorContains(t, err, tt.wantErr, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.visible, n, tt.in)
	}
}

func TestCheckMarkdownV2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		wantErr string
	}{
		{`*粗体* _斜体_ __下划线__ ~删除~ ||剧透||`, ""},
		{`金额 1000\.50 元\!`, ""},
		{"`code with . and -`", ""},
		{"```\nfn main() { a-b. }\n```", ""},
		{`[政策原文](https://example.org/a-b.html?x=1)`, ""},
		{"> 引用一行", ""},
		{"1.5", `Character '.' is reserved`},
		{"a - b", `Character '-' is reserved`},
		{"a > b", `Character '>' is reserved`},
		{"a | b", `Character '|' is reserved`},
		{"(备注)", `Character '(' is reserved`},
		{"*粗体", "Can't find end of the entity starting at byte offset 0"},
		{"`code", "Can't find end of Code entity"},
		{"[link](http://x", "Can't find end of a URL"},
	}
	for _, tt := range tests {
		err := checkMarkdownV2(tt.in)
		if tt.wantErr == "" {
			require.NoError(t, err, tt.in)
			continue
		}
		require.ErrorContains(t, err, tt.wantErr, tt.in)
	}
}

func TestBucket(t *testing.T) {
	t.Parallel()
	b := bucket{rate: 2, burst: 2, tokens: 2}
	now := time.Unix(1000, 0)
	for range 2 {
		b.refill(now)
		require.Zero(t, b.wait())
		b.take()
	}
	b.refill(now)
	require.Equal(t, 500*time.Millisecond, b.wait())
	require.Equal(t, 1, retryAfterSeconds(b.wait()))
	b.refill(now.Add(500 * time.Millisecond))
	require.Zero(t, b.wait())
	b.refill(now.Add(time.Hour))
	require.Equal(t, 2.0, b.tokens, "savings are capped at the burst")

	unlimited := bucket{}
	unlimited.refill(now)
	require.Zero(t, unlimited.wait())
}
