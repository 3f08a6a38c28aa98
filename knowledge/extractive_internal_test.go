package knowledge

import "testing"

// Quotes from documents of different places say whose each is; quotes of
// one place say nothing.
func TestPlacesNote(t *testing.T) {
	hits := []hit{{region: "青海"}, {region: "珙县"}, {region: "珙县"}, {}}
	picked := []sentence{{cite: 0}, {cite: 1}, {cite: 2}, {cite: 2}}
	want := "（这几条出自不同地方的文件：[1]是青海的，[2][3]是珙县的。各地的规定不一样，以您所在地的为准。）"
	if got := placesNote(picked, hits); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := placesNote([]sentence{{cite: 1}, {cite: 2}}, hits); got != "" {
		t.Errorf("quotes of one place got a note: %q", got)
	}
	if got := placesNote([]sentence{{cite: 0}, {cite: 3}}, hits); got != "（这几条出自不同地方的文件：[1]是青海的，[4]是未注明地方的。各地的规定不一样，以您所在地的为准。）" {
		t.Errorf("a document of no place: %q", got)
	}
}
