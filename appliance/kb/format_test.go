package kb

import (
	"errors"
	"testing"
)

func TestFormatString(t *testing.T) {
	tests := []struct {
		format Format
		want   string
	}{
		{FormatUnknown, "unknown"},
		{FormatCSV, "csv"},
		{FormatXLSX, "xlsx"},
		{FormatJSONL, "jsonl"},
		{Format(99), "unknown"},
	}
	for _, tt := range tests {
		if got := tt.format.String(); got != tt.want {
			t.Errorf("Format(%d).String(): got %q, want %q", int(tt.format), got, tt.want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    Format
		wantErr bool
	}{
		{"csv", "csv", FormatCSV, false},
		{"upper case", "XLSX", FormatXLSX, false},
		{"leading dot", ".jsonl", FormatJSONL, false},
		{"spaces", " csv ", FormatCSV, false},
		{"json is not jsonl", "json", FormatUnknown, true},
		{"unknown name", "unknown", FormatUnknown, true},
		{"empty", "", FormatUnknown, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFormat(tt.input)
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if tt.wantErr && !errors.Is(err, ErrUnknownFormat) {
				t.Errorf("got error %v, want ErrUnknownFormat", err)
			}
			if !tt.wantErr && err != nil {
				t.Errorf("got error %v, want nil", err)
			}
		})
	}
}

func TestFormatFromPath(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		want    Format
		wantErr bool
	}{
		{"csv", "/data/kb.csv", FormatCSV, false},
		{"xlsx upper case", `C:\导出\知识库.XLSX`, FormatXLSX, false},
		{"jsonl", "backup.2024.jsonl", FormatJSONL, false},
		{"xls is not xlsx", "old.xls", FormatUnknown, true},
		{"no extension", "kb", FormatUnknown, true},
		{"txt", "kb.txt", FormatUnknown, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FormatFromPath(tt.path)
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if tt.wantErr && !errors.Is(err, ErrUnknownFormat) {
				t.Errorf("got error %v, want ErrUnknownFormat", err)
			}
			if !tt.wantErr && err != nil {
				t.Errorf("got error %v, want nil", err)
			}
		})
	}
}
