package citizen

// Citation is one article an answer rests on (政策依据).
type Citation struct {
	// Ref is the reference as the knowledge base writes it. The page never
	// shows it, because citizens should not see the internal "doc#article"
	// form.
	Ref string
	// Found is false when the library has no such document or article.
	Found     bool
	Title     string
	DocNumber string
	Article   string
	// Status is the document's 效力, such as 已废止.
	Status string
	// URL opens the document at the article.
	URL string
}
