package console

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/safetynet/safetynet/outreach"
)

// Charts are drawn on the server as inline SVG: no script library, no
// network, and they print. Each scales with its container (viewBox).

type barPoint struct {
	Label string
	Total int
	Part  int // the highlighted part of the bar (e.g. unanswered)
}

const (
	chartW = 640
	chartH = 240
	padR   = 10
	padT   = 14
	padB   = 40
	// axisFont is svg.chart .axis's font-size in console.css, in the
	// chart's own units: label widths below are estimated from it.
	axisFont = 20.0
)

// textWidth estimates how wide a label is drawn at the axis font: digits
// and Latin letters about 0.6 em, "%" wider, Chinese a full em. An
// overestimate only costs a little room.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r == '%':
			w += 0.9
		case r < 0x80:
			w += 0.62
		default:
			w += 1.0
		}
	}
	return w * axisFont
}

// leftPad is the room the value axis needs for its widest tick label, so
// none (e.g. "100%") is cut off at the chart's left edge.
func leftPad(ticks []string) float64 {
	widest := 0.0
	for _, t := range ticks {
		widest = max(widest, textWidth(t))
	}
	return math.Ceil(widest) + 10
}

// labelEvery is how many bars each date label stands for, so that labels
// keep a gap of at least half the font between them at any count of days.
func labelEvery(pts []barPoint, slot float64) int {
	widest := 0.0
	for _, p := range pts {
		widest = max(widest, textWidth(p.Label))
	}
	return max(1, int(math.Ceil((widest+axisFont/2)/slot)))
}

// rightPad is the room right of the plot: enough for half the newest
// day's label, which is centred under the last bar at the right edge.
func rightPad(pts []barPoint) float64 {
	if len(pts) == 0 {
		return padR
	}
	return math.Max(padR, math.Ceil(textWidth(pts[len(pts)-1].Label)/2))
}

// labelled says whether bar i of n carries its date: counted back from the
// newest day, which is always labelled.
func labelled(i, n, every int) bool { return (n-1-i)%every == 0 }

func esc(s string) string { return template.HTMLEscapeString(s) }

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, so the
// axis reads well.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// chartFrame opens a chart over pts: the SVG with its title, and the value
// axis, a grid line and label for each tick from the top down, evenly
// spaced. It returns where the plot lies: its left edge, width and height.
// With no points there is nothing to plot: it says so, closes the SVG and
// returns ok false.
func chartFrame(b *strings.Builder, title string, ticks []string, pts []barPoint) (padL, plotW, plotH float64, ok bool) {
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s"><title>%s</title>`, chartW, chartH, esc(title), esc(title))
	padL = leftPad(ticks)
	padRt := rightPad(pts)
	plotW, plotH = float64(chartW)-padL-padRt, float64(chartH-padT-padB)
	steps := float64(len(ticks) - 1)
	for i, t := range ticks {
		y := float64(padT) + plotH*float64(i)/steps
		fmt.Fprintf(b, `<line class="grid" x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f"/><text class="axis" x="%.0f" y="%.1f" text-anchor="end">%s</text>`,
			padL, y, chartW-padRt, y, padL-6, y+7, t)
	}
	if len(pts) == 0 {
		fmt.Fprintf(b, `<text class="empty" x="%d" y="%d" text-anchor="middle">暂无数据</text></svg>`, chartW/2, chartH/2)
		return padL, plotW, plotH, false
	}
	return padL, plotW, plotH, true
}

// barChart draws stacked bars: the total, and Part of it in the accent
// colour.
func barChart(title, partLabel string, pts []barPoint) template.HTML {
	maxV := 0
	for _, p := range pts {
		maxV = max(maxV, p.Total)
	}
	// Counts are whole: with four grid steps the top is at least 4, so
	// every tick is a whole number too.
	top := math.Max(4, niceMax(float64(maxV)))
	if top < 20 {
		top = math.Ceil(top/4) * 4
	}
	ticks := make([]string, 5)
	for i := range ticks {
		ticks[i] = trimFloat(top * float64(4-i) / 4)
	}
	var b strings.Builder
	padL, plotW, plotH, ok := chartFrame(&b, title, ticks, pts)
	if !ok {
		return template.HTML(b.String()) //nolint:gosec // built from escaped parts
	}
	slot := plotW / float64(len(pts))
	bw := math.Max(2, slot*0.7)
	every := labelEvery(pts, slot)
	for i, p := range pts {
		x := padL + slot*float64(i) + (slot-bw)/2
		h := plotH * float64(p.Total) / top
		hp := plotH * float64(p.Part) / top
		base := float64(padT) + plotH
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s：%d（%s %d）</title></rect>`,
			x, base-h, bw, h, esc(p.Label), p.Total, esc(partLabel), p.Part)
		if p.Part > 0 {
			fmt.Fprintf(&b, `<rect class="bar part" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, x, base-hp, bw, hp)
		}
		if labelled(i, len(pts), every) {
			fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+bw/2, chartH-padB+24, esc(p.Label))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from escaped parts
}

