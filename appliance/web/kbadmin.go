package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"wenban/appliance/audit"
	"wenban/appliance/kb"
	"wenban/appliance/learn"
	"wenban/ui/kbadmin"
)

// KnowledgeBase is the knowledge-base administration and learning loop
// the admin pages call. *learn.Service implements it.
type KnowledgeBase interface {
	Draft(ctx context.Context) (kb.Draft, error)
	Live(ctx context.Context) ([]kb.Entry, kb.Meta, error)
	CreateEntry(ctx context.Context, by kb.Staff, e kb.Entry) (kb.Change, error)
	UpdateEntry(ctx context.Context, by kb.Staff, e kb.Entry) (kb.Change, error)
	SetRetired(ctx context.Context, by kb.Staff, id string, retired bool) (kb.Change, error)
	AddCategory(ctx context.Context, by kb.Staff, name string) (kb.Change, error)
	RemoveCategory(ctx context.Context, by kb.Staff, name string) (kb.Change, error)
	ImportDraft(ctx context.Context, by kb.Staff, entries []kb.Entry, replace bool, source string) (kb.ImportResult, error)
	History(ctx context.Context, entryID string, limit int) ([]kb.Change, error)
	Versions(ctx context.Context) ([]kb.Version, error)
	PublishDraftAt(ctx context.Context, by kb.Staff, name string, rev uint64, force bool) (learn.Outcome, error)
	RollbackAt(ctx context.Context, by kb.Staff, number int, rev uint64, force bool) (learn.Outcome, error)
	Proposals(ctx context.Context, status string) ([]learn.Proposal, error)
	Approve(ctx context.Context, by kb.Staff, id string, force bool) (learn.Outcome, error)
	Reject(ctx context.Context, by kb.Staff, id string) error
	Clusters(ctx context.Context) ([]learn.Cluster, error)
	Cluster(ctx context.Context, id string) (learn.Cluster, bool, error)
	MarkHandled(ctx context.Context, c learn.Cluster) error
}

// historyLimit is the number of change lines the version page shows.
const historyLimit = 200

// kbNotices confirm an action after its redirect. The done query
// parameter only selects one of these fixed texts.
var kbNotices = map[string]string{
	"created":    "条目已保存到草稿，发布后生效。",
	"updated":    "修改已保存到草稿，发布后生效。",
	"unchanged":  "内容没有变化，未作修改。",
	"retired":    "条目已停用，发布后智能客服不再使用它。",
	"restored":   "条目已恢复，发布后重新启用。",
	"category":   "分类列表已更新。",
	"rejected":   "已不采纳该问法建议。",
	"dismissed":  "已忽略该组问题，今后同样的问法不再列出。",
	"imported":   "文件已导入草稿，请核对后发布。",
	"nochange":   "草稿没有未发布的修改。",
	"published":  "新版本已发布，智能客服已按新知识库重新训练。",
	"rolledback": "已回滚并发布为新版本。",
}

func (s *Server) kbRoutes(mux *http.ServeMux) {
	if s.deps.KB == nil {
		return
	}
	mux.Handle("GET /seat/admin/kb", s.adminPage(s.kbEntries))
	mux.Handle("GET /seat/admin/kb/new", s.adminPage(s.kbNewEntry))
	mux.Handle("POST /seat/admin/kb/entries", s.adminPage(s.kbCreateEntry))
	mux.Handle("GET /seat/admin/kb/entries/{id}", s.adminPage(s.kbEditEntry))
	mux.Handle("POST /seat/admin/kb/entries/{id}", s.adminPage(s.kbUpdateEntry))
	mux.Handle("POST /seat/admin/kb/entries/{id}/retire", s.adminPage(s.kbRetire))
	mux.Handle("POST /seat/admin/kb/entries/{id}/restore", s.adminPage(s.kbRestore))
	mux.Handle("GET /seat/admin/kb/categories", s.adminPage(s.kbCategories))
	mux.Handle("POST /seat/admin/kb/categories", s.adminPage(s.kbAddCategory))
	mux.Handle("POST /seat/admin/kb/categories/delete", s.adminPage(s.kbRemoveCategory))
	mux.Handle("GET /seat/admin/kb/versions", s.adminPage(s.kbVersions))
	mux.Handle("POST /seat/admin/kb/publish", s.adminPage(s.audited(audit.KBPublished, formTarget("name"), s.kbPublish)))
	mux.Handle("POST /seat/admin/kb/versions/{number}/rollback", s.adminPage(s.audited(audit.KBRolledBack, pathTarget("number"), s.kbRollback)))
	mux.Handle("GET /seat/admin/kb/transfer", s.adminPage(s.kbTransfer))
	mux.Handle("POST /seat/admin/kb/import", s.adminUpload(s.audited(audit.KBImported, importTarget, s.kbImport)))
	mux.Handle("GET /seat/admin/kb/export", s.adminPage(s.kbExport))
	mux.Handle("GET /seat/admin/kb/proposals", s.adminPage(s.kbProposals))
	mux.Handle("POST /seat/admin/kb/proposals/{id}/approve", s.adminPage(s.audited(audit.PhrasingApproved, pathTarget("id"), s.kbApprove)))
	mux.Handle("POST /seat/admin/kb/proposals/{id}/reject", s.adminPage(s.audited(audit.PhrasingRejected, pathTarget("id"), s.kbReject)))
	mux.Handle("GET /seat/admin/kb/clusters", s.adminPage(s.kbClusters))
	mux.Handle("POST /seat/admin/kb/clusters/{id}/dismiss", s.adminPage(s.kbDismissCluster))
}

