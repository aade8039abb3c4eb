package bot

import (
	"bufio"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

//go:embed lexicon/*.txt
var embeddedLexicon embed.FS

// maxLexiconTermLen bounds a lexicon term in runes. Longer phrases are
// sentences, which the classifier matches better than a fixed rewrite does.
const maxLexiconTermLen = 32

// lexiconKind is the kind of a lexicon file, taken from the start of its
// file name: synonyms*.txt, asktypes*.txt, terms*.txt, fillers*.txt,
// offtopic*.txt, outofscope*.txt or matters*.txt.
type lexiconKind int

const (
	kindUnknown    lexiconKind = iota
	kindSynonym                // variants rewritten to the first term of the line
	kindAskType                // variants of an ask type, named by the first term
	kindTerm                   // domain terms kept as one token
	kindFiller                 // words that carry no meaning and are dropped
	kindOffTopic               // matters the service does not handle
	kindOutOfScope             // whole questions the service does not answer
	kindMatter                 // the field's matters with citizens' phrasings
)

func (k lexiconKind) String() string {
	switch k {
	case kindSynonym:
		return "synonyms"
	case kindAskType:
		return "asktypes"
	case kindTerm:
		return "terms"
	case kindFiller:
		return "fillers"
	case kindOffTopic:
		return "offtopic"
	case kindOutOfScope:
		return "outofscope"
	case kindMatter:
		return "matters"
	}
	return "unknown"
}

// kindOfFile returns the kind a lexicon file name declares.
func kindOfFile(name string) lexiconKind {
	base := filepath.Base(name)
	for _, k := range []lexiconKind{kindSynonym, kindAskType, kindTerm, kindFiller, kindOffTopic, kindOutOfScope, kindMatter} {
		if strings.HasPrefix(base, k.String()) {
			return k
		}
	}
	return kindUnknown
}

// lexiconEntry is the action for one normalised phrase: what the phrase is
// rewritten to and where it was declared.
type lexiconEntry struct {
	kind lexiconKind
	// target is the canonical term for synonyms, terms and off-topic
	// terms, the ask type for ask types and empty for fillers.
	target string
	source string // "file:line", for error messages
	// identity marks a canonical term registered as mapping to itself,
	// which a variant declared elsewhere may override.
	identity bool
}

// lexicon maps normalised phrases to their actions.
type lexicon struct {
	entries map[string]lexiconEntry
	// outOfScope is the list of questions of the outofscope files as
	// written, which calibrate the threshold.
	outOfScope []string
	// matters is the catalogue of the matters files (see matters.go).
	matters []matter
}

// loadLexicon reads the embedded lexicon and then every *.txt file in dir,
// if dir is not empty. Files are read in name order so errors and conflicts
// are reported the same way on every run.
func loadLexicon(n *normalizer, dir string) (*lexicon, error) {
	lx := &lexicon{entries: make(map[string]lexiconEntry)}

	names, err := fs.Glob(embeddedLexicon, "lexicon/*.txt")
	if err != nil {
		return nil, fmt.Errorf("listing embedded lexicon: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := lx.loadFile(n, embeddedLexicon, name); err != nil {
			return nil, err
		}
	}

	if dir != "" {
		if err := lx.loadDir(n, dir); err != nil {
			return nil, err
		}
	}

	if err := lx.resolveChains(); err != nil {
		return nil, err
	}
	return lx, nil
}

func (lx *lexicon) loadDir(n *normalizer, dir string) error {
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("opening lexicon directory: %w", err)
	}
	matches, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return fmt.Errorf("listing lexicon directory %s: %w", dir, err)
	}
	sort.Strings(matches)
	for _, name := range matches {
		if err := lx.loadFile(n, os.DirFS(dir), filepath.Base(name)); err != nil {
			return fmt.Errorf("in %s: %w", dir, err)
		}
	}
	return nil
}

func (lx *lexicon) loadFile(n *normalizer, fsys fs.FS, name string) error {
	kind := kindOfFile(name)
	if kind == kindUnknown {
		return fmt.Errorf("lexicon file %s: name must start with synonyms, asktypes, terms, fillers, offtopic, outofscope or matters", name)
	}

	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("opening lexicon file: %w", err)
	}
	defer f.Close()

	if kind == kindMatter {
		matters, err := parseMatters(f, filepath.Base(name))
		lx.matters = append(lx.matters, matters...)
		return err
	}
	return lx.parse(n, f, filepath.Base(name), kind)
}

