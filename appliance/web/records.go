package web

import (
	"errors"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"wenban/appliance/conversation"
	"wenban/ui/seat"
)

// Limits of the history page.
const (
	historyPageSize   = 50
	maxHistoryQueryLn = 100 // runes
)

// history lists conversations newest first, or the search hits for q.
func (s *Server) history(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if !utf8.ValidString(q) {
		return badRequest(msgInvalidText, errors.New("history query is not valid UTF-8"))
	}
	if utf8.RuneCountInString(q) > maxHistoryQueryLn {
		q = string([]rune(q)[:maxHistoryQueryLn])
	}

	view := seat.History{Nav: navOf(r, "history"), Query: q}
	if q != "" {
		hits, err := s.deps.Conversations.Search(r.Context(), q, historyPageSize)
		if err != nil {
			return err
		}
		for _, h := range hits {
			it := s.historyItem(h.Conversation)
			for _, sn := range h.Snippets {
				it.Snippets = append(it.Snippets, splitSnippet(sn))
			}
			view.Items = append(view.Items, it)
		}
		return s.render(w, r, http.StatusOK, seat.HistoryView(view))
	}

	var before time.Time
	if b := r.URL.Query().Get("before"); b != "" {
		t, err := time.Parse(time.RFC3339Nano, b)
		if err != nil {
			return badRequest("翻页参数有误，请返回第一页。", err)
		}
		before = t
	}
	list, err := s.deps.Conversations.List(r.Context(), conversation.ListFilter{Limit: historyPageSize + 1, Before: before})
	if err != nil {
		return err
	}
	if len(list) > historyPageSize {
		list = list[:historyPageSize]
		view.More = list[len(list)-1].CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	for _, c := range list {
		view.Items = append(view.Items, s.historyItem(c))
	}
	if before.IsZero() {
		if view.Groups, err = s.groupHistory(r); err != nil {
			return err
		}
	}
	return s.render(w, r, http.StatusOK, seat.HistoryView(view))
}

func (s *Server) historyItem(c conversation.Conversation) seat.HistoryItem {
	it := seat.HistoryItem{
		ID:        string(c.ID),
		Topic:     c.Topic,
		Channel:   c.Channel,
		State:     c.State.String(),
		AgentName: c.AgentName,
		Started:   s.formatTime(c.CreatedAt),
	}
	if c.Rating != nil {
		it.Rating = c.Rating.Score
	}
	return it
}

func (s *Server) formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.location()).Format("2006-01-02 15:04")
}

// splitSnippet turns a search snippet, HTML-escaped text with <mark>
// around the hits, back into plain runs, so the page escapes the text
// itself and never inserts the service's markup.
func splitSnippet(snippet string) []seat.Segment {
	var out []seat.Segment
	rest := snippet
	for rest != "" {
		open := strings.Index(rest, "<mark>")
		if open < 0 {
			out = appendSegment(out, rest, false)
			break
		}
		out = appendSegment(out, rest[:open], false)
		rest = rest[open+len("<mark>"):]

		end := strings.Index(rest, "</mark>")
		if end < 0 {
			out = appendSegment(out, rest, true)
			break
		}
		out = appendSegment(out, rest[:end], true)
		rest = rest[end+len("</mark>"):]
	}
	return out
}

func appendSegment(out []seat.Segment, escaped string, mark bool) []seat.Segment {
	if escaped == "" {
		return out
	}
	return append(out, seat.Segment{Text: html.UnescapeString(escaped), Mark: mark})
}

// transcript shows one conversation's whole record.
func (s *Server) transcript(w http.ResponseWriter, r *http.Request) error {
	id := conversation.ID(r.PathValue("id"))
	c, err := s.deps.Conversations.Get(r.Context(), id)
	if err != nil {
		return err
	}
	msgs, err := s.deps.Conversations.Messages(r.Context(), id, 0)
	if err != nil {
		return err
	}

	names, err := s.accountNames(r)
	if err != nil {
		return err
	}
	agents := make([]string, 0, len(c.Agents))
	for _, a := range c.Agents {
		if n, ok := names[a]; ok {
			a = n
		}
		agents = append(agents, a)
	}

	view := seat.Transcript{
		Nav:      navOf(r, "history"),
		ID:       string(c.ID),
		Topic:    c.Topic,
		Channel:  c.Channel,
		State:    c.State.String(),
		Agents:   agents,
		Started:  s.formatTime(c.CreatedAt),
		Closed:   s.formatTime(c.ClosedAt),
		Messages: s.messagesView(msgs),
	}
	if c.Rating != nil {
		view.Rating = &seat.Rating{Score: c.Rating.Score, Comment: c.Rating.Comment}
	}
	return s.render(w, r, http.StatusOK, seat.TranscriptView(view))
}

// accountNames maps account ids to display names, because a conversation
// records the ids of the seats that served it.
func (s *Server) accountNames(r *http.Request) (map[string]string, error) {
	accts, err := s.deps.Auth.Accounts(r.Context())
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(accts))
	for _, a := range accts {
		names[a.ID] = a.DisplayName
	}
	return names, nil
}

// leftMessages lists the messages citizens left, as the service orders them.
func (s *Server) leftMessages(w http.ResponseWriter, r *http.Request) error {
	return s.renderLeftMessages(w, r, http.StatusOK, "")
}

func (s *Server) renderLeftMessages(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	list, err := s.deps.Conversations.LeftMessages(r.Context())
	if err != nil {
		return err
	}

	query := messageQuery(r)
	view := seat.Messages{Nav: navOf(r, "messages"), Error: problem, Query: query}
	matches := filterByRef(list, query)
	view.Total = len(matches)
	view.Page, view.Pages = pageOf(r, len(matches), messagesPerPage)
	start, end := pageBounds(view.Page, len(matches), messagesPerPage)
	for _, m := range matches[start:end] {
		view.Items = append(view.Items, s.leftMessageItem(m))
	}
	return s.render(w, r, status, seat.MessagesView(view))
}

// messagesPerPage keeps the 留言 page light however many messages pile up.
const messagesPerPage = 50

// pageOf returns the page the request asks for, kept between 1 and the
// last page, and how many pages total items fill at perPage each.
func pageOf(r *http.Request, total, perPage int) (page, pages int) {
	pages = max(1, (total+perPage-1)/perPage)
	return min(max(pageNumber(r), 1), pages), pages
}

// pageBounds returns the slice bounds of page among total items.
func pageBounds(page, total, perPage int) (start, end int) {
	start = min((page-1)*perPage, total)
	return start, min(start+perPage, total)
}

// pageNumber returns the page query parameter, or 1 when it is missing or
// not a number.
func pageNumber(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil {
		return 1
	}
	return n
}

// replyLeftMessage records how staff answered a left message, after they
// phoned or texted the citizen back.
func (s *Server) replyLeftMessage(w http.ResponseWriter, r *http.Request) error {
	_, acct := account(r)
	agent := conversation.Agent{ID: acct.ID, Name: acct.DisplayName}
	_, err := s.deps.Conversations.ReplyLeftMessage(r.Context(), r.PathValue("id"), agent, r.PostFormValue("reply"))
	var ie *conversation.InputError
	switch {
	case errors.As(err, &ie):
		return s.renderLeftMessages(w, r, http.StatusBadRequest, ie.Message)
	case errors.Is(err, conversation.ErrNotFound):
		return &appError{Status: http.StatusNotFound, Message: "未找到该留言。", Cause: err}
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/seat/messages", http.StatusSeeOther)
	return nil
}
