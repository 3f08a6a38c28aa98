package knowledge

import "testing"

// A short rule that holds the question's words beats a long passage that
// holds them among many others, when the fusion had them level.
func TestOkapiWeighsDownLongItems(t *testing.T) {
	long := "各地要统筹做好社会救助工作,加强低保、特困、临时救助与医疗救助、教育救助、住房救助的衔接,做好渐退期管理,完善救助对象动态调整机制,提升经办服务能力。"
	short := "低保渐退期一般为6个月。"
	grams := func(text string, n float64) []queryTerm {
		var out []queryTerm
		for _, g := range append(hanChars(text), bigrams(text)...) {
			out = append(out, queryTerm{term: g, weight: 1, idf: okapiIDF(n, 1)})
		}
		return out
	}
	q := grams("渐退期多长", 100)
	hits := []hit{{item: long, Citation: Citation{Doc: "long", Score: 1}}, {item: short, Citation: Citation{Doc: "short", Score: 1}}}

	okapi(hits, q, 0)
	if hits[0].Doc != "long" || hits[0].Score != 1 {
		t.Fatalf("weight 0 changed the hits: %+v", hits)
	}
	okapi(hits, q, 0.15)
	if hits[0].Doc != "short" {
		t.Fatalf("the long item still first: %s %.3f, %s %.3f", hits[0].Doc, hits[0].Score, hits[1].Doc, hits[1].Score)
	}
	if hits[0].Score != 1.15 {
		t.Errorf("best item got %.3f, want 1 + the whole weight", hits[0].Score)
	}
	if hits[1].Score <= 1 {
		t.Errorf("the long item holds the words too, yet got nothing: %.3f", hits[1].Score)
	}
}

func TestGramCounts(t *testing.T) {
	counts, n := gramCounts("低保 低保金")
	if counts["低"] != 2 || counts["低保"] != 2 || counts["保金"] != 1 || counts["保低"] != 0 {
		t.Errorf("counts %v", counts)
	}
	if n != 3 {
		t.Errorf("length %v, want 3 bigrams", n)
	}
}
