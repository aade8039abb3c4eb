package kb

import (
	"errors"
	"strings"
	"testing"
)

// wantProblem matches one Problem. Its reason is a substring of
// Problem.Reason.
type wantProblem struct {
	row    int
	field  string
	reason string
}

// checkProblems asserts that err is an *ImportError whose problems match
// want in order.
func checkProblems(t *testing.T, err error, want []wantProblem) {
	t.Helper()
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("got error %v (%T), want *ImportError", err, err)
	}
	if len(ie.Problems) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ie.Problems), len(want), ie)
	}
	for i, w := range want {
		p := ie.Problems[i]
		if p.Row != w.row {
			t.Errorf("problem %d: got row %d, want %d (%s)", i, p.Row, w.row, p.Reason)
		}
		if p.Field != w.field {
			t.Errorf("problem %d: got field %q, want %q (%s)", i, p.Field, w.field, p.Reason)
		}
		if !strings.Contains(p.Reason, w.reason) {
			t.Errorf("problem %d: got reason %q, want it to contain %q", i, p.Reason, w.reason)
		}
	}
}

func decodeString(t *testing.T, f Format, s string) ([]Entry, error) {
	t.Helper()
	return Decode(strings.NewReader(s), f)
}
