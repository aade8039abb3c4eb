package bot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// repeated returns questions repeated until the list has n questions.
func repeated(n int, questions ...string) []string {
	out := make([]string, 0, n)
	for i := 0; len(out) < n; i++ {
		out = append(out, questions[i%len(questions)])
	}
	return out
}

func TestCalibrateBounds(t *testing.T) {
	e := newFixtureEngine(t)
	tests := []struct {
		name      string
		questions []string
		want      float64
	}{
		{"no questions", nil, DefaultThreshold},
		{"too few questions", repeated(minCalibrationQuestions-1, "asdfgh"), DefaultThreshold},
		{"questions matching nothing", repeated(12, "asdfgh", "啊啊啊啊", "qwer zxcv"), minCalibratedThreshold},
		{"questions the entries answer", repeated(12, "二手房过户怎么办理", "采矿许可证到期了如何延续", "窗口的办公时间是什么时候"), maxCalibratedThreshold},
		{"off-topic questions left out", repeated(12, "社保卡丢了怎么补办", "公积金怎么提取"), DefaultThreshold},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.calibrate(tt.questions); got != tt.want {
				t.Errorf("calibrate(%d questions) = %.3f, want %.3f", len(tt.questions), got, tt.want)
			}
		})
	}
}

func TestCalibrateQuantile(t *testing.T) {
	e := newFixtureEngine(t)
	// Nineteen questions matching nothing and one the entries answer: the
	// answered one sits above the quantile, so the threshold stays at the
	// floor and does not follow a single outlier.
	questions := append([]string{"二手房过户怎么办理"}, repeated(19, "asdfgh", "啊啊啊啊")...)
	if got := e.calibrate(questions); got != minCalibratedThreshold {
		t.Errorf("calibrate with one answered question in 20 = %.3f, want %.3f", got, minCalibratedThreshold)
	}
}

func TestThresholdOption(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want func(float64) bool
		desc string
	}{
		{"explicit threshold kept", Options{Threshold: 0.3}, func(th float64) bool { return th == 0.3 }, "0.300"},
		{"zero calibrates", Options{}, func(th float64) bool {
			return th >= minCalibratedThreshold && th <= maxCalibratedThreshold
		}, "within the calibration bounds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEngine(t, fixtureEntries(), tt.opts)
			if got := e.Threshold(); !tt.want(got) {
				t.Errorf("Threshold() = %.3f, want %s", got, tt.desc)
			}
		})
	}
}

func TestLexiconOutOfScopeFiles(t *testing.T) {
	n, err := newNormalizer()
	if err != nil {
		t.Fatalf("newNormalizer: %v", err)
	}
	embedded, err := loadLexicon(n, "")
	if err != nil {
		t.Fatalf("loadLexicon: %v", err)
	}
	if len(embedded.outOfScope) < 100 {
		t.Errorf("embedded lexicon has %d out-of-scope questions, want at least 100", len(embedded.outOfScope))
	}

	dir := t.TempDir()
	extra := "# local matters\n残联 在哪里 # trailing comment\n\n城管投诉电话\n"
	if err := os.WriteFile(filepath.Join(dir, "outofscope-local.txt"), []byte(extra), 0o600); err != nil {
		t.Fatalf("writing lexicon file: %v", err)
	}
	extended, err := loadLexicon(n, dir)
	if err != nil {
		t.Fatalf("loadLexicon with dir: %v", err)
	}
	added := extended.outOfScope[len(embedded.outOfScope):]
	want := []string{"残联 在哪里", "城管投诉电话"}
	if len(added) != len(want) {
		t.Fatalf("got extra questions %q, want %q", added, want)
	}
	for i := range want {
		if added[i] != want[i] {
			t.Errorf("extra question %d = %q, want %q", i, added[i], want[i])
		}
	}
	if _, ok := extended.entries["城管投诉电话"]; ok {
		t.Errorf("an out-of-scope question became a lexicon phrase, want it kept apart")
	}
}

// FuzzLexiconParse feeds arbitrary text to the lexicon parser as each kind
// of file, because staff write the files of Options.LexiconDir by hand.
// Parsing must not panic, and every phrase it accepts must be a non-empty
// normalised term within the length limit.
func FuzzLexiconParse(f *testing.F) {
	n, err := newNormalizer()
	if err != nil {
		f.Fatalf("newNormalizer: %v", err)
	}
	f.Add("不动产权证书 房本 红本\n# comment\n", uint8(kindSynonym))
	f.Add("社保卡丢了怎么补办\n今天 天气\n", uint8(kindOutOfScope))
	f.Add("材料 带啥\xff\n", uint8(kindAskType))
	f.Add("您好 请问 ！！\n", uint8(kindFiller))
	f.Fuzz(func(t *testing.T, text string, kind uint8) {
		k := lexiconKind(int(kind)%int(kindOutOfScope) + 1)
		lx := &lexicon{entries: make(map[string]lexiconEntry)}
		if err := lx.parse(n, strings.NewReader(text), "fuzz.txt", k); err != nil {
			return
		}
		for phrase := range lx.entries {
			if phrase == "" || utf8.RuneCountInString(phrase) > maxLexiconTermLen || strings.ContainsRune(phrase, boundary) {
				t.Errorf("parse accepted phrase %q, want a non-empty term of at most %d characters without spaces", phrase, maxLexiconTermLen)
			}
		}
		for _, q := range lx.outOfScope {
			if strings.TrimSpace(q) == "" {
				t.Errorf("parse accepted an empty out-of-scope question")
			}
		}
	})
}
