package learn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"wenban/appliance/kb"
	"wenban/appliance/store"
)

// bucketHandled marks unanswered questions an administrator has turned
// into an entry, so their cluster leaves the list. Keys are hashes of the
// folded question, never the text.
const bucketHandled = "learn_handled"

// Clustering parameters, chosen on hand-made groups of citizen questions
// (see the named cases in cluster_test.go).
const (
	// clusterThreshold is the minimum cosine similarity between a question
	// and a cluster's centroid for the question to join it.
	clusterThreshold = 0.45
	// MinClusterSize is the number of unanswered questions, repeats
	// included, a cluster needs before it is shown as a candidate entry.
	MinClusterSize = 2
	maxExamples    = 8
	// maxClusterQuestions bounds the distinct questions one clustering
	// reads, the newest kept, because the clusters page computes them on
	// every load. On the shared 2-core test machine 5,000 synthetic
	// questions took about 1 s (TestClusterQuestionsScale) and 20,000
	// took 12 s, since questions that share common characters are still
	// compared with most groups.
	maxClusterQuestions = 5000
)

// Cluster is a group of similar questions the bot could not answer.
type Cluster struct {
	// ID is stable while the cluster's suggested question stays the same.
	ID string
	// Count is the number of questions asked, repeats included.
	Count int
	// Suggested is the member closest to the cluster's centre, offered as
	// the standard question of a new entry.
	Suggested string
	// Examples are distinct members, most asked first, Suggested among them.
	Examples []string
	// Keys are the folded members, for MarkHandled.
	Keys []string
	Last time.Time
}

// question is one distinct unanswered question with its repeats.
type question struct {
	text  string
	key   string
	count int
	last  time.Time
	vec   map[string]float64
}

// Clusters groups the unanswered bot questions, largest group first, and
// returns the groups of at least MinClusterSize questions.
//
// A question is represented by its character unigrams and bigrams weighted
// by inverse document frequency over the unanswered questions, so words
// every question shares (怎么, 办理) weigh little and the matter weighs
// most. Questions are taken most asked first and each joins the cluster
// whose centroid is most similar if the cosine similarity reaches
// clusterThreshold, else it starts a new cluster (leader clustering, one
// pass). Character n-grams need no word segmentation, which Chinese
// lacks, and work on unseen vocabulary. The engine's own analysis is
// trained on the entries and is not exported.
func (s *Service) Clusters(ctx context.Context) ([]Cluster, error) {
	if s.opts.Transcripts == nil {
		return nil, nil
	}
	recs, err := s.opts.Transcripts.Questions(ctx)
	if err != nil {
		return nil, err
	}
	handled, err := s.handledKeys()
	if err != nil {
		return nil, err
	}

	byKey := map[string]*question{}
	var qs []*question
	// Newest first, so that once maxClusterQuestions distinct questions
	// are taken the oldest are the ones left out.
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		if r.Matched {
			continue
		}
		// The key is taken after masking, so questions that differ only in
		// a phone or ID number are one question.
		text := cleanPhrasing(r.Question)
		key := phrasingKey(text)
		if key == "" || handled[hashKey(key)] {
			continue
		}
		q := byKey[key]
		if q == nil && len(qs) >= maxClusterQuestions {
			continue
		}
		if q == nil {
			q = &question{text: text, key: key}
			byKey[key] = q
			qs = append(qs, q)
		}
		q.count++
		if r.At.After(q.last) {
			q.last = r.At
		}
	}
	background, err := s.backgroundPhrasings()
	if err != nil {
		return nil, err
	}
	return clusterQuestions(qs, background), nil
}

// backgroundPhrasings returns every phrasing of the draft. They separate
// the words of everyday questions (怎么, 办理) from those of a matter.
func (s *Service) backgroundPhrasings() ([]string, error) {
	d, err := kb.LoadDraft(s.opts.DB)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range d.Items {
		out = append(out, it.Question)
		out = append(out, it.Similar...)
	}
	return out, nil
}

func clusterQuestions(qs []*question, background []string) []Cluster {
	weighVectors(qs, background)
	slices.SortStableFunc(qs, func(a, b *question) int { return b.count - a.count })

	var groups []*group
	// postings lists the groups whose centroid has a gram, so a question
	// is compared only with groups it shares a gram with, and dots sums
	// the dot products per group along those lists.
	postings := map[string][]int{}
	var dots []float64
	var touched []int
	for _, q := range qs {
		if len(q.vec) == 0 {
			continue // nothing but punctuation or emoji
		}
		for k, x := range q.vec {
			for _, gi := range postings[k] {
				if dots[gi] == 0 {
					touched = append(touched, gi)
				}
				dots[gi] += x * groups[gi].centroid[k]
			}
		}

		best := -1
		bestSim := clusterThreshold
		for _, gi := range touched {
			// Ties go to the newest group whatever the order of touched,
			// which follows map iteration.
			sim := dots[gi] / math.Sqrt(groups[gi].sumSq)
			if sim > bestSim || (sim == bestSim && gi > best) {
				best, bestSim = gi, sim
			}
			dots[gi] = 0
		}
		touched = touched[:0]

		if best < 0 {
			best = len(groups)
			groups = append(groups, &group{centroid: map[string]float64{}})
			dots = append(dots, 0)
		}
		g := groups[best]
		for k := range q.vec {
			if _, ok := g.centroid[k]; !ok {
				postings[k] = append(postings[k], best)
			}
		}
		g.add(q)
	}

	var out []Cluster
	for _, g := range groups {
		c := summarize(g)
		if c.Count >= MinClusterSize {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Cluster) int { return b.Count - a.Count })
	return out
}

