package knowledge

import (
	"slices"
	"testing"

	"github.com/safetynet/safetynet/knowledge/place"
)

func TestPlaceRelation(t *testing.T) {
	q := query{asked: place.Lookup("珙县"), askedNames: []string{"珙县"}}
	for _, c := range []struct {
		title, region string
		want          place.Relation
	}{
		{"珙县后扶贫时代…方案", "珙县", place.Same},
		{"宜宾市珙县…通知", "宜宾市 珙县", place.Same},
		{"四川省…实施意见", "四川", place.Above},
		{"青海民政十二项具体措施", "青海", place.Elsewhere},
		{"民政部 财政部关于进一步做好困难群众基本生活保障工作的通知", "", place.Above},
		{"2022年…工作推进会发言合集", "", place.Unknown},
	} {
		h := hit{Citation: Citation{Title: c.title}, region: c.region, divisions: divisionsOf(c.region)}
		if got := placeRelation(h, q); got != c.want {
			t.Errorf("%s (%s): got %d, want %d", c.title, c.region, got, c.want)
		}
	}
}

func TestDocumentPlace(t *testing.T) {
	for _, c := range []struct{ title, region, want string }{
		{"珙县后扶贫时代…方案", "珙县", "四川省宜宾市珙县"},
		{"宜宾市珙县…通知", "宜宾市 珙县", "四川省宜宾市珙县"},
		{"民政部 财政部关于…的通知", "", "全国"},
		{"2022年…发言合集", "", ""},
	} {
		if got := documentPlace(c.title, divisionsOf(c.region)); got != c.want {
			t.Errorf("documentPlace(%q, %q) = %q, want %q", c.title, c.region, got, c.want)
		}
	}
}

// A place name counts where the question's words begin and end with it.
func TestAskedPlaces(t *testing.T) {
	for q, want := range map[string][]string{
		"能不能提高县里的补助":    nil,
		"青海省海北州刚察县的低保":  {"青海省", "海北州", "刚察县"},
		"俺是刚察的牧民":       {"刚察"},
		"资源县的互助养老能不能申请": {"资源县"},
	} {
		got, _ := askedPlaces(q)
		if !slices.Equal(got, want) {
			t.Errorf("askedPlaces(%q) = %q, want %q", q, got, want)
		}
	}
}
