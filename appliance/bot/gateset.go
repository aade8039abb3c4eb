package bot

import (
	"bytes"
	_ "embed"
	"fmt"
)

// frozenCases is the frozen labelled set, written against the shipped
// knowledge base and never used for tuning. The retrain gate compares a
// candidate engine with the live one on it.
//
//go:embed testdata/frozen.jsonl
var frozenCases []byte

// GateCases returns the frozen labelled set that the retrain gate
// evaluates. Its expected ids are those of the shipped knowledge base, so
// callers keep only the cases whose entry the live knowledge base has.
func GateCases() ([]Case, error) {
	cases, err := ReadCases(bytes.NewReader(frozenCases))
	if err != nil {
		return nil, fmt.Errorf("reading the embedded frozen set: %w", err)
	}
	return cases, nil
}
