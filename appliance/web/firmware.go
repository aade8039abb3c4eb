package web

import "net/http"

// registerFirmware serves update bundles to the terminals of this hub at
// GET /firmware/{class}/latest when the hub has a firmware folder. The
// handler is firmware/update.Handler; terminals verify the signature.
func (s *Server) registerFirmware(mux *http.ServeMux) {
	if s.deps.Firmware != nil {
		mux.Handle("GET /firmware/{class}/latest", s.deps.Firmware)
	}
}
