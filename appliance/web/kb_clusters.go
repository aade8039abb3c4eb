package web

import "net/http"

// kbDismissCluster hides a group of unanswered questions that needs no
// entry, such as questions about other departments' business. It marks
// the group handled the same way creating an entry from it does.
func (s *Server) kbDismissCluster(w http.ResponseWriter, r *http.Request) error {
	c, ok, err := s.deps.KB.Cluster(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !ok {
		return &appError{Status: http.StatusNotFound, Message: "未找到该组问题，可能已被处理，请刷新页面。"}
	}
	if err := s.deps.KB.MarkHandled(r.Context(), c); err != nil {
		return err
	}
	return seeOther(w, r, "/seat/admin/kb/clusters", "dismissed")
}
