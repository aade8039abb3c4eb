package policy

import "time"

// Report is the record of one update run, shown on the admin page.
type Report struct {
	// Run numbers reports from 1 in the order they were stored.
	Run      uint64    `json:"run"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Source is the source as configured, such as a folder path or a
	// manifest URL, or "内置起始库" for the embedded starter library.
	Source string `json:"source"`
	// Trigger names the cause of the run: "schedule", "admin", "seed" or
	// "command".
	Trigger string `json:"trigger"`
	// OK is true when the run's changes were applied. A failed run changed
	// nothing, and Error gives the reason.
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`

	Added     []Change `json:"added,omitempty"`
	Changed   []Change `json:"changed,omitempty"`
	Repealed  []Change `json:"repealed,omitempty"`
	Failed    []Change `json:"failed,omitempty"`
	Unchanged int      `json:"unchanged"`
}

// Change is one document that a run added, changed, repealed or failed to
// read.
type Change struct {
	ID      string `json:"id"`
	Title   string `json:"title,omitempty"`
	Version string `json:"version,omitempty"`
	// Revision is the stored revision the run created; 0 for failures.
	Revision uint64 `json:"revision,omitempty"`
	// Reason explains a failure or a change, in Chinese for staff.
	Reason string `json:"reason,omitempty"`
}
