package web

import (
	"context"
	"errors"
	"net/http"

	"wenban/appliance/conversation"
)

// maxQueuedPerClient bounds the queue places one client address holds at
// once. A queued page that stays connected never expires, so without it
// one address could fill the 200 places with idle WebSockets. The bound
// is loose because a hall's kiosks, or a gateway's citizens, may share an
// address.
const maxQueuedPerClient = 30

// msgQueuedFromClient is the reply to a handoff over maxQueuedPerClient.
const msgQueuedFromClient = "您所在网络中正在排队的市民较多，请稍后再试，或先留言，工作人员将尽快与您联系。"

// checkQueuedFrom rejects a handoff when the client already has
// maxQueuedPerClient queue places, and drops the conversations that have
// left the queue from its record.
func (s *Server) checkQueuedFrom(ctx context.Context, key string) error {
	queue, err := s.deps.Conversations.Queue(ctx)
	if err != nil {
		return err
	}
	waiting := make(map[conversation.ID]bool, len(queue))
	for _, it := range queue {
		waiting[it.ConversationID] = true
	}

	s.queuedMu.Lock()
	defer s.queuedMu.Unlock()
	n := 0
	for id, k := range s.queuedFrom {
		switch {
		case !waiting[id]:
			delete(s.queuedFrom, id)
		case k == key:
			n++
		}
	}
	if n >= maxQueuedPerClient {
		s.log.Warn("handoff rejected: client has too many queue places", "places", n)
		return &appError{Status: http.StatusTooManyRequests, Message: msgQueuedFromClient, LeaveMessage: true,
			Cause: errors.New("client over its queue places")}
	}
	return nil
}

// noteQueuedFrom remembers which client queued conversation id.
func (s *Server) noteQueuedFrom(id conversation.ID, key string) {
	s.queuedMu.Lock()
	defer s.queuedMu.Unlock()
	if s.queuedFrom == nil {
		s.queuedFrom = map[conversation.ID]string{}
	}
	s.queuedFrom[id] = key
}
