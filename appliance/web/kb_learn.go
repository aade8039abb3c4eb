package web

import (
	"net/http"

	"wenban/appliance/learn"
	"wenban/ui/kbadmin"
)

// maxDecidedShown is the number of decided proposals the queue page lists.
const maxDecidedShown = 20

var proposalStatusLabels = map[string]string{
	learn.StatusPending:  "待处理",
	learn.StatusApproved: "已采纳",
	learn.StatusRejected: "不采纳",
}

func (s *Server) kbProposals(w http.ResponseWriter, r *http.Request) error {
	return s.renderProposals(w, r, http.StatusOK, "", "")
}

func (s *Server) renderProposals(w http.ResponseWriter, r *http.Request, status int, msg, gate string) error {
	f, d, err := s.kbFrame(r, kbadmin.TabProposals)
	if err != nil {
		return err
	}
	f.Error, f.Gate = msg, gate
	all, err := s.deps.KB.Proposals(r.Context(), "")
	if err != nil {
		return err
	}

	v := kbadmin.Proposals{Frame: f}
	for i := len(all) - 1; i >= 0; i-- {
		p := all[i]
		row := kbadmin.ProposalRow{
			ID: p.ID, EntryID: p.EntryID, Phrasing: p.Phrasing, Agent: p.Agent.Name,
			CreatedAt: s.formatTime(p.CreatedAt), Status: proposalStatusLabels[p.Status], DecidedBy: p.DecidedBy.Name,
		}
		if it, ok := d.Item(p.EntryID); ok {
			row.EntryQuestion, row.EntrySimilar = it.Question, it.Similar
		}
		switch {
		case p.Status == learn.StatusPending:
			v.Items = append(v.Items, row)
		case len(v.Decided) < maxDecidedShown:
			v.Decided = append(v.Decided, row)
		}
	}
	return s.render(w, r, status, kbadmin.ProposalsView(v))
}

// kbApprove adds the phrasing to its entry and publishes through the
// gate; a rejection leaves the proposal pending and shows the figures.
func (s *Server) kbApprove(w http.ResponseWriter, r *http.Request) error {
	out, err := s.deps.KB.Approve(r.Context(), staffOf(r), r.PathValue("id"), false)
	if err != nil {
		return s.kbActionFailed(w, r, kbadmin.TabProposals, err)
	}
	q := r.URL.Query()
	q.Set("done", "published")
	r.URL.RawQuery = q.Encode()
	return s.renderProposals(w, r, http.StatusOK, "", out.Gate.Summary())
}

func (s *Server) kbReject(w http.ResponseWriter, r *http.Request) error {
	if err := s.deps.KB.Reject(r.Context(), staffOf(r), r.PathValue("id")); err != nil {
		return s.kbActionFailed(w, r, kbadmin.TabProposals, err)
	}
	return seeOther(w, r, "/seat/admin/kb/proposals", "rejected")
}

func (s *Server) kbClusters(w http.ResponseWriter, r *http.Request) error {
	f, _, err := s.kbFrame(r, kbadmin.TabClusters)
	if err != nil {
		return err
	}
	clusters, err := s.deps.KB.Clusters(r.Context())
	if err != nil {
		return err
	}
	v := kbadmin.Clusters{Frame: f}
	for _, c := range clusters {
		v.Items = append(v.Items, kbadmin.ClusterRow{
			ID: c.ID, Count: c.Count, Suggested: c.Suggested, Examples: c.Examples, Last: s.formatTime(c.Last),
		})
	}
	return s.render(w, r, http.StatusOK, kbadmin.ClustersView(v))
}
