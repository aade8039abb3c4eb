package kb

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"
)

// formulaEntries start cells with every character a spreadsheet takes for
// a formula, and with apostrophes before them.
func formulaEntries() []Entry {
	return []Entry{
		{ID: "f-1", Category: "测试", Question: `=HYPERLINK("http://example.com","点我")`, Answer: "+1 -1 @x =y"},
		{ID: "f-2", Category: "测试", Question: "-2+3 怎么算", Answer: "@SUM(A1)", Similar: []string{"=cmd' /C calc'!A0", "正常问法"}},
		{ID: "f-3", Category: "测试", Question: "=1+1 等号开头", Answer: "-减号开头\n第二行"},
		{ID: "f-4", Category: "测试", Question: "'=已有单引号", Answer: "''-两个单引号", Materials: []string{"'普通单引号"}},
	}
}

func TestEncodeCSVNeutralisesFormulas(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, FormatCSV, formulaEntries()); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), utf8BOM))).ReadAll()
	if err != nil {
		t.Fatalf("reading exported CSV: %v", err)
	}
	for r, row := range rows[1:] {
		for c, cell := range row {
			if cell != "" && strings.IndexByte(formulaStarts, cell[0]) >= 0 {
				t.Errorf("row %d column %d: got %q, want no leading formula character", r+2, c+1, cell)
			}
		}
	}
}

func TestCSVFormulaEscapeRoundTrip(t *testing.T) {
	want := formulaEntries()
	var buf bytes.Buffer
	if err := Encode(&buf, FormatCSV, want); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	got, err := Decode(&buf, FormatCSV)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed entries:\ngot  %#v\nwant %#v", got, want)
	}
}

func TestEscapeFormula(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"equals", "=x", "'=x"},
		{"tab first", "\t=x", "'\t=x"},
		{"carriage return first", "\r=x", "'\r=x"},
		{"escaped already", "'=x", "''=x"},
		{"plain apostrophe", "'引号'", "'引号'"},
		{"plain text", "抵押注销", "抵押注销"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := escapeFormula(tt.in); got != tt.want {
				t.Errorf("escapeFormula(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestUnescapeFormula(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"typed text prefix", "'=SUM(A1)", "=SUM(A1)"},
		{"plain apostrophe kept", "'引号'", "'引号'"},
		{"lone apostrophe kept", "'", "'"},
		{"no prefix", "=x", "=x"},
		{"tab first", "'\t=x", "\t=x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unescapeFormula(tt.in); got != tt.want {
				t.Errorf("unescapeFormula(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzFormulaEscape(f *testing.F) {
	for _, seed := range []string{"=1+1", "'=x", "''@y", "-", "'", "抵押注销", "\t=x", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		escaped := escapeFormula(cell)
		if escaped != "" && strings.IndexByte(formulaStarts, escaped[0]) >= 0 {
			t.Errorf("escapeFormula(%q): got %q, which a spreadsheet runs as a formula", cell, escaped)
		}
		if got := unescapeFormula(escaped); got != cell {
			t.Errorf("unescapeFormula(escapeFormula(%q)): got %q, want the cell back", cell, got)
		}
	})
}
