package web

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"wenban/appliance/conversation"
	"wenban/ui/citizen"
	"wenban/ui/seat"
)

// msgLookupMiss is the one reply to an unknown reference number and to a
// wrong phone number, so the lookup never tells which one was wrong.
const msgLookupMiss = "未找到与该留言编号和联系电话相符的留言，请核对后重试。"

// Rate of the citizen's status lookup per client address: five at once,
// then one every twenty seconds. A reference number is easy to guess, so
// the phone number is the secret. At this rate one address tries about
// 4,300 numbers a day, against some 10^9 mobile numbers.
const (
	lookupEvery = 20 * time.Second
	lookupBurst = 5
)

// Labels of a left message's status on the citizen page.
const (
	statusReceived = "已收到"
	statusHandled  = "已处理"
)

// maxMessageQueryRunes caps the staff's reference-number search.
const maxMessageQueryRunes = 32

type lookupRequest struct {
	Ref   string `json:"ref"`
	Phone string `json:"phone"`
}

// lookupReply is the status of a citizen's left message. Reply is the
// reply staff recorded, shown to the citizen as its summary.
type lookupReply struct {
	Ref       string `json:"ref"`
	Handled   bool   `json:"handled"`
	Status    string `json:"status"`
	At        string `json:"at"`
	Reply     string `json:"reply,omitempty"`
	RepliedAt string `json:"replied_at,omitempty"`
}

// lookUpLeftMessage returns the status of the message ref for phone, or
// the shared miss error. The rate limit is checked first, so a client
// over its rate learns nothing, not even a miss.
func (s *Server) lookUpLeftMessage(r *http.Request, limiter *addressLimiter, ref, phone string) (lookupReply, error) {
	if !limiter.allow(r.RemoteAddr, s.now()) {
		s.log.Warn("request rate limited", "route", r.Pattern)
		return lookupReply{}, &appError{Status: http.StatusTooManyRequests, Message: msgTooMany}
	}

	st, err := s.deps.Conversations.LookUpLeftMessage(r.Context(), ref, phone)
	if errors.Is(err, conversation.ErrNotFound) {
		return lookupReply{}, &appError{Status: http.StatusNotFound, Message: msgLookupMiss, Cause: err}
	}
	if err != nil {
		return lookupReply{}, err
	}

	reply := lookupReply{Ref: st.Ref, Handled: st.Handled, Status: statusReceived, At: s.formatTime(st.At)}
	if st.Handled {
		reply.Status, reply.Reply, reply.RepliedAt = statusHandled, st.Reply, s.formatTime(st.RepliedAt)
	}
	return reply, nil
}

// apiLookUpLeftMessage serves POST /api/v1/leave-message/status.
func (s *Server) apiLookUpLeftMessage(limiter *addressLimiter) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req lookupRequest
		if err := decodeJSON(w, r, &req); err != nil {
			return err
		}
		reply, err := s.lookUpLeftMessage(r, limiter, req.Ref, req.Phone)
		if err != nil {
			return err
		}
		s.writeJSON(w, r, http.StatusOK, reply)
		return nil
	}
}

// lookupForm is the no-JavaScript status lookup. It renders the citizen
// page with the result or the miss message under the lookup form.
func (s *Server) lookupForm(limiter *addressLimiter) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(w, r); err != nil {
			return err
		}
		if !checkFormToken(r) {
			return csrfRejected()
		}

		p, err := s.citizenView(w, r, channelOf(r.PostFormValue("channel")))
		if err != nil {
			return err
		}
		ref := r.PostFormValue("ref")
		p.Lookup = citizen.Lookup{Ref: ref}
		if utf8.RuneCountInString(ref) > maxMessageQueryRunes {
			p.Lookup.Ref = ""
		}

		reply, err := s.lookUpLeftMessage(r, limiter, ref, r.PostFormValue("phone"))
		var ae *appError
		if errors.As(err, &ae) && ae.Status < http.StatusInternalServerError {
			s.logAppError(r, ae)
			p.Lookup.Error = ae.Message
			return s.render(w, r, ae.Status, citizen.View(p))
		}
		if err != nil {
			return err
		}
		p.Lookup.Result = &citizen.LookupResult{
			Ref: reply.Ref, Status: reply.Status, Handled: reply.Handled,
			At: reply.At, Reply: reply.Reply, RepliedAt: reply.RepliedAt,
		}
		return s.render(w, r, http.StatusOK, citizen.View(p))
	}
}

// doneRef returns the reference number the leave form's redirect carries,
// or "" when the query holds anything else, so a crafted link cannot put
// other text on the confirmation.
func doneRef(r *http.Request) string {
	ref, ok := conversation.ParseRef(r.URL.Query().Get("ref"))
	if !ok {
		return ""
	}
	return ref
}

// messageQuery reads the 留言 page's reference-number search.
func messageQuery(r *http.Request) string {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if !utf8.ValidString(q) {
		return ""
	}
	if utf8.RuneCountInString(q) > maxMessageQueryRunes {
		q = string([]rune(q)[:maxMessageQueryRunes])
	}
	return q
}

// filterByRef keeps the messages whose reference number matches query;
// an empty query keeps them all.
func filterByRef(list []conversation.LeftMessage, query string) []conversation.LeftMessage {
	if query == "" {
		return list
	}
	var out []conversation.LeftMessage
	for _, m := range list {
		if m.MatchesRef(query) {
			out = append(out, m)
		}
	}
	return out
}

// leftMessageItem turns a stored message into its row on the 留言 page.
func (s *Server) leftMessageItem(m conversation.LeftMessage) seat.LeftMessage {
	item := seat.LeftMessage{
		ID:        m.ID,
		Ref:       m.Ref,
		Name:      m.Name,
		Phone:     m.Phone,
		Text:      m.Text,
		Channel:   m.Channel,
		At:        s.formatTime(m.At),
		Reply:     m.Reply,
		RepliedBy: m.RepliedBy,
	}
	if !m.RepliedAt.IsZero() {
		item.RepliedAt = s.formatTime(m.RepliedAt)
	}
	return item
}
