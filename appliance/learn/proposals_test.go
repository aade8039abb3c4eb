package learn

import (
	"context"
	"errors"
	"slices"
	"testing"

	"wenban/appliance/conversation"
	"wenban/appliance/kb"
)

// newPhrasing is a citizen question the shipped engine does not answer
// but that staff answer with the homestead-conditions entry.
const (
	newPhrasing = "楼下那块空坪能不能起屋"
	newEntry    = "zjd-sq-001"
)

func TestProposalOnClose(t *testing.T) {
	e := newEnv(t, nil)
	e.serve(t, []string{newPhrasing}, [][2]string{{"您好，请稍等", ""}, {"申请宅基地需要符合一户一宅等条件。", newEntry}})

	ps := pendingProposals(t, e.learn)
	if len(ps) != 1 {
		t.Fatalf("proposals: got %d, want 1: %+v", len(ps), ps)
	}
	p := ps[0]
	if p.EntryID != newEntry || p.Phrasing != newPhrasing {
		t.Errorf("proposal: got %s %q, want %s %q", p.EntryID, p.Phrasing, newEntry, newPhrasing)
	}
	if p.Agent.ID != zhang.ID {
		t.Errorf("proposal agent: got %+v, want %s", p.Agent, zhang.ID)
	}
}

func TestProposalFilters(t *testing.T) {
	e := newEnv(t, nil)
	d, err := kb.LoadDraft(e.db)
	if err != nil {
		t.Fatal(err)
	}
	it, _ := d.Item(newEntry)

	tests := []struct {
		name    string
		citizen []string
		agent   [][2]string
		want    []string
	}{
		{"no entry used", []string{newPhrasing}, [][2]string{{"请到窗口咨询", ""}}, nil},
		{"existing phrasing in other width", []string{"　" + it.Question + "？"}, [][2]string{{"见答复", newEntry}}, nil},
		{"acknowledgement too short", []string{"好的"}, [][2]string{{"见答复", newEntry}}, nil},
		{"unknown entry", []string{newPhrasing}, [][2]string{{"见答复", "zz-404"}}, nil},
		{"same line twice", []string{newPhrasing, newPhrasing + "？"}, [][2]string{{"见答复", newEntry}}, []string{newPhrasing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.serve(t, tt.citizen, tt.agent)
			var got []string
			for _, p := range pendingProposals(t, e.learn) {
				got = append(got, p.Phrasing)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("proposed: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProposalDedupeAcrossConversations(t *testing.T) {
	e := newEnv(t, nil)
	answer := [][2]string{{"见答复", newEntry}}
	id := e.serve(t, []string{newPhrasing}, answer)
	e.serve(t, []string{newPhrasing + "。"}, answer)
	if n, err := e.learn.ProposeFrom(context.Background(), id); err != nil || n != 0 {
		t.Errorf("reprocessing a conversation: got %d, %v; want 0", n, err)
	}
	if ps := pendingProposals(t, e.learn); len(ps) != 1 {
		t.Errorf("proposals after two conversations with one question: got %d, want 1", len(ps))
	}
}

func TestProposalCitizenCloseIgnored(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	c, _, err := e.conv.Start(ctx, conversation.StartRequest{Transcript: []conversation.Line{{From: conversation.SenderCitizen, Text: newPhrasing}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.conv.Accept(ctx, zhang, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.conv.Send(ctx, conversation.SendRequest{ConversationID: c.ID, From: conversation.SenderAgent, AuthorID: zhang.ID, Author: zhang.Name, Text: "见答复", FAQID: newEntry}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.conv.End(ctx, c.ID, conversation.Closer{}); err != nil {
		t.Fatal(err)
	}
	e.learn.Wait()
	if ps := pendingProposals(t, e.learn); len(ps) != 0 {
		t.Errorf("proposals after the citizen closed: got %d, want 0", len(ps))
	}
}

func TestApproveTeachesBot(t *testing.T) {
	e := newEnv(t, nil)
	if res := e.engine.Load().Ask(newPhrasing); res.Matched && res.FAQID == newEntry {
		t.Fatalf("precondition: the shipped engine already answers %q with %s", newPhrasing, newEntry)
	}
	e.serve(t, []string{newPhrasing}, [][2]string{{"见答复", newEntry}})
	p := pendingProposals(t, e.learn)[0]

	out, err := e.learn.Approve(context.Background(), admin, p.ID, false)
	if err != nil {
		t.Fatalf("Approve: %v", err)
	}
	if out.Version.Number != 2 || out.Gate.Method != GateFrozen || !out.Gate.Passed {
		t.Errorf("outcome: got version %d, gate %s passed=%v; want version 2 through the frozen gate", out.Version.Number, out.Gate.Method, out.Gate.Passed)
	}
	if res := e.engine.Load().Ask(newPhrasing); !res.Matched || res.FAQID != newEntry {
		t.Errorf("after approval: got matched=%v %s, want %s", res.Matched, res.FAQID, newEntry)
	}
	live, _, _ := kb.Load(e.db)
	if i := slices.IndexFunc(live, func(en kb.Entry) bool { return en.ID == newEntry }); i < 0 || !slices.Contains(live[i].Similar, newPhrasing) {
		t.Errorf("live entry %s lacks the approved phrasing", newEntry)
	}
	if _, err := e.learn.Approve(context.Background(), admin, p.ID, false); !errors.Is(err, ErrProposalDecided) {
		t.Errorf("approving twice: got %v, want ErrProposalDecided", err)
	}
}

func TestReject(t *testing.T) {
	e := newEnv(t, nil)
	e.serve(t, []string{newPhrasing}, [][2]string{{"见答复", newEntry}})
	p := pendingProposals(t, e.learn)[0]
	if err := e.learn.Reject(context.Background(), admin, p.ID); err != nil {
		t.Fatalf("Reject: %v", err)
	}
	rejected, _ := e.learn.Proposals(context.Background(), StatusRejected)
	if len(rejected) != 1 || rejected[0].DecidedBy != admin {
		t.Errorf("rejected proposals: got %+v, want one decided by %s", rejected, admin.Name)
	}
	e.serve(t, []string{newPhrasing}, [][2]string{{"见答复", newEntry}})
	if ps := pendingProposals(t, e.learn); len(ps) != 0 {
		t.Errorf("a rejected phrasing came back: got %d pending, want 0", len(ps))
	}
}

func TestProposalSkipsBotAnsweredLines(t *testing.T) {
	tests := []struct {
		name    string
		bot     []string
		citizen []string // lines to staff; nil means newPhrasing
		want    []string
	}{
		{"line answered by bot", []string{"我爸走了房子怎么弄到我名下"}, nil, []string{newPhrasing}},
		{"no bot exchange", nil, nil, []string{newPhrasing}},
		// The citizen asked the bot, got another entry's answer, asked for
		// a person and wrote nothing more: staff's entry answers that
		// question, so it is proposed although the bot matched it.
		{"bot answered the handoff topic wrongly", []string{"我爸走了房子怎么弄到我名下", "房子的证丢了要多久才能补好"}, []string{}, []string{"房子的证丢了要多久才能补好"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			for _, q := range tt.want {
				if res := e.engine.Load().Ask(q); slices.Contains(tt.bot, q) && (!res.Matched || res.FAQID == newEntry) {
					t.Fatalf("precondition: the bot answers %q with matched=%v %s, want another entry", q, res.Matched, res.FAQID)
				}
			}
			citizen := []string{newPhrasing}
			if tt.citizen != nil {
				citizen = tt.citizen
			}
			e.serveAfterBot(t, tt.bot, citizen, [][2]string{{"见答复", newEntry}})
			var got []string
			for _, p := range pendingProposals(t, e.learn) {
				got = append(got, p.Phrasing)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("proposed: got %q, want %q", got, tt.want)
			}
		})
	}
}
