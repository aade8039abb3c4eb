package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wenban/appliance/audit"
	"wenban/appliance/kb"
)

func TestKBTrainPrintsGateFigures(t *testing.T) {
	out, errOut, err := wenban(t, "kb", "train", "--data", newHubData(t))
	if err != nil {
		t.Fatalf("train: %v %s", err, errOut)
	}
	for _, want := range []string{"训练完成", "无需发布", "固定评测问句", "答对率", "无关问题拒答率"} {
		if !strings.Contains(out, want) {
			t.Errorf("train output lacks %q:\n%s", want, out)
		}
	}
}

// confusingImport writes a file that gives the mortgage-cancellation entry
// the phrasings of the mortgage-registration entry, which the gate must
// reject.
func confusingImport(t *testing.T) string {
	t.Helper()
	shipped, err := kb.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	var src, dst kb.Entry
	for _, e := range shipped {
		switch e.ID {
		case "bdc-dydj-001":
			src = e
		case "bdc-dyzx-001":
			dst = e
		}
	}
	dst.Question, dst.Similar = src.Question, src.Similar
	path := filepath.Join(t.TempDir(), "confusing.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := kb.Encode(f, kb.FormatCSV, []kb.Entry{dst}); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestKBImportGate(t *testing.T) {
	data := newHubData(t)
	file := confusingImport(t)

	out, errOut, err := wenban(t, "kb", "import", "--data", data, file)
	if err == nil {
		t.Fatalf("import that lowers top-1 succeeded:\n%s", out)
	}
	if !strings.Contains(errOut, "答对的评测问句少于现行模型") || !strings.Contains(errOut, "知识库保持不变") {
		t.Errorf("rejection %q lacks the figures or the unchanged notice", errOut)
	}
	for _, want := range []string{"原来答对，新模型答错", "处理办法"} {
		if !strings.Contains(errOut+out, want) {
			t.Errorf("rejection output lacks %q:\n%s%s", want, out, errOut)
		}
	}

	out, errOut, err = wenban(t, "kb", "import", "--data", data, "--force", file)
	if err != nil {
		t.Fatalf("forced import: %v %s", err, errOut)
	}
	if !strings.Contains(out, "已发布为知识库第 2 版") || !strings.Contains(out, "强制发布") {
		t.Errorf("forced import output %q, want version 2 and the override warning", out)
	}
	// Only the import that went through is on the audit trail.
	if got := auditedActions(t, data, audit.Filter{Group: "kb"}); len(got) != 1 || got[0].Action != audit.KBImported || got[0].ActorID != audit.CLIActor || !strings.Contains(got[0].Detail, "第 2 版") {
		t.Errorf("kb entries on the audit trail: got %+v, want the forced import by the command line", got)
	}
}
