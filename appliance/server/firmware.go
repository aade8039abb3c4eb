package server

import (
	"net/http"
	"path/filepath"

	"wenban/firmware/update"
)

// firmwareHandler serves the update bundles that technicians copy into
// the data folder's firmware/HARDWARE_CLASS/ folders to the terminals
// that run `wenban update pull`.
func (s *Server) firmwareHandler() http.Handler {
	return update.Handler(filepath.Join(s.cfg.Data, "firmware"), s.log.With("component", "firmware"))
}