// shareChart draws a percentage line (0–100 %) with a dot per point; a
// point with no total is skipped rather than drawn as 0.
func shareChart(title string, pts []barPoint) template.HTML {
	var b strings.Builder
	padL, plotW, plotH, ok := chartFrame(&b, title, []string{"100%", "75%", "50%", "25%", "0%"}, pts)
	if !ok {
		return template.HTML(b.String()) //nolint:gosec // built from escaped parts
	}
	slot := plotW / float64(len(pts))
	var path []string
	every := labelEvery(pts, slot)
	for i, p := range pts {
		x := padL + slot*(float64(i)+0.5)
		if labelled(i, len(pts), every) {
			fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x, chartH-padB+24, esc(p.Label))
		}
		if p.Total == 0 {
			continue
		}
		share := float64(p.Part) / float64(p.Total)
		y := float64(padT) + plotH*(1-share)
		path = append(path, fmt.Sprintf("%.1f,%.1f", x, y))
		fmt.Fprintf(&b, `<circle class="dot" cx="%.1f" cy="%.1f" r="4"><title>%s：%.0f%%（%d/%d）</title></circle>`,
			x, y, esc(p.Label), 100*share, p.Part, p.Total)
	}
	if len(path) > 1 {
		fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.Join(path, " "))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from escaped parts
}

type funnelStage struct {
	Label string
	Value int
	Class string
}

// funnelChart draws stages as centred bars whose width is the stage's
// share of the first one, with the count and share beside.
func funnelChart(title string, stages []funnelStage) template.HTML {
	const rowH, gap = 34, 8
	h := len(stages)*(rowH+gap) + gap
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s"><title>%s</title>`, chartW, h, esc(title), esc(title))
	first := 0
	if len(stages) > 0 {
		first = stages[0].Value
	}
	const labelW, barMax = 110.0, 370.0
	for i, s := range stages {
		y := float64(gap + i*(rowH+gap))
		share := 0.0
		if first > 0 {
			share = float64(s.Value) / float64(first)
		}
		w := math.Max(2, barMax*share)
		x := labelW + (barMax-w)/2
		fmt.Fprintf(&b, `<text class="flabel" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, labelW-8, y+rowH/2+7, esc(s.Label))
		fmt.Fprintf(&b, `<rect class="fbar %s" x="%.1f" y="%.1f" width="%.1f" height="%d" rx="3"/>`, esc(s.Class), x, y, w, rowH)
		fmt.Fprintf(&b, `<text class="fvalue" x="%.1f" y="%.1f">%d（%.0f%%）</text>`, labelW+barMax+10, y+rowH/2+7, s.Value, 100*share)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from escaped parts
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// progressBar is a campaign's counts as one stacked horizontal bar.
func progressBar(k *outreach.Counts) template.HTML {
	order := []string{"acknowledged", "sent", "queued", "failed", "unreachable", "opted_out"}
	counts := map[string]int{}
	for _, sc := range countsOf(k) {
		counts[sc.Status] = sc.Count
	}
	total := 0
	for _, k := range order {
		total += counts[k]
	}
	var b strings.Builder
	b.WriteString(`<svg class="progress" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label="进度">`)
	x := 0.0
	for _, k := range order {
		// Every status gets its rect, zero-width when empty, so the page's
		// script can redraw the bar as counts change.
		w := 0.0
		if total > 0 {
			w = 100 * float64(counts[k]) / float64(total)
		}
		fmt.Fprintf(&b, `<rect class="st-%s" x="%.2f" y="0" width="%.2f" height="8"><title>%s %d</title></rect>`, k, x, w, esc(label(k)), counts[k])
		x += w
	}
	if total == 0 {
		b.WriteString(`<rect class="st-none" x="0" y="0" width="100" height="8"/>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from escaped parts
}