// staffOf names the signed-in member for the change history.
func staffOf(r *http.Request) kb.Staff {
	_, acct := account(r)
	return kb.Staff{ID: acct.ID, Name: acct.DisplayName}
}

// kbFrame fills the header of a knowledge-base page: the navigation, the
// draft status and the notice the done parameter selects.
func (s *Server) kbFrame(r *http.Request, tab kbadmin.Tab) (kbadmin.Frame, kb.Draft, error) {
	d, err := s.deps.KB.Draft(r.Context())
	if err != nil {
		return kbadmin.Frame{}, kb.Draft{}, err
	}
	_, meta, err := s.deps.KB.Live(r.Context())
	if err != nil && !errors.Is(err, kb.ErrEmpty) {
		return kbadmin.Frame{}, kb.Draft{}, err
	}
	f := kbadmin.Frame{
		Nav:    navOf(r, "kb"),
		Tab:    tab,
		Notice: kbNotices[r.URL.Query().Get("done")],
		Draft: kbadmin.DraftStatus{
			LiveVersion: meta.Version,
			LiveName:    versionLabel(meta.Source),
			Pending:     d.State.Pending,
			Rev:         strconv.FormatUint(d.State.Rev, 10),
		},
	}
	return f, d, nil
}

// versionLabel names a version for staff. The seeded knowledge base is
// recorded under the source name "shipped", which also appears inside the
// stored names of rollbacks to it, such as "回滚到版本 1（shipped）".
func versionLabel(name string) string {
	if name == "shipped" {
		return "内置知识库"
	}
	return strings.ReplaceAll(name, "（shipped）", "（内置知识库）")
}

// kbUserMessage returns the Chinese message of an error a member of staff
// can act on, or "" for an internal failure.
func kbUserMessage(err error) string {
	var ie *kb.ImportError
	if errors.As(err, &ie) && len(ie.Problems) > 0 {
		return ie.Problems[0].Reason
	}
	var ge *learn.GateError
	if errors.As(err, &ge) {
		return ge.Error()
	}
	for _, known := range []error{
		kb.ErrEntryExists, kb.ErrEntryNotFound, kb.ErrDraftChanged, kb.ErrNoActive,
		kb.ErrVersionNotFound, kb.ErrCategoryUsed, kb.ErrCategoryInvalid, kb.ErrCategoryUnknown,
		learn.ErrProposalNotFound, learn.ErrProposalDecided,
	} {
		if errors.Is(err, known) {
			return known.Error()
		}
	}
	return ""
}

// kbActionFailed turns a failed action into a 400 page with the reason, or
// returns err for the error page when staff cannot act on it.
func (s *Server) kbActionFailed(w http.ResponseWriter, r *http.Request, tab kbadmin.Tab, err error) error {
	msg := kbUserMessage(err)
	if msg == "" {
		return err
	}
	s.log.Debug("knowledge-base action rejected", "route", r.Pattern, "error", err)
	return s.kbRenderTab(w, r, tab, http.StatusBadRequest, msg, gateOf(err))
}

func gateOf(err error) string {
	var ge *learn.GateError
	if errors.As(err, &ge) {
		return ge.Gate.Summary()
	}
	return ""
}

// kbRenderTab renders a section page with an error and gate figures. The
// entry form is not a tab, so its failures render the entry list.
func (s *Server) kbRenderTab(w http.ResponseWriter, r *http.Request, tab kbadmin.Tab, status int, msg, gate string) error {
	switch tab {
	case kbadmin.TabVersions:
		return s.renderVersions(w, r, status, msg, gate)
	case kbadmin.TabProposals:
		return s.renderProposals(w, r, status, msg, gate)
	case kbadmin.TabCategories:
		return s.renderCategories(w, r, status, msg)
	}
	return s.renderEntries(w, r, status, msg, gate)
}

func seeOther(w http.ResponseWriter, r *http.Request, path, done string) error {
	http.Redirect(w, r, path+"?done="+done, http.StatusSeeOther)
	return nil
}
