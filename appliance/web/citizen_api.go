package web

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"wenban/appliance/conversation"
)

type askRequest struct {
	Question string `json:"question"`
	// Channel is optional; the question record notes where it came from.
	Channel string `json:"channel,omitempty"`
}

// apiAsk serves POST /api/v1/bot/ask and replies with the engine's
// bot.Result and the cited policy articles (askReply).
func (s *Server) apiAsk(w http.ResponseWriter, r *http.Request) error {
	var req askRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	res, err := s.ask(r, req.Question, channelOf(req.Channel))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, s.askReply(req.Question, res))
	return nil
}

type handoffRequest struct {
	Channel    string              `json:"channel"`
	Topic      string              `json:"topic"`
	Transcript []conversation.Line `json:"transcript"`
}

// handoffReply carries no token: the citizen's credential lives only in
// the HttpOnly cookie, out of reach of page scripts.
type handoffReply struct {
	ConversationID conversation.ID `json:"conversation_id"`
}

// citizenCookieMaxAge bounds how long a browser keeps a conversation's
// credential; the hub also stops honouring it soon after the service ends.
const citizenCookieMaxAge = 24 * 60 * 60

// maxHandoffLines is the longest bot exchange a handoff may carry.
const maxHandoffLines = 20

// apiHandoff queues the citizen for a seat. A citizen whose cookie names
// an open conversation gets that one back, so a double click or a second
// tab never queues twice.
func (s *Server) apiHandoff(w http.ResponseWriter, r *http.Request) error {
	var req handoffRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if len(req.Transcript) > maxHandoffLines {
		return badRequest("对话记录过长，请刷新页面后重试。", errors.New("handoff transcript exceeds 20 lines"))
	}
	if req.Channel != "" && !channels[req.Channel] {
		return badRequest("接入渠道无效。", errors.New("unknown handoff channel"))
	}
	for _, l := range req.Transcript {
		if l.From != conversation.SenderCitizen && l.From != conversation.SenderBot {
			return badRequest("对话记录格式无效，请刷新页面后重试。", errors.New("handoff transcript line from neither citizen nor bot"))
		}
	}

	if c, ok := s.citizenConversation(r); ok && c.State != conversation.StateClosed {
		s.writeJSON(w, r, http.StatusOK, handoffReply{ConversationID: c.ID})
		return nil
	}

	if !s.deps.Calendar.IsOpen(s.now()) {
		return &appError{Status: http.StatusConflict, Message: msgAfterHours, LeaveMessage: true}
	}
	if s.deps.StaffedSeats != nil && s.deps.StaffedSeats() == 0 {
		return &appError{Status: http.StatusConflict, Message: msgNoSeat, LeaveMessage: true}
	}

	key := clientKey(r.RemoteAddr)
	if err := s.checkQueuedFrom(r.Context(), key); err != nil {
		return err
	}
	start := conversation.StartRequest{
		Channel:    channelOf(req.Channel),
		Topic:      req.Topic,
		Transcript: s.botTranscript(req.Transcript),
	}
	c, token, err := s.deps.Conversations.Start(r.Context(), start)
	if err != nil {
		return err
	}
	s.noteQueuedFrom(c.ID, key)
	http.SetCookie(w, &http.Cookie{
		Name:     citizenCookie,
		Value:    conversation.CookieValue(c.ID, token),
		Path:     "/",
		MaxAge:   citizenCookieMaxAge,
		HttpOnly: true,
		Secure:   s.deps.Secure,
		SameSite: http.SameSiteStrictMode,
	})
	s.writeJSON(w, r, http.StatusCreated, handoffReply{ConversationID: c.ID})
	return nil
}

// botTranscript rebuilds the bot exchange from the citizen's questions.
// The page sends both sides, but only the questions are taken from it: the
// bot's lines are asked again here, so a citizen cannot put words in the
// bot's mouth on the seat screen.
func (s *Server) botTranscript(lines []conversation.Line) []conversation.Line {
	engine := s.engine()

	var out []conversation.Line
	for _, l := range lines {
		if l.From != conversation.SenderCitizen {
			continue
		}
		text := strings.TrimSpace(l.Text)
		if text == "" || !utf8.ValidString(text) || utf8.RuneCountInString(text) > s.deps.MaxQuestionRunes {
			continue
		}
		out = append(out, conversation.Line{From: conversation.SenderCitizen, Text: text})
		if engine == nil {
			continue
		}
		answer := msgBotNoMatch
		if res := engine.Ask(text); res.Matched {
			answer = res.Answer
		}
		out = append(out, conversation.Line{From: conversation.SenderBot, Text: answer})
	}
	return out
}

type hoursReply struct {
	Open     bool   `json:"open"`
	Text     string `json:"text"`
	NextOpen string `json:"next_open"`
}

func (s *Server) apiHours(w http.ResponseWriter, r *http.Request) error {
	now := s.now()
	reply := hoursReply{
		Open:     s.deps.Calendar.IsOpen(now),
		Text:     s.deps.Calendar.Describe(),
		NextOpen: s.deps.Calendar.NextOpen(now).In(s.location()).Format(time.RFC3339),
	}
	s.writeJSON(w, r, http.StatusOK, reply)
	return nil
}

type leaveRequest struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Text  string `json:"text"`
	// Channel is optional and defaults to "web".
	Channel string `json:"channel,omitempty"`
}

// leaveReply carries the reference number the citizen keeps for the
// status lookup.
type leaveReply struct {
	ID  string `json:"id"`
	Ref string `json:"ref"`
}

// apiLeaveMessage stores a message; the conversation service validates
// the name (1-32 runes), the phone number and the text (1-1000 runes).
func (s *Server) apiLeaveMessage(w http.ResponseWriter, r *http.Request) error {
	var req leaveRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	m, err := s.deps.Conversations.LeaveMessage(r.Context(), conversation.LeftMessage{
		Name: req.Name, Phone: req.Phone, Text: req.Text, Channel: channelOf(req.Channel),
	})
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusCreated, leaveReply{ID: m.ID, Ref: m.Ref})
	return nil
}

type ratingRequest struct {
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

type okReply struct {
	OK bool `json:"ok"`
}

// apiRating rates the citizen's closed conversation, once.
func (s *Server) apiRating(w http.ResponseWriter, r *http.Request) error {
	var req ratingRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	c, err := s.citizenAuth(r)
	if errors.Is(err, conversation.ErrAlreadyRated) {
		// A rated conversation's token expires at once, so a second
		// rating lands here.
		return &appError{Status: http.StatusConflict, Message: msgAlreadyRated, Cause: err}
	}
	if err != nil {
		return &appError{Status: http.StatusUnauthorized, Message: msgNoSession, Cause: err}
	}
	if err := s.deps.Conversations.Rate(r.Context(), c.ID, req.Score, req.Comment); err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, okReply{OK: true})
	return nil
}
