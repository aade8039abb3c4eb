package web

import (
	"crypto/sha256"
	"encoding/hex"
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

// msgLookupTooMany is the reply to a lookup over one of its limits. It
// tells the citizen how long to wait and where else to ask.
const msgLookupTooMany = "查询过于频繁，请半小时后再试；如需尽快了解办理情况，请拨打服务热线或到窗口咨询。"

// Rates of the citizen's status lookup. A reference number is easy to
// guess, so the phone number is the secret; a phone number is known to
// many, so the reference number is a secret too. Each reference number
// and each phone number allows five lookups at once, then one every half
// hour, whatever the address. Guessing an 11-digit mobile number for a
// known reference then takes far longer than a message is kept. Trying a
// busy day's 50 numbers for a known phone still takes about a day, which
// is why the manual asks staff to keep the reply record to its summary.
// The address limit is loose, because the kiosks of a service hall often
// share one address, and only bounds the work one client causes.
const (
	lookupEvery       = 3 * time.Second
	lookupBurst       = 20
	lookupSecretEvery = 30 * time.Minute
	lookupSecretBurst = 5
)

// lookupLimits are the limiters of the status lookup, which both lookup
// routes share so that mixing them cannot double a client's rate.
type lookupLimits struct {
	address *addressLimiter
	secret  *keyedLimiter // keyed by "ref:" + number and "phone:" + digest
}

func newLookupLimits() *lookupLimits {
	return &lookupLimits{
		address: newAddressLimiter(lookupEvery, lookupBurst),
		secret:  newKeyedLimiter(lookupSecretEvery, lookupSecretBurst),
	}
}

// allow reports whether a lookup of ref for phone may go ahead, and
// names the limit that refused it. The phone number is kept only as a
// digest, so the limiter's memory holds no phone number.
func (l *lookupLimits) allow(remoteAddr, ref, phone string, now time.Time) (ok bool, by string) {
	if !l.address.allow(remoteAddr, now) {
		return false, "address"
	}
	if canonical, valid := conversation.ParseRef(ref); valid && !l.secret.allowKey("ref:"+canonical, now) {
		return false, "reference"
	}
	if digits := conversation.PhoneDigits(phone); digits != "" {
		sum := sha256.Sum256([]byte(digits))
		if !l.secret.allowKey("phone:"+hex.EncodeToString(sum[:]), now) {
			return false, "phone"
		}
	}
	return true, ""
}

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
func (s *Server) lookUpLeftMessage(r *http.Request, limits *lookupLimits, ref, phone string) (lookupReply, error) {
	if ok, by := limits.allow(r.RemoteAddr, ref, phone, s.now()); !ok {
		s.log.Warn("request rate limited", "route", r.Pattern, "limit", by)
		return lookupReply{}, &appError{Status: http.StatusTooManyRequests, Message: msgLookupTooMany}
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
func (s *Server) apiLookUpLeftMessage(limits *lookupLimits) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req lookupRequest
		if err := decodeJSON(w, r, &req); err != nil {
			return err
		}
		reply, err := s.lookUpLeftMessage(r, limits, req.Ref, req.Phone)
		if err != nil {
			return err
		}
		s.writeJSON(w, r, http.StatusOK, reply)
		return nil
	}
}

// lookupForm is the no-JavaScript status lookup. It renders the citizen
// page with the result or the miss message under the lookup form.
func (s *Server) lookupForm(limits *lookupLimits) handlerFunc {
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

		reply, err := s.lookUpLeftMessage(r, limits, ref, r.PostFormValue("phone"))
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
