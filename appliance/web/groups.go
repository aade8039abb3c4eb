package web

import (
	"context"
	"errors"
	"net/http"

	"wenban/appliance/attach"
	"wenban/appliance/call"
	"wenban/ui/seat"
)

// GroupWindows reads the records of the staff's group windows.
// *call.GroupStore implements it.
type GroupWindows interface {
	Groups(ctx context.Context, limit int) ([]call.GroupRecord, error)
	Group(ctx context.Context, id string) (call.GroupRecord, error)
}

// groupHistorySize is the number of group windows the history page lists.
const groupHistorySize = 20

// groupHistory returns the recent group windows for the history page,
// or none when the hub keeps no records.
func (s *Server) groupHistory(r *http.Request) ([]seat.GroupItem, error) {
	if s.deps.GroupWindows == nil {
		return nil, nil
	}
	recs, err := s.deps.GroupWindows.Groups(r.Context(), groupHistorySize)
	if err != nil {
		return nil, err
	}
	items := make([]seat.GroupItem, 0, len(recs))
	for _, rec := range recs {
		it, err := s.groupItem(r, rec)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

func (s *Server) groupItem(r *http.Request, rec call.GroupRecord) (seat.GroupItem, error) {
	it := seat.GroupItem{
		ID:        rec.ID,
		AgentName: rec.Agent.Name,
		Opened:    s.formatTime(rec.OpenedAt),
		Closed:    s.formatTime(rec.ClosedAt),
		SeatGone:  rec.SeatGone,
		Members:   len(rec.Members),
	}
	if a := s.deps.Attachments; a != nil {
		list, err := a.Store.List(r.Context(), rec.RecordingFolder(), attach.KindRecording)
		if err != nil {
			return seat.GroupItem{}, err
		}
		it.Recordings = len(list)
	}
	return it, nil
}

// groupTranscript serves GET /seat/history/groups/{id}: who opened the
// window, when, the citizens' stays and the recordings.
func (s *Server) groupTranscript(w http.ResponseWriter, r *http.Request) error {
	if s.deps.GroupWindows == nil {
		return &appError{Status: http.StatusNotFound, Message: msgGroupNotFound}
	}
	rec, err := s.deps.GroupWindows.Group(r.Context(), r.PathValue("id"))
	if errors.Is(err, call.ErrGroupNotFound) {
		return &appError{Status: http.StatusNotFound, Message: msgGroupNotFound, Cause: err}
	}
	if err != nil {
		return err
	}
	it, err := s.groupItem(r, rec)
	if err != nil {
		return err
	}

	view := seat.GroupTranscript{Nav: navOf(r, "history"), Item: it, Folder: rec.RecordingFolder()}
	for _, m := range rec.Members {
		view.Members = append(view.Members, seat.GroupMemberItem{
			ConversationID: string(m.Conversation),
			Joined:         s.formatTime(m.JoinedAt),
			Left:           s.formatTime(m.LeftAt),
		})
	}
	return s.render(w, r, http.StatusOK, seat.GroupTranscriptView(view))
}

const msgGroupNotFound = "未找到该集体服务窗口的记录。"
