package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"wenban/appliance/bot"
	"wenban/appliance/conversation"
	"wenban/ui/citizen"
)

// citizenCookie carries "<conversation id>.<token>" for the citizen's
// conversation; the WebSocket handler reads the same cookie.
const citizenCookie = "wenban_citizen"

// noMatchText and noMatchAfterHoursText replace the answer when the
// knowledge base has none, pointing to what the page offers at the time:
// 转人工 in working hours, the 留言 form outside them. citizen.js keeps
// the same two texts.
const (
	noMatchText           = "抱歉，暂时没有找到与您的问题相符的答案。您可以换一种说法再问，或转人工客服咨询。"
	noMatchAfterHoursText = "抱歉，暂时没有找到与您的问题相符的答案。您可以换一种说法再问；现在是非工作时间，也可以在下方留言，工作人员上班后与您联系。"
)

var channels = map[string]bool{"web": true, "mobile": true, "kiosk": true}

// channelOf returns a valid channel name, "web" for anything else.
func channelOf(v string) string {
	if channels[v] {
		return v
	}
	return "web"
}

// citizenPage renders GET /. A citizen with an open or unrated
// conversation returns to its chat or rating.
func (s *Server) citizenPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.citizenView(w, r, channelOf(r.URL.Query().Get("channel")))
	if err != nil {
		return err
	}
	p.Leave.Done = r.URL.Query().Get("left") == "1"
	if p.Leave.Done {
		p.Leave.Ref = doneRef(r)
	}
	return s.render(w, r, http.StatusOK, citizen.View(p))
}

// citizenView fills the parts of the citizen page every route shows.
func (s *Server) citizenView(w http.ResponseWriter, r *http.Request, channel string) (citizen.Page, error) {
	token, err := s.formToken(w, r)
	if err != nil {
		return citizen.Page{}, internalError(err)
	}
	p := citizen.Page{Channel: channel, Hours: s.hoursView(), CSRF: token, Notices: s.notices(r.Context())}
	p.MaxImageBytes, p.MaxFileBytes = s.uploadLimits()
	if c, ok := s.citizenConversation(r); ok {
		p.Conversation = &citizen.Conversation{ID: string(c.ID), State: c.State.String(), Rated: c.Rating != nil}
	}
	return p, nil
}

// citizenConversation returns the conversation of the citizen cookie. A
// missing, stale or forged cookie simply means no conversation.
func (s *Server) citizenConversation(r *http.Request) (conversation.Conversation, bool) {
	c, err := s.citizenAuth(r)
	return c, err == nil
}

// citizenAuth returns the conversation named by the citizen cookie, or the
// reason there is none.
func (s *Server) citizenAuth(r *http.Request) (conversation.Conversation, error) {
	ck, err := r.Cookie(citizenCookie)
	if err != nil {
		return conversation.Conversation{}, conversation.ErrBadToken
	}
	c, err := s.deps.Conversations.Authenticate(r.Context(), ck.Value)
	if err != nil {
		if !errors.Is(err, conversation.ErrNotFound) && !errors.Is(err, conversation.ErrBadToken) &&
			!errors.Is(err, conversation.ErrTokenExpired) {
			s.log.Error("reading citizen conversation failed", "error", err)
		}
		return conversation.Conversation{}, err
	}
	return c, nil
}

func (s *Server) hoursView() citizen.Hours {
	now := s.now()
	h := citizen.Hours{Open: s.deps.Calendar.IsOpen(now), Text: s.deps.Calendar.Describe()}
	if !h.Open {
		h.NextOpen = formatNextOpen(s.deps.Calendar.NextOpen(now).In(s.location()), now.In(s.location()))
	}
	return h
}

// formatNextOpen formats the next opening time relative to now, as in
// "明天 08:30".
func formatNextOpen(next, now time.Time) string {
	if next.IsZero() {
		return ""
	}
	y1, m1, d1 := now.Date()
	y2, m2, d2 := next.Date()
	switch {
	case y1 == y2 && m1 == m2 && d1 == d2:
		return "今天 " + next.Format("15:04")
	case y1 == y2 && m1 == m2 && d1+1 == d2:
		return "明天 " + next.Format("15:04")
	default:
		return fmt.Sprintf("%d月%d日 %s", int(m2), d2, next.Format("15:04"))
	}
}

func (s *Server) location() *time.Location {
	if loc := s.deps.Calendar.Location(); loc != nil {
		return loc
	}
	return time.UTC
}

