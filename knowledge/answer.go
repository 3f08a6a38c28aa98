// Package knowledge is the policy knowledge base: documents ingested into
// chunks with embeddings and full-text vectors, hybrid retrieval, and
// answers that cite their sources.
package knowledge

// Citation is one source passage of an answer, as `ask --json` prints it.
type Citation struct {
	Doc     string  `json:"doc"`     // the ingested file's base name
	Title   string  `json:"title"`   // the document's title
	Section string  `json:"section"` // section path within the document, e.g. "二、(一) 1."
	Text    string  `json:"text"`    // the passage
	Score   float64 `json:"score"`   // fused relevance, higher is better
	// Place is where the document's rules hold as the bot reads it
	// ("青海省", "全国"); empty when the document names no place.
	Place string `json:"place,omitempty"`
}

// Answer is the reply to one question. When Answered is false the corpus
// does not cover the question and Text says so and gives the hotline.
type Answer struct {
	Question  string     `json:"question"`
	Answered  bool       `json:"answered"`
	Text      string     `json:"answer"`
	Citations []Citation `json:"citations"`
	// OfferCheck is true when the question describes a household's
	// situation ("我家老人瘫痪在床…能申请什么"): the channel offers the
	// eligibility pre-check beside the answer.
	OfferCheck bool `json:"offer_check"`
}
