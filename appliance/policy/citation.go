package policy

import (
	"fmt"
	"net/url"
	"strings"
)

// Citation is a knowledge-base entry's reference to a document or one of
// its articles, resolved against the library.
type Citation struct {
	// Ref is the reference as written in the entry, such as
	// "土地管理法#第四十四条".
	Ref string `json:"ref"`
	// Found is false when the library has no such document or article.
	// Title, DocNumber, Status and URL are set whenever the document
	// exists.
	Found     bool   `json:"found"`
	DocID     string `json:"doc_id"`
	Title     string `json:"title,omitempty"`
	DocNumber string `json:"doc_number,omitempty"`
	// Article is the canonical article number, such as "第四十四条", or
	// empty for a reference to a whole document.
	Article string `json:"article,omitempty"`
	// Status is the document's 效力, so a citation of a repealed law
	// shows it.
	Status string `json:"status,omitempty"`
	// URL is the article's place on the document page.
	URL string `json:"url,omitempty"`
}

// ParseRef splits a reference "id#第X条" or "id" into the document id and
// the canonical article number, accepting Arabic digits ("第44条") too.
func ParseRef(ref string) (docID, article string, err error) {
	docID, number, hasArticle := strings.Cut(strings.TrimSpace(ref), "#")
	if reason := checkID(docID); reason != "" {
		return "", "", fmt.Errorf("政策依据 %q 无效：%s", clip(ref), reason)
	}
	if !hasArticle {
		return docID, "", nil
	}
	canonical, _, rest, ok := parseArticleStart(strings.TrimSpace(number))
	if !ok || rest != "" {
		return "", "", fmt.Errorf("政策依据 %q 无效：# 之后应写条文序号，如“第十二条”", clip(ref))
	}
	return docID, canonical, nil
}

// DocumentURL is the path of a document's page.
func DocumentURL(id string) string { return "/policy/doc/" + url.PathEscape(id) }

// Cite resolves references against the current library, in the order
// given. An invalid reference is returned with Found false and no DocID.
func (l *Library) Cite(refs []string) []Citation {
	out := make([]Citation, 0, len(refs))
	for _, ref := range refs {
		out = append(out, l.cite(ref))
	}
	return out
}

func (l *Library) cite(ref string) Citation {
	c := Citation{Ref: ref}
	docID, number, err := ParseRef(ref)
	if err != nil {
		return c
	}
	c.DocID, c.Article = docID, number

	d, ok := l.Document(docID)
	if !ok {
		return c
	}
	c.Title, c.DocNumber, c.Status = d.Title, d.DocNumber, d.Status.String()
	c.URL = DocumentURL(d.ID)
	if number != "" {
		a, ok := d.Article(number)
		if !ok {
			return c
		}
		c.URL += "#" + a.Anchor()
	}
	c.Found = true
	return c
}
