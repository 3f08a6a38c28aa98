package csvexport

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriterNeutralizesFormulas(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	w := NewWriter(&b)
	cells := []string{"=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1", "  =1", "H-001", "张三", "", "a=b"}
	require.NoError(t, w.Write(cells))
	w.Flush()
	require.NoError(t, w.Error())
	got, err := csv.NewReader(strings.NewReader(b.String())).Read()
	require.NoError(t, err)
	want := []string{"'=cmd|' /C calc'!A0", "'+1", "'-2+3", "'@SUM(A1)", "'\t=1", "'\r=1", "'＝1", "'  =1", "H-001", "张三", "", "a=b"}
	require.Equal(t, want, got)
}
