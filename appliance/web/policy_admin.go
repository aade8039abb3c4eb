package web

import (
	"errors"
	"net/http"
	"strconv"

	"wenban/appliance/policy"
	policyui "wenban/ui/policy"
)

// policyReportLimit is the number of update reports the admin page lists.
const policyReportLimit = 30

// policyNotices confirm an action after its redirect; the done parameter
// only selects one of these fixed texts.
var policyNotices = map[string]string{
	"started": "已开始更新，完成后刷新本页查看结果。",
	"busy":    "已有更新正在进行，请稍后刷新本页查看结果。",
}

func (s *Server) policyAdmin(w http.ResponseWriter, r *http.Request) error {
	a := policyui.Admin{Nav: navOf(r, "policy"), Notice: policyNotices[r.URL.Query().Get("done")]}
	if job := s.deps.PolicyJob; job != nil {
		a.Source, a.Schedule, a.Running = job.Source(), job.Schedule(), job.Running()
		a.Next = s.formatTime(job.Next())
	}

	reports, err := s.deps.Policy.Reports(policyReportLimit)
	if err != nil {
		return internalError(err)
	}
	for _, rep := range reports {
		a.Reports = append(a.Reports, s.reportView(rep))
	}
	a.Docs = s.documentRows(s.deps.Policy.Documents())
	return s.render(w, r, http.StatusOK, policyui.AdminView(a))
}

func (s *Server) reportView(r policy.Report) policyui.Report {
	return policyui.Report{
		Run: r.Run, Started: s.formatTime(r.Started), Finished: s.formatTime(r.Finished),
		Source: r.Source, Trigger: r.Trigger, OK: r.OK, Error: r.Error,
		Added: changeViews(r.Added), Changed: changeViews(r.Changed),
		Repealed: changeViews(r.Repealed), Failed: changeViews(r.Failed), Unchanged: r.Unchanged,
	}
}

func changeViews(cs []policy.Change) []policyui.Change {
	out := make([]policyui.Change, 0, len(cs))
	for _, c := range cs {
		out = append(out, policyui.Change{ID: c.ID, Title: c.Title, Version: c.Version, Revision: c.Revision, Reason: c.Reason})
	}
	return out
}

// policyRun starts an update in the background and returns to the admin
// page, which shows the report once the run ends.
func (s *Server) policyRun(w http.ResponseWriter, r *http.Request) error {
	if s.deps.PolicyJob == nil {
		return &appError{Status: http.StatusServiceUnavailable, Message: "政策法规更新任务未启用。"}
	}
	done := "busy"
	if s.deps.PolicyJob.Trigger(policy.TriggerAdmin) {
		done = "started"
		_, acct := account(r)
		s.log.Info("policy update started by administrator", "account", acct.ID)
	}
	http.Redirect(w, r, "/seat/admin/policy?done="+done, http.StatusSeeOther)
	return nil
}

func (s *Server) policyVersions(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	latest, ok := s.deps.Policy.Document(id)
	if !ok {
		return errNoPolicyDocument
	}
	versions, err := s.deps.Policy.Versions(id)
	if errors.Is(err, policy.ErrNotFound) {
		return errNoPolicyDocument
	}
	if err != nil {
		return internalError(err)
	}

	v := policyui.Versions{Nav: navOf(r, "policy"), Doc: s.documentRow(latest)}
	for i := len(versions) - 1; i >= 0; i-- {
		d := versions[i]
		v.Items = append(v.Items, policyui.Version{
			Revision: d.Revision, Version: d.Version, Status: d.Status.String(),
			Updated: s.formatTime(d.Updated), Hash: d.SourceHash,
			URL: policy.DocumentURL(d.ID) + "?rev=" + strconv.FormatUint(d.Revision, 10),
		})
	}
	return s.render(w, r, http.StatusOK, policyui.VersionsView(v))
}
