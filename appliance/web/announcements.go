package web

import (
	"context"
	"errors"
	"net/http"

	"wenban/appliance/announce"
	"wenban/ui/citizen"
	"wenban/ui/seat"
)

// AnnouncementBoard keeps the hall's announcements. *announce.Board
// implements it.
type AnnouncementBoard interface {
	Publish(ctx context.Context, a announce.Announcement, by string) (announce.Announcement, error)
	Withdraw(ctx context.Context, id string) (announce.Announcement, error)
	List(ctx context.Context) ([]announce.Announcement, error)
	Current(ctx context.Context) ([]announce.Announcement, error)
}

// errNoAnnouncements is the reply of the announcement routes on a hub
// without an announcement board.
var errNoAnnouncements = &appError{Status: http.StatusNotFound, Message: "本服务中心未启用公告。"}

// notices returns today's announcements for the citizen page. A failure
// only logs, because the page must still answer questions.
func (s *Server) notices(ctx context.Context) []citizen.Notice {
	if s.deps.Announcements == nil {
		return nil
	}
	current, err := s.deps.Announcements.Current(ctx)
	if err != nil {
		s.log.Error("listing announcements failed", "error", err)
		return nil
	}
	out := make([]citizen.Notice, 0, len(current))
	for _, a := range current {
		out = append(out, citizen.Notice{Title: a.Title, Body: a.Body, Period: periodText(a)})
	}
	return out
}

func periodText(a announce.Announcement) string {
	if a.From == a.Until {
		return a.From
	}
	return a.From + " 至 " + a.Until
}

// announcementsPage serves GET /seat/admin/announcements.
func (s *Server) announcementsPage(w http.ResponseWriter, r *http.Request) error {
	view := seat.Announcements{}
	switch r.URL.Query().Get("done") {
	case "published":
		view.Notice = "公告已发布，将在显示时段内出现在群众页面顶部。"
	case "withdrawn":
		view.Notice = "公告已撤下。"
	}
	return s.renderAnnouncements(w, r, http.StatusOK, view)
}

func (s *Server) renderAnnouncements(w http.ResponseWriter, r *http.Request, status int, view seat.Announcements) error {
	if s.deps.Announcements == nil {
		return errNoAnnouncements
	}
	all, err := s.deps.Announcements.List(r.Context())
	if err != nil {
		return err
	}
	now := s.now()
	today := now.In(s.location()).Format("2006-01-02")
	for _, a := range all {
		row := seat.AnnouncementRow{ID: a.ID, Title: a.Title, Body: a.Body, Period: periodText(a), CreatedBy: a.CreatedBy}
		switch {
		case a.Withdrawn:
			row.State = "已撤下"
		case a.Until < today:
			row.State = "已结束"
		case a.From > today:
			row.State, row.Active = "待显示", true
		default:
			row.State, row.Active = "显示中", true
		}
		view.Rows = append(view.Rows, row)
	}
	view.Nav = navOf(r, "announcements")
	return s.render(w, r, status, seat.AnnouncementsView(view))
}

// publishAnnouncement serves POST /seat/admin/announcements.
func (s *Server) publishAnnouncement(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Announcements == nil {
		return errNoAnnouncements
	}
	_, acct := account(r)
	a := announce.Announcement{
		Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		From: r.PostFormValue("from"), Until: r.PostFormValue("until"),
	}
	_, err := s.deps.Announcements.Publish(r.Context(), a, acct.DisplayName)
	var ie *announce.InputError
	if errors.As(err, &ie) {
		view := seat.Announcements{Title: a.Title, Body: a.Body, From: a.From, Until: a.Until, Error: ie.Message, Field: ie.Field}
		return s.renderAnnouncements(w, r, http.StatusBadRequest, view)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/seat/admin/announcements?done=published", http.StatusSeeOther)
	return nil
}

// withdrawAnnouncement serves POST /seat/admin/announcements/{id}/withdraw.
func (s *Server) withdrawAnnouncement(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Announcements == nil {
		return errNoAnnouncements
	}
	_, err := s.deps.Announcements.Withdraw(r.Context(), r.PathValue("id"))
	if errors.Is(err, announce.ErrNotFound) {
		return &appError{Status: http.StatusNotFound, Message: "未找到该公告，请刷新页面。", Cause: err}
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/seat/admin/announcements?done=withdrawn", http.StatusSeeOther)
	return nil
}

// announcementTarget names the announcement of a withdraw request by its
// title for the audit trail, falling back to its id.
func (s *Server) announcementTarget(r *http.Request) string {
	id := r.PathValue("id")
	if s.deps.Announcements == nil {
		return id
	}
	all, err := s.deps.Announcements.List(r.Context())
	if err != nil {
		return id
	}
	for _, a := range all {
		if a.ID == id {
			return a.Title
		}
	}
	return id
}