func summarize(g *group) Cluster {
	var c Cluster
	bestSim := -1.0
	for _, q := range g.members {
		c.Count += q.count
		c.Keys = append(c.Keys, q.key)
		if q.last.After(c.Last) {
			c.Last = q.last
		}
		if len(c.Examples) < maxExamples {
			c.Examples = append(c.Examples, q.text)
		}
		if sim := g.similarity(q.vec); sim > bestSim+1e-9 {
			c.Suggested, bestSim = q.text, sim
		}
	}
	c.ID = hashKey(phrasingKey(c.Suggested))[:16]
	return c
}

// grams returns the character unigrams and bigrams of a folded question.
func grams(key string) []string {
	runes := []rune(key)
	out := make([]string, 0, 2*len(runes))
	for i, r := range runes {
		out = append(out, string(r))
		if i+1 < len(runes) {
			out = append(out, string(runes[i:i+2]))
		}
	}
	return out
}

// functionChars are characters of the ask rather than of the matter
// (question words, particles, pronouns, 办理). A gram made only of them
// weighs functionWeight times its IDF weight.
const (
	functionChars  = "怎么样咋个啥什哪里儿去在要需吗呢吧啊呀的了得是我你他她们请问想能可以会有没多少如何办理该"
	functionWeight = 0.2
)

// weighVectors sets each question's unit-length TF-IDF vector, with
// document frequencies counted over the questions and the background
// phrasings together. Bigrams count twice a unigram, because a shared
// bigram is stronger evidence of the matter than a shared character.
func weighVectors(qs []*question, background []string) {
	df := map[string]int{}
	count := func(key string) {
		seen := map[string]bool{}
		for _, g := range grams(key) {
			if !seen[g] {
				seen[g] = true
				df[g]++
			}
		}
	}
	for _, q := range qs {
		count(q.key)
	}
	for _, b := range background {
		count(phrasingKey(b))
	}

	n := float64(len(qs) + len(background))
	for _, q := range qs {
		q.vec = map[string]float64{}
		for _, g := range grams(q.key) {
			q.vec[g] += gramWeight(g, n, df[g])
		}
		normalize(q.vec)
	}
}

func gramWeight(g string, n float64, df int) float64 {
	weight := math.Log(1 + n/float64(df))
	if utf8.RuneCountInString(g) == 2 {
		weight *= 2
	}
	if strings.Trim(g, functionChars) == "" {
		weight *= functionWeight
	}
	return weight
}

func normalize(v map[string]float64) {
	var sum float64
	for _, x := range v {
		sum += x * x
	}
	if sum == 0 {
		return
	}
	norm := math.Sqrt(sum)
	for k := range v {
		v[k] /= norm
	}
}

// group is a cluster being built. It keeps the squared norm of its
// centroid up to date, so comparing a question with it costs the
// question's few grams, not the centroid's many.
type group struct {
	members  []*question
	centroid map[string]float64
	sumSq    float64
}

func (g *group) add(q *question) {
	g.members = append(g.members, q)
	for k, x := range q.vec {
		old := g.centroid[k]
		g.centroid[k] = old + x
		g.sumSq += (old+x)*(old+x) - old*old
	}
}

// similarity returns the cosine similarity of a unit vector with the
// group's centroid.
func (g *group) similarity(unit map[string]float64) float64 {
	if g.sumSq <= 0 {
		return 0
	}
	var dot float64
	for k, x := range unit {
		dot += x * g.centroid[k]
	}
	return dot / math.Sqrt(g.sumSq)
}

func hashKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// Cluster returns the current cluster with the given id.
func (s *Service) Cluster(ctx context.Context, id string) (Cluster, bool, error) {
	cs, err := s.Clusters(ctx)
	if err != nil {
		return Cluster{}, false, err
	}
	for _, c := range cs {
		if c.ID == id {
			return c, true, nil
		}
	}
	return Cluster{}, false, nil
}

// MarkHandled hides the questions of a cluster from later clusterings,
// after an administrator made an entry of them.
func (s *Service) MarkHandled(_ context.Context, c Cluster) error {
	err := s.opts.DB.Update(func(tx *store.Tx) error {
		for _, k := range c.Keys {
			if err := tx.Put(bucketHandled, hashKey(k), s.now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("marking cluster %s handled: %w", c.ID, err)
	}
	return nil
}

func (s *Service) handledKeys() (map[string]bool, error) {
	out := map[string]bool{}
	err := s.opts.DB.View(func(tx *store.Tx) error {
		return tx.Scan(bucketHandled, "", func(key string, _ store.Decoder) error {
			out[key] = true
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("loading handled questions: %w", err)
	}
	return out, nil
}

// Others returns the examples other than the suggested question, as
// similar phrasings of a new entry.
func (c Cluster) Others() []string {
	var out []string
	for _, e := range c.Examples {
		if e != c.Suggested && !strings.ContainsAny(e, "|｜") {
			out = append(out, e)
		}
	}
	return out
}
