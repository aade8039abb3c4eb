// Package policy is the pages of the policy and regulation library: the
// citizen search page with filters and highlighted snippets, the document
// page with an anchor on every article, and the administrators' page of
// update runs and document versions.
package policy

import "wenban/ui/seat"

// Search is the view model of the citizen search page.
type Search struct {
	Query  string
	Status string
	Issuer string
	Level  string
	// Searched is true when a query or filter was given; the page then
	// shows Hits, otherwise the document list.
	Searched bool
	Total    int
	Hits     []Hit
	// Filters list each filter's values with their counts among the
	// matches, or among all documents before a search.
	StatusOptions []Option
	IssuerOptions []Option
	LevelOptions  []Option
	// Documents lists the library before a search.
	Documents []DocumentRow
	Error     string
	PrevURL   string
	NextURL   string
}

// Option is one value of a filter.
type Option struct {
	Value    string
	Count    int
	Selected bool
}

// Hit is one matching article.
type Hit struct {
	Title     string
	DocNumber string
	Issuer    string
	Status    string
	Level     string
	Article   string
	Chapter   string
	// URL opens the document at the article.
	URL     string
	Snippet []Segment
}

// Segment is a run of snippet text; Mark runs matched the search.
type Segment struct {
	Text string
	Mark bool
}

// DocumentRow is one document in a list.
type DocumentRow struct {
	ID        string
	Title     string
	DocNumber string
	Issuer    string
	Status    string
	Level     string
	Published string
	URL       string
	// VersionsURL is the admin page of the document's revisions.
	VersionsURL string
	Revision    uint64
	Updated     string
}

// Document is the view model of a document page.
type Document struct {
	DocumentRow
	Effective string
	Summary   string
	Note      string
	Version   string
	// Old is true when the page shows a revision other than the latest;
	// LatestURL then links to the latest.
	Old       bool
	LatestURL string
	Articles  []Article
}

// Article is one article on the document page.
type Article struct {
	Anchor string
	Number string
	// Chapter is shown as a heading above the first article of each
	// chapter; empty for the others.
	Chapter    string
	Paragraphs []string
}

// Admin is the view model of the administrators' library page.
type Admin struct {
	Nav      seat.Nav
	Source   string
	Schedule string
	Next     string
	Running  bool
	Notice   string
	Error    string
	Reports  []Report
	Docs     []DocumentRow
}

// Report is one update run.
type Report struct {
	Run       uint64
	Started   string
	Finished  string
	Source    string
	Trigger   string
	OK        bool
	Error     string
	Added     []Change
	Changed   []Change
	Repealed  []Change
	Failed    []Change
	Unchanged int
}

// Change is one document a run touched.
type Change struct {
	ID       string
	Title    string
	Version  string
	Revision uint64
	Reason   string
}

// Versions is the view model of one document's version list.
type Versions struct {
	Nav   seat.Nav
	Doc   DocumentRow
	Items []Version
}

// Version is one stored revision.
type Version struct {
	Revision uint64
	Version  string
	Status   string
	Updated  string
	Hash     string
	URL      string
}
