package realtime

import (
	"context"
	"errors"
	"sync"

	"wenban/appliance/conversation"
	"wenban/appliance/media/sfu"
)

// frameCallMedia carries a hub-to-page signalling message of a call's
// SFU room: {"type":"call_media","media":{"room","signal":{...}}}.
const frameCallMedia = "call_media"

// The call.media.join, call.media.signal and call.media.leave frames carry
// the peer connections of calls and group windows. Their page side is
// ui/static/rtc.js.

// callRooms is the media of the calls of open pages: one SFU participant
// per page and room.
type callRooms struct {
	mu    sync.Mutex
	sfu   *sfu.SFU
	peers map[*conn]map[sfu.RoomID]*sfu.Participant
}

type mediaSignal struct {
	Room   sfu.RoomID `json:"room"`
	Signal sfu.Signal `json:"signal"`
}

// SetCallMedia installs the SFU that call rooms join. Call it before
// serving. Without it the call.media commands return calls_off.
func (h *Hub) SetCallMedia(s *sfu.SFU) {
	h.callRooms.mu.Lock()
	defer h.callRooms.mu.Unlock()
	h.callRooms.sfu = s
	h.callRooms.peers = map[*conn]map[sfu.RoomID]*sfu.Participant{}
}

// callMediaCommand runs a page's call.media command. A citizen page
// passes its conversation, a seat page its agent id.
func (h *Hub) callMediaCommand(ctx context.Context, c *conn, citizen conversation.ID, agentID string, f inFrame) error {
	args := f.callArgs()
	switch f.Type {
	case "call.media.join":
		return h.joinCallRoom(ctx, c, args.Room, citizen, agentID)
	case "call.media.leave":
		h.leaveCallRoom(c, args.Room)
		return nil
	case "call.media.signal":
		if args.Signal == nil {
			return errUnknownCommand
		}
		// Candidates still in flight after a leave or a ghost eviction
		// find no participant; that is expected and the page needs no error.
		p := h.callPeer(c, args.Room)
		if p == nil {
			return nil
		}
		err := p.HandleSignal(*args.Signal)
		switch {
		case errors.Is(err, sfu.ErrClosed):
			return nil
		case errors.Is(err, sfu.ErrBadSignal):
			return errUnknownCommand
		case err != nil:
			h.log.Warn("applying page signal", "room", args.Room, "participant", p.ID(), "err", err)
		}
		return err
	}
	return errUnknownCommand
}

func (h *Hub) joinCallRoom(ctx context.Context, c *conn, room sfu.RoomID, citizen conversation.ID, agentID string) error {
	rooms := &h.callRooms
	rooms.mu.Lock()
	media := rooms.sfu
	rooms.mu.Unlock()
	if media == nil {
		return errNoCalls
	}
	grant, err := h.AuthorizeRoom(room, citizen, agentID)
	if err != nil {
		return err
	}

	h.leaveCallRoom(c, room)
	p, err := media.Join(room, grant.Participant, sfu.JoinOptions{
		Signal: func(sig sfu.Signal) {
			c.send(outFrame{Type: frameCallMedia, Media: &mediaSignal{Room: room, Signal: sig}})
		},
		CanPublish:   grant.CanPublish,
		CanSubscribe: true,
	})
	if err != nil {
		return err
	}
	// A gated citizen is muted at the SFU before any of its audio can
	// arrive, because its peer connection has not negotiated yet.
	if !grant.Speaking {
		if err := media.SetSpeaking(room, grant.Participant, false); err != nil {
			h.log.Warn("gating group citizen", "room", room, "err", err)
		}
	}

	rooms.mu.Lock()
	first := rooms.peers[c] == nil
	if first {
		rooms.peers[c] = map[sfu.RoomID]*sfu.Participant{}
	}
	rooms.peers[c][room] = p
	rooms.mu.Unlock()
	if first {
		go h.closeCallRoomsWith(c)
	}
	h.RoomJoined(room)
	h.log.Debug("page joined call room", "room", room, "participant", grant.Participant)
	return nil
}

// closeCallRoomsWith closes a page's participants when the page goes.
// A reload joins again under the same participant id, which the SFU
// would also evict as a ghost.
func (h *Hub) closeCallRoomsWith(c *conn) {
	<-c.done
	rooms := &h.callRooms
	rooms.mu.Lock()
	peers := rooms.peers[c]
	delete(rooms.peers, c)
	rooms.mu.Unlock()
	for _, p := range peers {
		if err := p.Close(); err != nil && !errors.Is(err, sfu.ErrClosed) {
			h.log.Debug("closing call participant", "participant", p.ID(), "err", err)
		}
	}
}

func (h *Hub) leaveCallRoom(c *conn, room sfu.RoomID) {
	rooms := &h.callRooms
	rooms.mu.Lock()
	p := rooms.peers[c][room]
	delete(rooms.peers[c], room)
	rooms.mu.Unlock()
	if p != nil {
		_ = p.Close()
	}
}

func (h *Hub) callPeer(c *conn, room sfu.RoomID) *sfu.Participant {
	rooms := &h.callRooms
	rooms.mu.Lock()
	defer rooms.mu.Unlock()
	return rooms.peers[c][room]
}
