package learn

import (
	"context"
	"strings"
	"testing"
	"time"

	"wenban/appliance/conversation"
)

func TestMaskPersonal(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"id number", "我的身份证430102199001011234怎么查房产", "我的身份证[身份证号]怎么查房产"},
		{"id number ending in X", "身份证43010219900101123X能办吗", "身份证[身份证号]能办吗"},
		{"old 15-digit id", "老身份证430102900101123还能用吗", "老身份证[身份证号]还能用吗"},
		{"mobile", "办好了打13812345678通知我", "办好了打[手机号]通知我"},
		{"mobile with spaces", "电话 138 1234 5678 回电", "电话 [手机号] 回电"},
		{"full-width mobile", "电话１３８１２３４５６７８", "电话[手机号]"},
		{"landline", "单位电话0731-88886666", "单位电话[号码]"},
		{"certificate number", "湘(2021)长沙市不动产权第0012345号补证", "湘(2021)长沙市不动产权第[号码]号补证"},
		{"email", "材料发到zhang.san@example.com可以吗", "材料发到[邮箱]可以吗"},
		{"year and count stay", "2024年办的3套房怎么过户", "2024年办的3套房怎么过户"},
		{"no digits", "抵押注销要什么材料", "抵押注销要什么材料"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := maskPersonal(tt.in); got != tt.want {
				t.Errorf("maskPersonal(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestProposalMasksPersonalData(t *testing.T) {
	e := newEnv(t, nil)
	question := "楼下那块空坪能不能起屋，我电话13812345678，身份证430102199001011234"
	e.serve(t, []string{question}, [][2]string{{"申请宅基地需要符合一户一宅等条件。", newEntry}})

	ps := pendingProposals(t, e.learn)
	if len(ps) != 1 {
		t.Fatalf("proposals: got %d, want 1: %+v", len(ps), ps)
	}
	for _, secret := range []string{"13812345678", "430102199001011234"} {
		if strings.Contains(ps[0].Phrasing, secret) {
			t.Errorf("proposal phrasing %q contains %s, want it masked", ps[0].Phrasing, secret)
		}
	}
	if !strings.Contains(ps[0].Phrasing, maskPhone) || !strings.Contains(ps[0].Phrasing, maskIDNumber) {
		t.Errorf("proposal phrasing: got %q, want %s and %s in place of the numbers", ps[0].Phrasing, maskPhone, maskIDNumber)
	}
}

func TestClustersMaskPersonalData(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	questions := []string{"林权证怎么办理，电话13812345678", "林权证怎么办理，电话13987654321"}
	for i, q := range questions {
		r := conversation.QuestionRecord{Question: q, At: t0.Add(time.Duration(i) * time.Minute)}
		if err := e.conv.RecordQuestion(ctx, r); err != nil {
			t.Fatal(err)
		}
	}

	cs, err := e.learn.Clusters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 {
		t.Fatalf("clusters: got %+v, want one", cs)
	}
	shown := append([]string{cs[0].Suggested}, cs[0].Examples...)
	for _, s := range shown {
		if strings.ContainsAny(s, "0123456789") {
			t.Errorf("cluster text %q contains digits, want the phone numbers masked", s)
		}
	}
	// The two questions differ only in the phone number, so they are one
	// question asked twice.
	if cs[0].Count != 2 || len(cs[0].Examples) != 1 {
		t.Errorf("cluster: got count %d with examples %q, want one example asked twice", cs[0].Count, cs[0].Examples)
	}
}

func FuzzMaskPersonal(f *testing.F) {
	for _, seed := range []string{"电话13812345678", "身份证43010219900101123X", "１３８１２３４５６７８", "a@b.cn", "2024年", "1 2 3 4 5 6"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		masked := maskPersonal(text)
		if again := maskPersonal(masked); again != masked {
			t.Errorf("maskPersonal is not idempotent on %q: %q then %q", text, masked, again)
		}
		// run counts digits joined by single spaces or hyphens, as
		// digitRun matches them.
		run, separated := 0, false
		for _, r := range masked {
			switch {
			case r >= '0' && r <= '9':
				run++
				separated = false
			case (r == ' ' || r == '-') && !separated:
				separated = true
			default:
				run, separated = 0, false
			}
			if run >= minMaskedDigits {
				t.Fatalf("maskPersonal(%q): got %q, which still has %d digits in a row", text, masked, run)
			}
		}
	})
}
