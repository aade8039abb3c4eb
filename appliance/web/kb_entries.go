package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"wenban/appliance/kb"
	"wenban/ui/kbadmin"
)

// kbEntries lists the draft entries, filtered by the search text, the
// category and the status.
func (s *Server) kbEntries(w http.ResponseWriter, r *http.Request) error {
	return s.renderEntries(w, r, http.StatusOK, "", "")
}

func (s *Server) renderEntries(w http.ResponseWriter, r *http.Request, status int, msg, gate string) error {
	f, d, err := s.kbFrame(r, kbadmin.TabEntries)
	if err != nil {
		return err
	}
	f.Error, f.Gate = msg, gate
	q := r.URL.Query()
	v := kbadmin.Entries{
		Frame:      f,
		Query:      strings.TrimSpace(q.Get("q")),
		Category:   q.Get("category"),
		Status:     q.Get("status"),
		Categories: d.Categories,
		Total:      len(d.Items),
	}
	live, err := s.liveByID(r)
	if err != nil {
		return err
	}
	for _, it := range d.Items {
		if !entryMatches(it, v.Query, v.Category, v.Status) {
			continue
		}
		v.Items = append(v.Items, kbadmin.EntryRow{
			ID:          it.ID,
			Category:    it.Category,
			Question:    it.Question,
			Phrasings:   1 + len(it.Similar),
			Materials:   len(it.Materials),
			Retired:     it.Retired,
			Unpublished: unpublished(it, live),
			UpdatedAt:   s.formatTime(it.UpdatedAt),
			UpdatedBy:   it.UpdatedBy.Name,
		})
	}
	return s.render(w, r, status, kbadmin.EntriesView(v))
}

// liveByID returns the live version's entries by id, or an empty map
// before the first publish.
func (s *Server) liveByID(r *http.Request) (map[string]kb.Entry, error) {
	live, _, err := s.deps.KB.Live(r.Context())
	if err != nil && !errors.Is(err, kb.ErrEmpty) {
		return nil, err
	}
	out := make(map[string]kb.Entry, len(live))
	for _, e := range live {
		out[e.ID] = e
	}
	return out, nil
}

// unpublished reports whether publishing would change what the bot uses
// for this item. The live version contains only active entries, so a retired
// item is unpublished while live still has it.
func unpublished(it kb.Item, live map[string]kb.Entry) bool {
	e, inLive := live[it.ID]
	if it.Retired {
		return inLive
	}
	return !inLive || kb.DiffSummary(e, it.Entry) != ""
}

func entryMatches(it kb.Item, query, category, status string) bool {
	switch {
	case category != "" && it.Category != category:
		return false
	case status == "active" && it.Retired, status == "retired" && !it.Retired:
		return false
	case query == "":
		return true
	}
	if strings.Contains(it.ID, query) || strings.Contains(it.Question, query) || strings.Contains(it.Answer, query) {
		return true
	}
	for _, p := range it.Similar {
		if strings.Contains(p, query) {
			return true
		}
	}
	return false
}

// kbNewEntry shows the create form, filled from an unanswered-question
// cluster when the cluster parameter names one.
func (s *Server) kbNewEntry(w http.ResponseWriter, r *http.Request) error {
	f, d, err := s.kbFrame(r, kbadmin.TabEntries)
	if err != nil {
		return err
	}
	v := kbadmin.EntryForm{Frame: f, New: true, Categories: d.Categories}
	if id := r.URL.Query().Get("cluster"); id != "" {
		c, ok, err := s.deps.KB.Cluster(r.Context(), id)
		if err != nil {
			return err
		}
		if !ok {
			v.Error = "该组问题已有变化，请回到待补充问题页面重新选择。"
		} else {
			v.Cluster, v.Question, v.Similar = c.ID, c.Suggested, strings.Join(c.Others(), "\n")
		}
	}
	return s.render(w, r, http.StatusOK, kbadmin.EntryFormView(v))
}

// entryFromForm reads the entry fields of the create and edit forms. The
// lists are typed one item per line.
func entryFromForm(r *http.Request, id string) kb.Entry {
	return kb.Entry{
		ID:        id,
		Category:  r.PostFormValue("category"),
		Question:  r.PostFormValue("question"),
		Similar:   strings.Split(r.PostFormValue("similar"), "\n"),
		Answer:    r.PostFormValue("answer"),
		Materials: strings.Split(r.PostFormValue("materials"), "\n"),
		Basis:     strings.Split(r.PostFormValue("basis"), "\n"),
	}
}

// renderEntryForm shows the form again with what was typed and the reason
// it was rejected.
func (s *Server) renderEntryForm(w http.ResponseWriter, r *http.Request, status int, e kb.Entry, isNew bool, msg string) error {
	f, d, err := s.kbFrame(r, kbadmin.TabEntries)
	if err != nil {
		return err
	}
	f.Error = msg
	v := kbadmin.EntryForm{
		Frame: f, New: isNew, ID: e.ID, Category: e.Category, Question: e.Question,
		Similar: strings.Join(e.Similar, "\n"), Answer: e.Answer,
		Materials: strings.Join(e.Materials, "\n"), Basis: strings.Join(e.Basis, "\n"),
		Categories: d.Categories,
		Cluster:    r.PostFormValue("cluster"),
	}
	if !isNew {
		it, ok := d.Item(e.ID)
		if !ok {
			return &appError{Status: http.StatusNotFound, Message: kb.ErrEntryNotFound.Error()}
		}
		v.Retired = it.Retired
		if v.History, err = s.kbHistory(r, e.ID); err != nil {
			return err
		}
	}
	return s.render(w, r, status, kbadmin.EntryFormView(v))
}

