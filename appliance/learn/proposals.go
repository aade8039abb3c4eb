package learn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"wenban/appliance/bot"
	"wenban/appliance/conversation"
	"wenban/appliance/kb"
	"wenban/appliance/store"
)

// Buckets of the learning loop. Proposals hold citizens' words and are
// sealed; the closed-conversation marks hold only random conversation ids.
const (
	bucketProposals = "learn_proposals" // store.SeqKey(seq) to Proposal, sealed
	bucketProcessed = "learn_processed" // conversation id to its close time
)

// Proposal states.
const (
	StatusPending  = "pending"
	StatusApproved = "approved"
	StatusRejected = "rejected"
)

// Errors of the proposal queue.
var (
	ErrProposalNotFound = errors.New("未找到该问法建议")
	ErrProposalDecided  = errors.New("该问法建议已处理")
)

// Proposal is a citizen's question offered as a new phrasing of the entry
// staff answered it with.
type Proposal struct {
	ID             string          `json:"id"`
	EntryID        string          `json:"entry_id"`
	Phrasing       string          `json:"phrasing"`
	ConversationID conversation.ID `json:"conversation_id"`
	// Agent is the member of staff who answered with the entry.
	Agent     kb.Staff  `json:"agent"`
	CreatedAt time.Time `json:"created_at"`
	Status    string    `json:"status"`
	DecidedBy kb.Staff  `json:"decided_by,omitzero"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
}

// Limits on a proposed phrasing, in characters. Shorter messages are
// acknowledgements such as 好的 or 谢谢 more often than questions.
const (
	minPhrasingRunes = 4
	minPhrasingHan   = 2
	// maxCitizenLines is how many citizen lines before one answer become
	// proposals; earlier lines usually belong to other questions.
	maxCitizenLines = 3
)

// closedObserver starts a proposal job for every conversation staff close.
type closedObserver struct{ s *Service }

// Publish implements conversation.Publisher.
func (o closedObserver) Publish(ev conversation.Event) {
	if ev.Kind != conversation.EventClosed || !closedByStaff(ev.Conversation) {
		return
	}
	s, id := o.s, ev.Conversation.ID
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		n, err := s.ProposeFrom(context.Background(), id)
		if err != nil {
			s.log.Error("proposing phrasings failed", "conversation", id, "error", err)
			return
		}
		if n > 0 {
			s.log.Info("phrasings proposed", "conversation", id, "count", n)
		}
	}()
}

func closedByStaff(c conversation.Conversation) bool {
	return c.ClosedBy != "" && c.ClosedBy != "citizen" && c.ClosedBy != "system"
}

// Observer returns the conversation.Publisher that turns conversations
// closed by staff into proposals. Chain it beside the realtime hub.
func (s *Service) Observer() conversation.Publisher { return closedObserver{s} }

// candidate is one citizen line and the entry staff answered it with.
type candidate struct {
	entryID, text string
	agent         kb.Staff
	// toBot marks a line the citizen asked the bot before the handoff.
	toBot bool
	// topic marks the last line asked of the bot when the citizen wrote
	// nothing more before staff answered: the question the bot's answer
	// did not settle, which is why the citizen asked for a person.
	topic bool
}

// ProposeFrom turns the citizen lines that staff answered with a
// knowledge-base entry into proposals, and returns how many it stored. A
// conversation is processed once; later calls return 0.
func (s *Service) ProposeFrom(ctx context.Context, id conversation.ID) (int, error) {
	if s.opts.Transcripts == nil {
		return 0, nil
	}
	if done, err := s.processed(id); err != nil || done {
		return 0, err
	}
	msgs, err := s.opts.Transcripts.Messages(ctx, id, 0)
	if err != nil {
		return 0, fmt.Errorf("reading conversation %s: %w", id, err)
	}
	d, err := kb.LoadDraft(s.opts.DB)
	if err != nil {
		return 0, err
	}
	existing, err := s.Proposals(ctx, "")
	if err != nil {
		return 0, err
	}

	fresh := s.filterCandidates(d, existing, answeredLines(msgs))
	err = s.opts.DB.Update(func(tx *store.Tx) error {
		for i := range fresh {
			if err := putNewProposal(tx, &fresh[i]); err != nil {
				return err
			}
		}
		return tx.Put(bucketProcessed, string(id), s.now())
	})
	if err != nil {
		return 0, fmt.Errorf("storing proposals of conversation %s: %w", id, err)
	}
	return len(fresh), nil
}

func (s *Service) processed(id conversation.ID) (bool, error) {
	var done bool
	err := s.opts.DB.View(func(tx *store.Tx) error {
		var at time.Time
		var err error
		done, err = tx.Get(bucketProcessed, string(id), &at)
		return err
	})
	return done, err
}

// answeredLines pairs each agent line that carries an entry with the
// citizen lines written since the previous such line, at most
// maxCitizenLines of them, the latest kept. The handoff is the first
// system line, which Start appends after the bot transcript. Lines asked
// of the bot before it stay pending, marked toBot, because a question the
// bot missed and staff then answered is what the loop learns from. The
// last of them is marked topic when no line to staff follows it.
// filterCandidates drops the ones the bot does match.
func answeredLines(msgs []conversation.Message) []candidate {
	var out []candidate
	var pending []candidate
	handedOff := false
	for _, m := range msgs {
		switch {
		case m.From == conversation.SenderSystem:
			handedOff = true
		case m.From == conversation.SenderBot && handedOff:
			pending = nil
		case m.From == conversation.SenderCitizen && strings.TrimSpace(m.Text) != "":
			pending = append(pending, candidate{text: m.Text, toBot: !handedOff})
		case m.From == conversation.SenderAgent && m.FAQID != "" && m.Text != "":
			if len(pending) > maxCitizenLines {
				pending = pending[len(pending)-maxCitizenLines:]
			}
			if n := len(pending); n > 0 && pending[n-1].toBot {
				pending[n-1].topic = true
			}
			for _, c := range pending {
				c.entryID, c.agent = m.FAQID, kb.Staff{ID: m.AuthorID, Name: m.Author}
				out = append(out, c)
			}
			pending = nil
		}
	}
	return out
}

// filterCandidates keeps the lines that can become a phrasing of a draft
// entry in use and that no entry, proposal or earlier line already has.
// A line the live engine already answers with that entry adds nothing.
func (s *Service) filterCandidates(d kb.Draft, existing []Proposal, cands []candidate) []Proposal {
	known := make(map[string]bool)
	for _, it := range d.Items {
		known[phrasingKey(it.Question)] = true
		for _, q := range it.Similar {
			known[phrasingKey(q)] = true
		}
	}
	for _, p := range existing {
		known[phrasingKey(p.Phrasing)] = true
	}

	live := s.liveEngine()
	var out []Proposal
	for _, c := range cands {
		it, ok := d.Item(c.entryID)
		text := cleanPhrasing(c.text)
		key := phrasingKey(text)
		if !ok || it.Retired || len(it.Similar) >= kb.MaxSimilar || !usablePhrasing(text) || known[key] {
			continue
		}
		if live != nil {
			res := live.Ask(text)
			// A line the bot answered before the handoff was settled there,
			// perhaps with another entry, so it teaches this one nothing,
			// unless it is the topic the citizen then took to staff.
			if res.Matched && (res.FAQID == c.entryID || (c.toBot && !c.topic)) {
				continue
			}
		}
		known[key] = true
		out = append(out, Proposal{
			EntryID: c.entryID, Phrasing: text, Agent: c.agent,
			CreatedAt: s.now(), Status: StatusPending,
		})
	}
	return out
}

func (s *Service) liveEngine() *bot.Engine {
	if s.opts.Live == nil {
		return nil
	}
	return s.opts.Live()
}

// cleanPhrasing makes a chat line fit a similar-phrasing cell: personal
// data masked, one line, no list separator, single spaces.
func cleanPhrasing(text string) string {
	text = strings.Map(func(r rune) rune {
		if r == '|' || r == '｜' || unicode.IsControl(r) {
			return ' '
		}
		return r
	}, text)
	return maskPersonal(strings.Join(strings.Fields(text), " "))
}

func usablePhrasing(text string) bool {
	n := utf8.RuneCountInString(text)
	if n < minPhrasingRunes || n > kb.MaxQuestionLen {
		return false
	}
	han := 0
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			han++
		}
	}
	return han >= minPhrasingHan
}

func putNewProposal(tx *store.Tx, p *Proposal) error {
	seq, err := tx.NextSeq(bucketProposals)
	if err != nil {
		return err
	}
	p.ID = store.SeqKey(seq)
	return tx.PutSealed(bucketProposals, p.ID, *p)
}

// Proposals returns the proposals in the given status, oldest first, or
// every proposal when status is empty.
func (s *Service) Proposals(_ context.Context, status string) ([]Proposal, error) {
	var out []Proposal
	err := s.opts.DB.View(func(tx *store.Tx) error {
		return tx.ScanSealed(bucketProposals, "", func(_ string, decode store.Decoder) error {
			var p Proposal
			if err := decode(&p); err != nil {
				return err
			}
			if status == "" || p.Status == status {
				out = append(out, p)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("listing proposals: %w", err)
	}
	return out, nil
}

func (s *Service) proposal(id string) (Proposal, error) {
	var p Proposal
	err := s.opts.DB.View(func(tx *store.Tx) error {
		found, err := tx.GetSealed(bucketProposals, id, &p)
		if err == nil && !found {
			err = ErrProposalNotFound
		}
		return err
	})
	if err != nil {
		return Proposal{}, fmt.Errorf("proposal %s: %w", id, err)
	}
	return p, nil
}

// Approve adds the proposed phrasing to its draft entry and publishes it
// through the gate. With no other pending draft changes the whole draft is
// published. Otherwise only the phrasing is published, on top of the live
// version, and the other draft changes stay pending, so an unrelated edit
// that fails the gate does not block the approval. An entry the live
// version lacks is published with the whole draft. When the gate rejects
// the candidate, nothing changes and the proposal stays pending.
func (s *Service) Approve(ctx context.Context, by kb.Staff, id string, force bool) (Outcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	p, err := s.pending(id)
	if err != nil {
		return Outcome{}, err
	}
	d, err := kb.LoadDraft(s.opts.DB)
	if err != nil {
		return Outcome{}, err
	}
	it, ok := d.Item(p.EntryID)
	if !ok {
		return Outcome{}, fmt.Errorf("采纳问法建议 %s：条目 %s：%w", id, p.EntryID, kb.ErrEntryNotFound)
	}
	edited := it.Entry
	edited.Similar = append(slices.Clone(edited.Similar), p.Phrasing)

	items := slices.Clone(d.Items)
	for i := range items {
		if items[i].ID == edited.ID {
			items[i].Entry = edited
		}
	}
	name := "采纳问法：" + clipRunes(p.Phrasing, 20)
	commit := func() (kb.Version, error) {
		return kb.Publish(s.opts.DB, kb.PublishRequest{By: by, Name: name, Rev: d.State.Rev, Edit: &edited, Now: s.now()})
	}
	if d.State.Pending > 0 {
		if onLive, ok, err := s.liveWithPhrasing(p); err != nil {
			return Outcome{}, err
		} else if ok {
			items = onLive
			commit = func() (kb.Version, error) {
				return kb.PublishPhrasing(s.opts.DB, kb.PhrasingRequest{
					By: by, Name: name, Rev: d.State.Rev, EntryID: p.EntryID, Phrasing: p.Phrasing, Now: s.now(),
				})
			}
		}
	}
	out, err := s.retrain(ctx, by, items, force, commit)
	if err != nil {
		return out, err
	}
	if err := s.decide(p, by, StatusApproved); err != nil {
		return out, err
	}
	return out, nil
}

// liveWithPhrasing returns the live items with p's phrasing added, or
// false when the live version lacks p's entry, which is then new in the
// draft and can only be published with the whole draft.
func (s *Service) liveWithPhrasing(p Proposal) ([]kb.Item, bool, error) {
	live, err := kb.LiveItems(s.opts.DB)
	if err != nil {
		return nil, false, err
	}
	items, ok := kb.WithPhrasing(live, p.EntryID, p.Phrasing)
	return items, ok, nil
}

// Reject closes a proposal without changing the knowledge base. The same
// phrasing is not proposed again.
func (s *Service) Reject(_ context.Context, by kb.Staff, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	p, err := s.pending(id)
	if err != nil {
		return err
	}
	return s.decide(p, by, StatusRejected)
}

func (s *Service) pending(id string) (Proposal, error) {
	p, err := s.proposal(id)
	if err != nil {
		return Proposal{}, err
	}
	if p.Status != StatusPending {
		return Proposal{}, fmt.Errorf("proposal %s: %w", id, ErrProposalDecided)
	}
	return p, nil
}

func (s *Service) decide(p Proposal, by kb.Staff, status string) error {
	p.Status, p.DecidedBy, p.DecidedAt = status, by, s.now()
	err := s.opts.DB.Update(func(tx *store.Tx) error {
		return tx.PutSealed(bucketProposals, p.ID, p)
	})
	if err != nil {
		return fmt.Errorf("recording decision on proposal %s: %w", p.ID, err)
	}
	return nil
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