// parse reads one lexicon file. Each line is one group of terms separated
// by spaces or tabs, or in an outofscope file one question. Text from # to
// the end of the line is a comment.
func (lx *lexicon) parse(n *normalizer, r io.Reader, name string, kind lexiconKind) error {
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		source := fmt.Sprintf("%s:%d", name, line)
		text := sc.Text()
		if !utf8.ValidString(text) {
			return fmt.Errorf("lexicon %s: invalid UTF-8", source)
		}
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		if kind == kindOutOfScope {
			// A question keeps its spaces, which the pipeline treats
			// as it treats those of a citizen's question.
			lx.outOfScope = append(lx.outOfScope, strings.TrimSpace(text))
			continue
		}
		if err := lx.addGroup(n, fields, kind, source); err != nil {
			return fmt.Errorf("lexicon %s: %w", source, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading lexicon file %s: %w", name, err)
	}
	return nil
}

func (lx *lexicon) addGroup(n *normalizer, fields []string, kind lexiconKind, source string) error {
	terms := make([]string, len(fields))
	for i, f := range fields {
		t, err := normalizeTerm(n, f)
		if err != nil {
			return err
		}
		terms[i] = t
	}

	switch kind {
	case kindSynonym, kindAskType:
		if len(terms) < 2 {
			return fmt.Errorf("group %q has no variant: list the canonical term, then at least one variant", fields[0])
		}
		if err := lx.add(terms[0], lexiconEntry{kind: kind, target: terms[0], source: source, identity: true}); err != nil {
			return err
		}
		for _, t := range terms[1:] {
			if err := lx.add(t, lexiconEntry{kind: kind, target: terms[0], source: source}); err != nil {
				return err
			}
		}
	case kindTerm, kindOffTopic:
		for _, t := range terms {
			if err := lx.add(t, lexiconEntry{kind: kind, target: t, source: source, identity: kind == kindTerm}); err != nil {
				return err
			}
		}
	case kindFiller:
		for _, t := range terms {
			if err := lx.add(t, lexiconEntry{kind: kind, source: source}); err != nil {
				return err
			}
		}
	}
	return nil
}

// normalizeTerm returns the normalised form of one lexicon term, which must
// survive normalisation as a single run of letters and digits.
func normalizeTerm(n *normalizer, term string) (string, error) {
	t := n.normalize(term)
	switch {
	case t == "":
		return "", fmt.Errorf("term %q has no letters or digits", term)
	case strings.ContainsRune(t, boundary):
		return "", fmt.Errorf("term %q contains punctuation or spaces: separate terms with spaces only", term)
	case utf8.RuneCountInString(t) > maxLexiconTermLen:
		return "", fmt.Errorf("term %q is longer than %d characters", term, maxLexiconTermLen)
	}
	return t, nil
}

// add registers one phrase. A canonical term registered as itself gives
// way to a variant mapping declared elsewhere. Any other second mapping of
// the same phrase to a different target is an error.
func (lx *lexicon) add(phrase string, e lexiconEntry) error {
	old, ok := lx.entries[phrase]
	switch {
	case !ok:
		lx.entries[phrase] = e
	case old.kind == e.kind && old.target == e.target:
		if old.identity && !e.identity {
			lx.entries[phrase] = e
		}
	case e.identity:
		// A variant already claims the phrase; the canonical term then
		// follows that variant's target when chains are resolved.
	case old.identity:
		lx.entries[phrase] = e
	default:
		return fmt.Errorf("%q is already a %s entry for %q at %s", phrase, old.kind, old.target, old.source)
	}
	return nil
}

// resolveChains makes every synonym point at a final canonical term, so a
// group whose canonical term is a variant in another group follows it.
func (lx *lexicon) resolveChains() error {
	for phrase, e := range lx.entries {
		if e.kind != kindSynonym && e.kind != kindTerm {
			continue
		}
		target := e.target
		for hops := 0; ; hops++ {
			next, ok := lx.entries[target]
			if !ok || next.target == target || (next.kind != kindSynonym && next.kind != kindTerm) {
				break
			}
			if hops > len(lx.entries) {
				return fmt.Errorf("lexicon %s: synonym chain from %q loops", e.source, phrase)
			}
			target = next.target
		}
		e.target = target
		lx.entries[phrase] = e
	}
	return nil
}

// phrases returns the phrases of the given kinds in sorted order, for the
// spelling vocabulary.
func (lx *lexicon) phrases(kinds ...lexiconKind) []string {
	var out []string
	for p, e := range lx.entries {
		for _, k := range kinds {
			if e.kind == k {
				out = append(out, p)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}
