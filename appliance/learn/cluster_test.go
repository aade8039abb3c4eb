package learn

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"wenban/appliance/conversation"
	"wenban/appliance/kb"
)

func questionsOf(texts ...string) []*question {
	var qs []*question
	byKey := map[string]*question{}
	for _, text := range texts {
		key := phrasingKey(text)
		if q := byKey[key]; q != nil {
			q.count++
			continue
		}
		q := &question{text: text, key: key, count: 1}
		byKey[key] = q
		qs = append(qs, q)
	}
	return qs
}

// shippedPhrasings is the background the service uses on the shipped
// knowledge base.
func shippedPhrasings(t *testing.T) []string {
	t.Helper()
	entries, err := kb.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Question)
		out = append(out, e.Similar...)
	}
	return out
}

func TestClusterGroups(t *testing.T) {
	background := shippedPhrasings(t)
	tests := []struct {
		name      string
		questions []string
		// want lists the expected clusters as sorted member texts, largest first.
		want [][]string
	}{
		{
			name: "two matters apart",
			questions: []string{
				"林权证怎么办理", "林权证去哪里办", "办林权证要什么材料",
				"海域使用权证怎么申请", "海域使用权怎么申请",
			},
			want: [][]string{
				{"办林权证要什么材料", "林权证去哪里办", "林权证怎么办理"},
				{"海域使用权怎么申请", "海域使用权证怎么申请"},
			},
		},
		{
			name:      "repeats count toward size",
			questions: []string{"温泉开采要审批吗", "温泉开采要审批吗？", "温泉开采 要审批吗"},
			want:      [][]string{{"温泉开采要审批吗"}},
		},
		{
			name:      "shared ask words do not join matters",
			questions: []string{"社保卡怎么办理", "社保卡在哪办理", "护照怎么办理", "驾照怎么办理"},
			want:      [][]string{{"社保卡在哪办理", "社保卡怎么办理"}},
		},
		{
			name:      "singletons are not shown",
			questions: []string{"今天天气怎么样", "公积金怎么提取"},
			want:      nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][]string
			for _, c := range clusterQuestions(questionsOf(tt.questions...), background) {
				members := slices.Clone(c.Examples)
				slices.Sort(members)
				got = append(got, members)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d clusters %q, want %d %q", len(got), got, len(tt.want), tt.want)
			}
			for i := range tt.want {
				if !slices.Equal(got[i], tt.want[i]) {
					t.Errorf("cluster %d: got %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestClusterSummary(t *testing.T) {
	cs := clusterQuestions(questionsOf("林权证怎么办理", "林权证怎么办理", "林权证去哪里办", "办林权证要什么材料"), shippedPhrasings(t))
	if len(cs) != 1 {
		t.Fatalf("clusters: got %d, want 1", len(cs))
	}
	c := cs[0]
	if c.Count != 4 {
		t.Errorf("count: got %d, want 4 with the repeat", c.Count)
	}
	if c.Suggested == "" || !slices.Contains(c.Examples, c.Suggested) {
		t.Errorf("suggested %q is not one of the examples %q", c.Suggested, c.Examples)
	}
	if slices.Contains(c.Others(), c.Suggested) || len(c.Others()) != 2 {
		t.Errorf("others: got %q, want the two members besides %q", c.Others(), c.Suggested)
	}
}

func TestClustersFromRecordedQuestions(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	records := []conversation.QuestionRecord{
		{Question: "林权证怎么办理", Matched: false},
		{Question: "林权证去哪里办", Matched: false},
		{Question: "二手房过户要什么材料", Matched: true, FAQID: "bdc-zydj-mm-001"},
		{Question: "二手房过户要带啥", Matched: true, FAQID: "bdc-zydj-mm-001"},
	}
	for i, r := range records {
		r.At = t0.Add(time.Duration(i) * time.Minute)
		if err := e.conv.RecordQuestion(ctx, r); err != nil {
			t.Fatal(err)
		}
	}

	cs, err := e.learn.Clusters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Count != 2 || !strings.Contains(cs[0].Suggested, "林权证") {
		t.Fatalf("clusters: got %+v, want one 林权证 cluster of 2", cs)
	}
	found, ok, err := e.learn.Cluster(ctx, cs[0].ID)
	if err != nil || !ok || found.ID != cs[0].ID {
		t.Errorf("Cluster(%s): got %+v, %v, %v; want the cluster", cs[0].ID, found, ok, err)
	}

	if err := e.learn.MarkHandled(ctx, cs[0]); err != nil {
		t.Fatal(err)
	}
	if cs, _ := e.learn.Clusters(ctx); len(cs) != 0 {
		t.Errorf("clusters after handling: got %+v, want none", cs)
	}
}
