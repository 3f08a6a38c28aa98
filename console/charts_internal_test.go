package console

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var reAxis = regexp.MustCompile(`<text class="axis" x="([0-9.]+)" y="[0-9.]+" text-anchor="(end|middle)">([^<]+)</text>`)

type axisLabel struct {
	x      float64
	anchor string
	text   string
}

func axisLabels(t *testing.T, svg string) (dates, ticks []axisLabel) {
	for _, m := range reAxis.FindAllStringSubmatch(svg, -1) {
		x, err := strconv.ParseFloat(m[1], 64)
		require.NoError(t, err)
		l := axisLabel{x, m[2], m[3]}
		if l.anchor == "middle" {
			dates = append(dates, l)
		} else {
			ticks = append(ticks, l)
		}
	}
	return dates, ticks
}

func days(n int) []barPoint {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pts := make([]barPoint, n)
	for i := range pts {
		pts[i] = barPoint{Label: start.AddDate(0, 0, i).Format("01-02"), Total: i * 37 % 11, Part: i % 3}
	}
	return pts
}

// Date labels never run into each other, whatever the number of days; the
// newest day is always labelled; no tick label starts left of the chart.
func TestChartLabelsKeepApart(t *testing.T) {
	for _, n := range []int{1, 7, 14, 30, 90, 365} {
		for name, svg := range map[string]string{
			"bars":  string(barChart("t", "p", days(n))),
			"share": string(shareChart("t", days(n))),
		} {
			what := fmt.Sprintf("%s, %d days", name, n)
			dates, ticks := axisLabels(t, svg)
			require.NotEmpty(t, dates, what)
			require.Equal(t, days(n)[n-1].Label, dates[len(dates)-1].text, what)
			last := dates[len(dates)-1]
			require.LessOrEqual(t, last.x+textWidth(last.text)/2, float64(chartW), "%s: the newest label is cut at the right", what)
			for i := 1; i < len(dates); i++ {
				gap := dates[i].x - dates[i-1].x
				need := (textWidth(dates[i].text)+textWidth(dates[i-1].text))/2 + axisFont/2
				require.GreaterOrEqual(t, gap, need, "%s: %s and %s", what, dates[i-1].text, dates[i].text)
			}
			require.Len(t, ticks, 5, what)
			for _, tk := range ticks {
				require.GreaterOrEqual(t, tk.x-textWidth(tk.text), 0.0, "%s: tick %q clipped", what, tk.text)
			}
		}
	}
	_, ticks := axisLabels(t, string(shareChart("t", days(14))))
	require.Equal(t, "100%", ticks[0].text)
}

// With no days both charts still draw their axis, say there is no data and
// close the SVG.
func TestChartsWithoutPoints(t *testing.T) {
	for name, svg := range map[string]string{
		"bars":  string(barChart("t", "p", nil)),
		"share": string(shareChart("t", nil)),
	} {
		dates, ticks := axisLabels(t, svg)
		require.Empty(t, dates, name)
		require.Len(t, ticks, 5, name)
		require.Contains(t, svg, ">暂无数据</text></svg>", name)
		require.Equal(t, 1, strings.Count(svg, "</svg>"), name)
	}
}
