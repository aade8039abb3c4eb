package web

import (
	"net/http"
	"slices"
	"time"

	"wenban/ui/seat"
)

// kioskControlLog serves GET /seat/admin/kiosk-control: every stored
// remote-control session of the kiosk screens, newest first, with the
// staff member's name.
func (s *Server) kioskControlLog(w http.ResponseWriter, r *http.Request) error {
	view := seat.KioskControlLog{Nav: navOf(r, "kiosk-control")}
	if s.deps.Kiosk == nil {
		return s.render(w, r, http.StatusOK, seat.KioskControlLogView(view))
	}

	records, err := s.deps.Kiosk.KioskControlLog(r.Context())
	if err != nil {
		return internalError(err)
	}
	names := map[string]string{}
	for _, rec := range slices.Backward(records) {
		name, ok := names[rec.Operator]
		if !ok {
			name = rec.Operator
			if acct, err := s.deps.Auth.Account(r.Context(), rec.Operator); err == nil {
				name = acct.DisplayName
			}
			names[rec.Operator] = name
		}
		view.Rows = append(view.Rows, seat.KioskControlRow{
			Window:       rec.Window,
			OperatorName: name,
			Started:      rec.Started,
			Ended:        rec.Ended,
			Duration:     time.Duration(rec.DurationMillis) * time.Millisecond,
			Reason:       rec.Reason,
			Commands:     rec.Commands,
		})
	}

	return s.render(w, r, http.StatusOK, seat.KioskControlLogView(view))
}