func (s *Server) kbCreateEntry(w http.ResponseWriter, r *http.Request) error {
	e := entryFromForm(r, r.PostFormValue("id"))
	if reason := s.entryCitationProblem(e); reason != "" {
		return s.renderEntryForm(w, r, http.StatusBadRequest, e, true, reason+"。条目未保存。")
	}
	_, err := s.deps.KB.CreateEntry(r.Context(), staffOf(r), e)
	if msg := kbUserMessage(err); msg != "" {
		return s.renderEntryForm(w, r, http.StatusBadRequest, e, true, msg)
	}
	if err != nil {
		return err
	}
	if id := r.PostFormValue("cluster"); id != "" {
		if err := s.markClusterHandled(r, id); err != nil {
			return err
		}
	}
	return seeOther(w, r, "/seat/admin/kb/entries/"+url.PathEscape(e.ID), "created")
}

func (s *Server) markClusterHandled(r *http.Request, id string) error {
	c, ok, err := s.deps.KB.Cluster(r.Context(), id)
	if err != nil || !ok {
		return err
	}
	return s.deps.KB.MarkHandled(r.Context(), c)
}

func (s *Server) kbEditEntry(w http.ResponseWriter, r *http.Request) error {
	d, err := s.deps.KB.Draft(r.Context())
	if err != nil {
		return err
	}
	it, ok := d.Item(r.PathValue("id"))
	if !ok {
		return &appError{Status: http.StatusNotFound, Message: kb.ErrEntryNotFound.Error()}
	}
	return s.renderEntryForm(w, r, http.StatusOK, it.Entry, false, "")
}

func (s *Server) kbUpdateEntry(w http.ResponseWriter, r *http.Request) error {
	e := entryFromForm(r, r.PathValue("id"))
	if reason := s.entryCitationProblem(e); reason != "" {
		return s.renderEntryForm(w, r, http.StatusBadRequest, e, false, reason+"。修改未保存。")
	}
	ch, err := s.deps.KB.UpdateEntry(r.Context(), staffOf(r), e)
	if msg := kbUserMessage(err); msg != "" {
		return s.renderEntryForm(w, r, http.StatusBadRequest, e, false, msg)
	}
	if err != nil {
		return err
	}
	done := "updated"
	if ch.Action == "" {
		done = "unchanged"
	}
	return seeOther(w, r, "/seat/admin/kb/entries/"+url.PathEscape(e.ID), done)
}

func (s *Server) kbRetire(w http.ResponseWriter, r *http.Request) error {
	return s.kbSetRetired(w, r, true)
}

func (s *Server) kbRestore(w http.ResponseWriter, r *http.Request) error {
	return s.kbSetRetired(w, r, false)
}

func (s *Server) kbSetRetired(w http.ResponseWriter, r *http.Request, retired bool) error {
	id := r.PathValue("id")
	if _, err := s.deps.KB.SetRetired(r.Context(), staffOf(r), id, retired); err != nil {
		return s.kbActionFailed(w, r, kbadmin.TabEntries, err)
	}
	done := "restored"
	if retired {
		done = "retired"
	}
	return seeOther(w, r, "/seat/admin/kb/entries/"+url.PathEscape(id), done)
}

func (s *Server) kbHistory(r *http.Request, entryID string) ([]kbadmin.Change, error) {
	changes, err := s.deps.KB.History(r.Context(), entryID, historyLimit)
	if err != nil {
		return nil, err
	}
	out := make([]kbadmin.Change, len(changes))
	for i, c := range changes {
		by := c.By.Name
		if by == "" {
			by = "系统"
		}
		out[i] = kbadmin.Change{At: s.formatTime(c.At), By: by, Action: c.Action.Label(), EntryID: c.EntryID, Summary: c.Summary}
	}
	return out, nil
}

func (s *Server) kbCategories(w http.ResponseWriter, r *http.Request) error {
	return s.renderCategories(w, r, http.StatusOK, "")
}

func (s *Server) renderCategories(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	f, d, err := s.kbFrame(r, kbadmin.TabCategories)
	if err != nil {
		return err
	}
	f.Error = msg
	v := kbadmin.Categories{Frame: f}
	for _, c := range d.Categories {
		n := 0
		for _, it := range d.Items {
			if it.Category == c {
				n++
			}
		}
		v.Items = append(v.Items, kbadmin.CategoryRow{Name: c, Entries: n})
	}
	return s.render(w, r, status, kbadmin.CategoriesView(v))
}

func (s *Server) kbAddCategory(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.deps.KB.AddCategory(r.Context(), staffOf(r), r.PostFormValue("name")); err != nil {
		return s.kbActionFailed(w, r, kbadmin.TabCategories, err)
	}
	return seeOther(w, r, "/seat/admin/kb/categories", "category")
}

func (s *Server) kbRemoveCategory(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.deps.KB.RemoveCategory(r.Context(), staffOf(r), r.PostFormValue("name")); err != nil {
		return s.kbActionFailed(w, r, kbadmin.TabCategories, err)
	}
	return seeOther(w, r, "/seat/admin/kb/categories", "category")
}
