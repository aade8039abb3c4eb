package web

import (
	"context"
	"errors"
	"net"
	"net/http"

	"wenban/appliance/auth"
	"wenban/appliance/conversation"
	"wenban/ui/seat"
)

// suggestionCount is how many knowledge-base answers a seat is offered for
// the citizen's last message.
const suggestionCount = 3

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.deps.Auth.FromRequest(r); err == nil {
		http.Redirect(w, r, "/seat", http.StatusSeeOther)
		return nil
	}
	token, err := s.formToken(w, r)
	if err != nil {
		return internalError(err)
	}
	next := r.URL.Query().Get("next")
	if next != "" {
		next = safeNext(next)
	}
	view := seat.Login{CSRF: token, Next: next}
	if r.URL.Query().Get("changed") == "1" {
		view.Notice = passwordChangedNotice
	}
	return s.render(w, r, http.StatusOK, seat.LoginView(view))
}

// passwordChangedNotice is shown on /seat/login?changed=1, where
// changePassword sends the member after ending the sessions.
const passwordChangedNotice = "密码已修改，请使用新密码登录。"

// loginSubmit checks the pre-session CSRF token and the credentials. A
// failed login re-renders the form with auth's message for staff.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	if !checkFormToken(r) {
		return csrfRejected()
	}

	login := r.PostFormValue("login")
	next := safeNext(r.PostFormValue("next"))
	sess, err := s.deps.Auth.LoginDevice(r, login, r.PostFormValue("password"), remoteHost(r))
	s.recordLogin(r, login, sess, err)
	if err != nil {
		status, known := loginFailureStatus(err)
		if !known {
			return internalError(err)
		}
		token, terr := s.formToken(w, r)
		if terr != nil {
			return internalError(terr)
		}
		view := seat.Login{Login: login, Next: next, Error: auth.UserMessage(err), CSRF: token}
		return s.render(w, r, status, seat.LoginView(view))
	}

	s.deps.Auth.SetCookie(w, sess, s.deps.Secure)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func loginFailureStatus(err error) (int, bool) {
	switch {
	case errors.Is(err, auth.ErrBadCredentials):
		return http.StatusUnauthorized, true
	case errors.Is(err, auth.ErrLocked):
		return http.StatusTooManyRequests, true
	case errors.Is(err, auth.ErrAccountDisabled):
		return http.StatusForbidden, true
	case errors.Is(err, auth.ErrBusy):
		return http.StatusServiceUnavailable, true
	}
	var ie *auth.InputError
	if errors.As(err, &ie) {
		return http.StatusBadRequest, true
	}
	return 0, false
}

// remoteHost is the client address without its port; auth only logs it.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(auth.SessionCookie); err == nil {
		if err := s.deps.Auth.Logout(r.Context(), c.Value); err != nil {
			return internalError(err)
		}
	}
	auth.ClearCookie(w)
	http.Redirect(w, r, "/seat/login", http.StatusSeeOther)
	return nil
}

func navOf(r *http.Request, current string) seat.Nav {
	sess, acct := account(r)
	return seat.Nav{Name: acct.DisplayName, Admin: acct.Role.AtLeast(auth.RoleAdmin), Supervisor: acct.Role.AtLeast(auth.RoleSupervisor),
		CSRF: sess.CSRF, Current: current}
}

// workbench renders the seat's queue and the conversations it serves, with
// their transcripts so far.
func (s *Server) workbench(w http.ResponseWriter, r *http.Request) error {
	_, acct := account(r)
	ctx := r.Context()

	queue, err := s.deps.Conversations.Queue(ctx)
	if err != nil {
		return err
	}
	active, err := s.deps.Conversations.Active(ctx, acct.ID)
	if err != nil {
		return err
	}

	view := seat.Workbench{
		Nav:      navOf(r, "workbench"),
		AgentID:  acct.ID,
		Status:   "offline",
		MaxChats: s.deps.MaxChats,
		Queue:    s.queueView(queue),
	}
	if !s.deps.Calendar.IsOpen(s.now()) {
		view.ClosedHours, view.Hours = true, s.deps.Calendar.Describe()
	}
	view.MaxImageBytes, view.MaxFileBytes = s.uploadLimits()
	if acct.MaxChats > 0 {
		view.MaxChats = acct.MaxChats
	}
	if s.deps.SeatStatus != nil {
		view.Status = s.deps.SeatStatus(acct.ID)
	}
	for _, c := range active {
		chat, err := s.chatView(ctx, c)
		if err != nil {
			return err
		}
		view.Chats = append(view.Chats, chat)
	}
	return s.render(w, r, http.StatusOK, seat.WorkbenchView(view))
}

func (s *Server) queueView(items []conversation.QueueItem) []seat.QueueItem {
	out := make([]seat.QueueItem, 0, len(items))
	for _, q := range items {
		out = append(out, seat.QueueItem{
			ConversationID: string(q.ConversationID),
			Position:       q.Position,
			Channel:        q.Channel,
			Topic:          q.Topic,
			QueuedAt:       q.QueuedAt.In(s.location()).Format("15:04"),
		})
	}
	return out
}

func (s *Server) chatView(ctx context.Context, c conversation.Conversation) (seat.Chat, error) {
	msgs, err := s.deps.Conversations.Messages(ctx, c.ID, 0)
	if err != nil {
		return seat.Chat{}, err
	}
	chat := seat.Chat{ID: string(c.ID), Channel: c.Channel, Topic: c.Topic, State: c.State.String()}
	chat.Messages = s.messagesView(msgs)
	chat.Suggestions = s.suggestionsFor(msgs)
	return chat, nil
}

func (s *Server) messagesView(msgs []conversation.Message) []seat.Message {
	out := make([]seat.Message, 0, len(msgs))
	for _, m := range msgs {
		at := m.At.In(s.location())
		text := m.Text
		if m.Recalled {
			text = "（已撤回）"
		}
		out = append(out, seat.Message{
			Seq:    m.Seq,
			From:   m.From.String(),
			Author: m.Author,
			Text:   text,
			At:     at.Format("01-02 15:04"),
			AtISO:  at.Format("2006-01-02T15:04:05Z07:00"),

			Attachment: attachmentJSON(m),
		})
	}
	return out
}

// suggestionsFor queries the engine with the citizen's last message. Later
// messages bring new suggestions over the WebSocket.
func (s *Server) suggestionsFor(msgs []conversation.Message) []seat.Suggestion {
	engine := s.engine()
	if engine == nil {
		return nil
	}
	last := ""
	for _, m := range msgs {
		if m.From == conversation.SenderCitizen {
			last = m.Text
		}
	}
	if last == "" {
		return nil
	}

	var out []seat.Suggestion
	for _, sg := range engine.Suggest(last, suggestionCount) {
		if e, ok := engine.Entry(sg.FAQID); ok {
			out = append(out, seat.Suggestion{FAQID: e.ID, Question: e.Question, Answer: e.Answer})
		}
	}
	return out
}
