package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"wenban/appliance/kb"
	"wenban/appliance/learn"
	"wenban/ui/kbadmin"
)

// maxVersionName bounds a version's description, in characters.
const maxVersionName = 60

func (s *Server) kbVersions(w http.ResponseWriter, r *http.Request) error {
	return s.renderVersions(w, r, http.StatusOK, "", "")
}

func (s *Server) renderVersions(w http.ResponseWriter, r *http.Request, status int, msg, gate string) error {
	f, _, err := s.kbFrame(r, kbadmin.TabVersions)
	if err != nil {
		return err
	}
	f.Error, f.Gate = msg, gate
	versions, err := s.deps.KB.Versions(r.Context())
	if err != nil {
		return err
	}
	v := kbadmin.Versions{Frame: f}
	for _, it := range versions {
		by := it.By.Name
		if by == "" {
			by = "系统"
		}
		v.Items = append(v.Items, kbadmin.VersionRow{
			Number: it.Number, Name: versionLabel(it.Name), PublishedAt: s.formatTime(it.PublishedAt), By: by,
			Active: it.Active, Total: it.Total, RollbackOf: it.RollbackOf,
			Live: it.Number == f.Draft.LiveVersion,
		})
	}
	if v.History, err = s.kbHistory(r, ""); err != nil {
		return err
	}
	return s.render(w, r, status, kbadmin.VersionsView(v))
}

// formRev reads the draft revision a publish or rollback form was shown
// for. The service rejects the action when the draft has changed since,
// so staff never publish or discard edits they did not see.
func formRev(r *http.Request) (uint64, error) {
	rev, err := strconv.ParseUint(r.PostFormValue("rev"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("draft revision %q: %w", r.PostFormValue("rev"), kb.ErrDraftChanged)
	}
	return rev, nil
}

// kbPublish gates the draft and publishes it. A rejection shows the gate
// figures on the version page.
func (s *Server) kbPublish(w http.ResponseWriter, r *http.Request) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || len([]rune(name)) > maxVersionName {
		return s.renderVersions(w, r, http.StatusBadRequest, "请填写不超过 60 个字的版本说明。", "")
	}
	rev, err := formRev(r)
	if err != nil {
		return s.kbActionFailed(w, r, kbadmin.TabVersions, err)
	}
	d, err := s.deps.KB.Draft(r.Context())
	if err != nil {
		return err
	}
	if d.State.Rev == rev && d.State.Pending == 0 {
		return seeOther(w, r, "/seat/admin/kb/versions", "nochange")
	}

	out, err := s.deps.KB.PublishDraftAt(r.Context(), staffOf(r), name, rev, false)
	if err != nil {
		return s.kbActionFailed(w, r, kbadmin.TabVersions, err)
	}
	return s.renderPublished(w, r, out, "published")
}

// renderPublished shows the version page with the publish notice and the
// gate figures.
func (s *Server) renderPublished(w http.ResponseWriter, r *http.Request, out learn.Outcome, done string) error {
	q := r.URL.Query()
	q.Set("done", done)
	r.URL.RawQuery = q.Encode()
	return s.renderVersions(w, r, http.StatusOK, "", out.Gate.Summary())
}

func (s *Server) kbRollback(w http.ResponseWriter, r *http.Request) error {
	number, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		return &appError{Status: http.StatusNotFound, Message: kb.ErrVersionNotFound.Error(), Cause: err}
	}
	rev, err := formRev(r)
	if err != nil {
		return s.kbActionFailed(w, r, kbadmin.TabVersions, err)
	}
	out, err := s.deps.KB.RollbackAt(r.Context(), staffOf(r), number, rev, false)
	if err != nil {
		return s.kbActionFailed(w, r, kbadmin.TabVersions, err)
	}
	return s.renderPublished(w, r, out, "rolledback")
}
