package realtime

import (
	"context"
	"encoding/json"
	"testing"

	"golang.org/x/time/rate"

	"wenban/appliance/call"
	"wenban/appliance/conversation"
	"wenban/appliance/media/sfu"
)

// servedStub serves every conversation by zhang; the fuzz target needs
// nothing else of the conversation service.
type servedStub struct{ Conversations }

func (servedStub) Get(_ context.Context, id conversation.ID) (conversation.Conversation, error) {
	return conversation.Conversation{ID: id, State: conversation.StateServing, AgentID: zhang.ID, AgentName: zhang.Name}, nil
}

type discardLines struct{}

func (discardLines) AppendSystemLine(_ context.Context, id conversation.ID, text string) (conversation.Message, error) {
	return conversation.Message{ConversationID: id, Text: text}, nil
}

// FuzzCallCommands feeds page frames, decoded as conn.read decodes them,
// to the citizen and seat call commands and checks that every call left
// in progress is in a valid state.
func FuzzCallCommands(f *testing.F) {
	seeds := []string{
		`{"type":"call.invite","call":{"kind":"video"}}`,
		`{"type":"call.accept","conversation_id":"c1"}`,
		`{"type":"call.hold","conversation_id":"c1","call":{"on":true}}`,
		`{"type":"group.open"}`,
		`{"type":"group.speak","conversation_id":"c1","call":{"group":"x","on":true}}`,
		`{"type":"call.mute","call":null}`,
		`{"type":"group.join","call":{"group":""}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), []byte(`{"type":"call.accept","conversation_id":"c1"}`))
	}

	f.Fuzz(func(t *testing.T, citizenRaw, seatRaw []byte) {
		h := NewHub(Options{Conversations: servedStub{}})
		m := call.New(call.Options{Media: &nullMedia{hold: map[sfu.RoomID]bool{}}, Lines: discardLines{}, Notify: h.CallEvent})
		h.SetCalls(m)
		ctx := context.Background()
		limit := rate.NewLimiter(rate.Inf, 1)

		var cf, sf inFrame
		if json.Unmarshal(citizenRaw, &cf) == nil && isCallCommand(cf.Type) {
			_ = h.citizenCallCommand(ctx, nil, "c1", cf, limit)
		}
		if json.Unmarshal(seatRaw, &sf) == nil && isCallCommand(sf.Type) {
			_ = h.seatCallCommand(ctx, nil, zhang, sf)
		}

		if c, ok := m.Current("c1"); ok {
			switch c.State {
			case call.StateRinging, call.StateLive, call.StateHeld:
			default:
				t.Errorf("call in progress: got state %v, want ringing, live or held", c.State)
			}
			if c.Agent.ID != zhang.ID {
				t.Errorf("call agent: got %q, want %q", c.Agent.ID, zhang.ID)
			}
		}
	})
}
