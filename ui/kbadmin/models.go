// Package kbadmin holds the knowledge-base administration pages: the entry
// list and form, categories, versions with the change history, import and
// export, the proposed phrasings and the clusters of unanswered questions.
// Components take view models shaped like the screen; handlers in
// appliance/web fill them.
package kbadmin

import "wenban/ui/seat"

// Tab names the page of the knowledge-base section shown.
type Tab string

// Tabs of the knowledge-base section.
const (
	TabEntries    Tab = "entries"
	TabCategories Tab = "categories"
	TabVersions   Tab = "versions"
	TabTransfer   Tab = "transfer"
	TabProposals  Tab = "proposals"
	TabClusters   Tab = "clusters"
)

// Frame is the header of every knowledge-base page, above its body.
type Frame struct {
	Nav seat.Nav
	Tab Tab
	// Notice confirms an action; Error reports a failed one. Both are
	// fixed text or messages meant for staff.
	Notice string
	Error  string
	// Gate is the retrain gate's figures of the last publish attempt.
	Gate string
	// Draft summarises the working draft against the live version.
	Draft DraftStatus
}

// DraftStatus is the state of the working draft.
type DraftStatus struct {
	LiveVersion int
	LiveName    string
	Pending     int
	// Rev is the draft revision shown, posted back by publish and
	// rollback forms.
	Rev string
}

// Entries is the entry list with its filters.
type Entries struct {
	Frame
	Query    string
	Category string
	// Status is "", "active" or "retired".
	Status     string
	Categories []string
	Items      []EntryRow
	Total      int
}

// EntryRow is one entry in the list.
type EntryRow struct {
	ID        string
	Category  string
	Question  string
	Phrasings int
	Materials int
	Retired   bool
	// Unpublished is set when the draft entry differs from the live
	// version: new, edited, retired or restored since the last publish.
	Unpublished bool
	UpdatedAt   string
	UpdatedBy   string
}

// EntryForm is the create or edit form of one entry.
type EntryForm struct {
	Frame
	// New is set on the create form, where the id is editable.
	New      bool
	ID       string
	Category string
	Question string
	// Similar and Materials hold one item per line.
	Similar   string
	Answer    string
	Materials string
	// Basis holds one policy reference per line, such as
	// 土地管理法#第四十四条.
	Basis      string
	Retired    bool
	Categories []string
	// Cluster is the id of the unanswered-question cluster the form was
	// started from, posted back so the cluster leaves the list.
	Cluster string
	History []Change
}

// Categories is the category list.
type Categories struct {
	Frame
	Items []CategoryRow
}

// CategoryRow is one category with the number of draft entries using it.
type CategoryRow struct {
	Name    string
	Entries int
}

// Versions lists published versions and the change history.
type Versions struct {
	Frame
	Items   []VersionRow
	History []Change
}

// VersionRow is one published version.
type VersionRow struct {
	Number      int
	Name        string
	PublishedAt string
	By          string
	Active      int
	Total       int
	RollbackOf  int
	Live        bool
}

// Change is one line of the change history.
type Change struct {
	At      string
	By      string
	Action  string
	EntryID string
	Summary string
}

// Transfer is the import and export page.
type Transfer struct {
	Frame
	// Report lists the problems of a rejected file, one row each.
	Report []Problem
	// Truncated is set when the file had more problems than listed.
	Truncated bool
	FileName  string
	// Checked confirms a dry run that found no problem, or an import.
	Checked string
	// DryRun is set when Checked reports a check without an import.
	DryRun bool
}

// Problem is one row of the import report.
type Problem struct {
	Row    string
	Field  string
	Reason string
}

// Proposals is the queue of proposed phrasings.
type Proposals struct {
	Frame
	Items   []ProposalRow
	Decided []ProposalRow
}

// ProposalRow is one proposed phrasing.
type ProposalRow struct {
	ID            string
	EntryID       string
	EntryQuestion string
	// EntrySimilar is the entry's current phrasings in the draft, shown
	// beside the proposal so a duplicate is easy to spot.
	EntrySimilar []string
	Phrasing     string
	Agent        string
	CreatedAt    string
	Status       string
	DecidedBy    string
}

// Clusters lists the groups of unanswered questions.
type Clusters struct {
	Frame
	Items []ClusterRow
}

// ClusterRow is one group of unanswered questions.
type ClusterRow struct {
	ID        string
	Count     int
	Suggested string
	Examples  []string
	Last      string
}
