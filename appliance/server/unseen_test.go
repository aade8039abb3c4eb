package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"wenban/appliance/bot"
)

// unseenDir holds the acceptance sets. Their knowledge bases and citizen
// questions were written apart from the shipped knowledge base and the
// tuning data.
const unseenDir = "../bot/testdata/unseen"

// Acceptance targets for an unseen knowledge base, asserted only in strict
// mode because the engine does not reach them yet.
const (
	strictTop1      = 0.97
	strictRejection = 0.90
)

// unseenStrictEnv switches the acceptance test from regression floors to
// the targets. Child processes never see it, because the wenban binary
// rejects unknown WENBAN_ variables.
const unseenStrictEnv = "WENBAN_UNSEEN_STRICT"

// unseenSet is one knowledge base with its questions. The floors are the
// figures measured on 2026-12-04 after the matter catalogue was added,
// minus 3 points, so the test catches regressions without blocking work
// on the engine.
type unseenSet struct {
	name           string
	floorTop1      float64
	floorRejection float64
}

var unseenSets = []unseenSet{
	{name: "a", floorTop1: 0.90, floorRejection: 0.95},
	// Set b is frozen. Report its figures and never tune against its questions.
	{name: "b", floorTop1: 0.77, floorRejection: 0.85},
	// Set c is a city office's knowledge base, added later.
	{name: "c", floorTop1: 0.83, floorRejection: 0.94},
}

// unseenFigures is what one set scored through the public API.
type unseenFigures struct {
	inScope, correct     int
	outOfScope, rejected int
	p50, p99             time.Duration
	misses               []string
}

func (f unseenFigures) top1() float64 {
	if f.inScope == 0 {
		return 0
	}
	return float64(f.correct) / float64(f.inScope)
}

func (f unseenFigures) rejection() float64 {
	if f.outOfScope == 0 {
		return 0
	}
	return float64(f.rejected) / float64(f.outOfScope)
}

func TestUnseenKnowledgeBase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the wenban binary and asks about 1,200 questions over HTTP")
	}
	strict := os.Getenv(unseenStrictEnv) == "1"
	binary := buildWenban(t)

	for _, set := range unseenSets {
		t.Run(set.name, func(t *testing.T) {
			kbFile := filepath.Join(unseenDir, set.name, "kb.csv")
			cases := readUnseenCases(t, filepath.Join(unseenDir, set.name, "questions.jsonl"))

			dataDir := t.TempDir()
			importKB(t, binary, dataDir, kbFile)
			r := startHub(t, dataDir)
			checkCaseIDs(t, r, cases)

			fig := askUnseen(t, r.url, cases)
			t.Logf("set %s: top-1 %d/%d = %.1f%%, out-of-scope rejected %d/%d = %.1f%%, HTTP latency p50 %v, p99 %v",
				set.name, fig.correct, fig.inScope, 100*fig.top1(), fig.rejected, fig.outOfScope, 100*fig.rejection(),
				fig.p50, fig.p99)
			// Set b is frozen: its misses stay unread so nobody tunes on them.
			if set.name != "b" {
				for _, m := range fig.misses {
					t.Log("  miss: " + m)
				}
			}

			wantTop1, wantRejection := set.floorTop1, set.floorRejection
			if strict {
				wantTop1, wantRejection = strictTop1, strictRejection
			}
			if got := fig.top1(); got < wantTop1 {
				t.Errorf("set %s top-1: got %.1f%%, want at least %.1f%%", set.name, 100*got, 100*wantTop1)
			}
			if got := fig.rejection(); got < wantRejection {
				t.Errorf("set %s out-of-scope rejection: got %.1f%%, want at least %.1f%%", set.name, 100*got, 100*wantRejection)
			}
		})
	}
}

// buildWenban compiles cmd/wenban, so the knowledge base goes in through
// the same command an administrator runs.
func buildWenban(t *testing.T) string {
	t.Helper()
	binary := filepath.Join(t.TempDir(), "wenban")
	cmd := exec.Command("go", "build", "-o", binary, "wenban/cmd/wenban")
	cmd.Env = withoutWenbanEnv(os.Environ())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building wenban: %v\n%s", err, out)
	}
	return binary
}

// importKB runs `wenban kb import --replace` on a fresh data folder.
func importKB(t *testing.T, binary, dataDir, kbFile string) {
	t.Helper()
	cmd := exec.Command(binary, "kb", "import", "--data", dataDir, "--replace", kbFile)
	cmd.Env = withoutWenbanEnv(os.Environ())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("wenban kb import --replace %s: %v\n%s", kbFile, err, out)
	}
	if !strings.Contains(string(out), "导入完成") {
		t.Fatalf("wenban kb import --replace %s: got output %q, want a completed import", kbFile, out)
	}
}

// withoutWenbanEnv drops WENBAN_ variables, so both the import and the hub,
// which starts from config.Default, run on the default settings.
func withoutWenbanEnv(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		return strings.HasPrefix(kv, "WENBAN_")
	})
}

func readUnseenCases(t *testing.T, path string) []bot.Case {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases, err := bot.ReadCases(f)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	if len(cases) == 0 {
		t.Fatalf("reading %s: got no cases", path)
	}
	return cases
}

// checkCaseIDs confirms that the hub serves the imported knowledge base
// and that every expected id names one of its entries.
func checkCaseIDs(t *testing.T, r *running, cases []bot.Case) {
	t.Helper()
	engine := r.srv.engine.Load()
	if engine == nil {
		t.Fatal("hub has no bot engine")
	}
	if got := engine.Size(); got != 100 {
		t.Fatalf("engine size after import: got %d entries, want 100", got)
	}
	for i, c := range cases {
		if c.Expect == bot.ExpectNone {
			continue
		}
		if _, ok := engine.Entry(c.Expect); !ok {
			t.Errorf("case %d (%q): expect %q names no imported entry", i+1, c.Q, c.Expect)
		}
	}
}

// askUnseen sends every case to POST /api/v1/bot/ask in file order and
// times each round trip.
func askUnseen(t *testing.T, base string, cases []bot.Case) unseenFigures {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	var fig unseenFigures
	latencies := make([]time.Duration, 0, len(cases))

	for _, c := range cases {
		start := time.Now()
		res := askOnce(t, client, base, c.Q)
		latencies = append(latencies, time.Since(start))

		got := ""
		if res.Matched {
			got = res.FAQID
		}
		if c.Expect == bot.ExpectNone {
			fig.outOfScope++
			if !res.Matched {
				fig.rejected++
				continue
			}
		} else {
			fig.inScope++
			if got == c.Expect {
				fig.correct++
				continue
			}
		}
		if got == "" {
			got = "(no match)"
		}
		fig.misses = append(fig.misses, strings.Join([]string{c.Q, "expected " + c.Expect, "got " + got}, " | "))
	}

	slices.Sort(latencies)
	fig.p50 = nearestRank(latencies, 0.50)
	fig.p99 = nearestRank(latencies, 0.99)
	return fig
}

// askReply is the part of bot.Result this test reads.
type askReply struct {
	Matched bool   `json:"matched"`
	FAQID   string `json:"faq_id"`
}

func askOnce(t *testing.T, client *http.Client, base, question string) askReply {
	t.Helper()
	body, err := json.Marshal(map[string]string{"question": question})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Post(base+"/api/v1/bot/ask", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("asking %q: %v", question, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("asking %q: got status %d, want 200", question, resp.StatusCode)
	}
	var reply askReply
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		t.Fatalf("decoding reply to %q: %v", question, err)
	}
	return reply
}

// nearestRank returns the nearest-rank percentile p of sorted durations.
func nearestRank(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}