// askForm is the no-JavaScript question form. It renders the page with
// the bot's reply.
func (s *Server) askForm(w http.ResponseWriter, r *http.Request) error {
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
	p.Question = r.PostFormValue("q")
	res, err := s.ask(r, p.Question, p.Channel)
	var ae *appError
	if errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
		p.AskError = ae.Message
		return s.render(w, r, http.StatusBadRequest, citizen.View(p))
	}
	if err != nil {
		return err
	}
	p.Answer = answerView(res, p.Hours.Open)
	if text := referralText(p.Question); !res.Matched && text != "" {
		p.Answer.Text = text
	}
	p.Answer.Citations = s.citationViews(res)
	return s.render(w, r, http.StatusOK, citizen.View(p))
}

// leaveForm is the no-JavaScript leave-message form. Success redirects so
// a reload cannot post the message twice.
func (s *Server) leaveForm(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	if !checkFormToken(r) {
		return csrfRejected()
	}

	channel := channelOf(r.PostFormValue("channel"))
	m := conversation.LeftMessage{
		Name:    r.PostFormValue("name"),
		Phone:   r.PostFormValue("phone"),
		Text:    r.PostFormValue("text"),
		Channel: channel,
	}
	stored, err := s.deps.Conversations.LeaveMessage(r.Context(), m)
	var ie *conversation.InputError
	if errors.As(err, &ie) {
		p, verr := s.citizenView(w, r, channel)
		if verr != nil {
			return verr
		}
		p.Leave = citizen.LeaveForm{Name: m.Name, Phone: m.Phone, Text: m.Text, Error: ie.Message, Field: ie.Field}
		return s.render(w, r, http.StatusBadRequest, citizen.View(p))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/?left=1&ref="+url.QueryEscape(stored.Ref)+"&channel="+channel, http.StatusSeeOther)
	return nil
}

// validateQuestion trims q and checks it against the ask rules: valid
// UTF-8, not empty and at most max code points.
func validateQuestion(q string, max int) (string, error) {
	if !utf8.ValidString(q) {
		return "", badRequest("问题含有无法识别的字符，请重新输入。", errors.New("question is not valid UTF-8"))
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return "", badRequest("请输入您要咨询的问题。", errors.New("question is empty"))
	}
	if n := utf8.RuneCountInString(q); n > max {
		return "", badRequest(fmt.Sprintf("问题不能超过 %d 个字，请精简后再试。", max),
			fmt.Errorf("question has %d runes, max %d", n, max))
	}
	return q, nil
}

// ask validates q, queries the current engine and records the question,
// unless the client's address is over its recording rate. A failed record
// is only logged, because the citizen should get the answer even when the
// analytics store fails.
func (s *Server) ask(r *http.Request, q, channel string) (bot.Result, error) {
	q, err := validateQuestion(q, s.deps.MaxQuestionRunes)
	if err != nil {
		return bot.Result{}, err
	}
	engine := s.engine()
	if engine == nil {
		return bot.Result{}, &appError{Status: http.StatusServiceUnavailable, Message: msgNoBot,
			Cause: errors.New("no question engine is loaded")}
	}

	res := engine.Ask(q)
	if !s.recorded.allow(r.RemoteAddr, s.now()) {
		s.log.Debug("bot question not recorded, client over its rate", "route", r.Pattern)
		return res, nil
	}
	rec := conversation.QuestionRecord{Question: q, Matched: res.Matched, FAQID: res.FAQID, Score: res.Score, Channel: channel}
	if err := s.deps.Conversations.RecordQuestion(r.Context(), rec); err != nil {
		s.log.Error("recording bot question failed", "faq_id", res.FAQID, "error", err)
	}
	return res, nil
}

func answerView(res bot.Result, hoursOpen bool) *citizen.Answer {
	a := &citizen.Answer{Matched: res.Matched, Question: res.Question, Text: res.Answer, Materials: res.Materials}
	switch {
	case res.Matched:
	case hoursOpen:
		a.Text = noMatchText
	default:
		a.Text = noMatchAfterHoursText
	}
	for _, sg := range res.Suggestions {
		a.Suggestions = append(a.Suggestions, citizen.Suggestion{FAQID: sg.FAQID, Question: sg.Question})
	}
	return a
}

// engine returns the live question engine, or nil when none is loaded.
func (s *Server) engine() *bot.Engine {
	if s.deps.Bot == nil {
		return nil
	}
	return s.deps.Bot()
}
