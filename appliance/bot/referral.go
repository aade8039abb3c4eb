package bot

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

//go:embed referrals/referrals.txt
var embeddedReferrals string

// Limits of a referral file, so a damaged file cannot make every question
// scan megabytes of terms.
const (
	maxReferralLines     = 500
	maxReferralTermRunes = 20
	maxDepartmentRunes   = 40
)

// Referral points questions about another department's business to that
// department.
type Referral struct {
	// Department is the name shown to citizens, such as 公安部门.
	Department string
	Terms      []string
}

// Referrals are the referral lines of a file, in file order.
type Referrals []Referral

// DefaultReferrals parses the referral file built into the binary.
func DefaultReferrals() (Referrals, error) {
	return ParseReferrals(strings.NewReader(embeddedReferrals))
}

// ParseReferrals reads lines of the form "部门名称 | 词语 词语 ...". Blank
// lines and text from # on are skipped.
func ParseReferrals(r io.Reader) (Referrals, error) {
	var out Referrals
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		if n > maxReferralLines {
			return nil, fmt.Errorf("referral file has more than %d lines", maxReferralLines)
		}
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		ref, err := parseReferralLine(line)
		if err != nil {
			return nil, fmt.Errorf("referral file line %d: %w", n, err)
		}
		out = append(out, ref)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading referral file: %w", err)
	}
	return out, nil
}

func parseReferralLine(line string) (Referral, error) {
	if !utf8.ValidString(line) {
		return Referral{}, fmt.Errorf("line is not valid UTF-8")
	}
	dept, terms, ok := strings.Cut(line, "|")
	dept = strings.TrimSpace(dept)
	if !ok || dept == "" {
		return Referral{}, fmt.Errorf("missing \"部门名称 |\" before the terms")
	}
	if utf8.RuneCountInString(dept) > maxDepartmentRunes {
		return Referral{}, fmt.Errorf("department name %q is longer than %d characters", dept, maxDepartmentRunes)
	}
	ref := Referral{Department: dept, Terms: strings.Fields(terms)}
	if len(ref.Terms) == 0 {
		return Referral{}, fmt.Errorf("department %q has no terms", dept)
	}
	for _, t := range ref.Terms {
		if utf8.RuneCountInString(t) > maxReferralTermRunes {
			return Referral{}, fmt.Errorf("term %q is longer than %d characters", t, maxReferralTermRunes)
		}
	}
	return ref, nil
}

// Match returns the department whose longest term occurs in question,
// ignoring spaces, and that term.
func (rs Referrals) Match(question string) (department, term string, ok bool) {
	q := strings.Join(strings.Fields(question), "")
	for _, r := range rs {
		for _, t := range r.Terms {
			if len(t) > len(term) && strings.Contains(q, t) {
				department, term, ok = r.Department, t, true
			}
		}
	}
	return department, term, ok
}
