package attach

import (
	"mime"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestContentDispositionRoundTrip(t *testing.T) {
	cases := []struct {
		name     string
		input    string
		wantName string
	}{
		{"chinese with spaces", "不动产 登记 申请表.pdf", "不动产 登记 申请表.pdf"},
		{"quotes and emoji", `他说"你好" 😀 'x'.docx`, `他说"你好" 😀 'x'.docx`},
		{"semicolon percent backslash", `a;b%20c\d.txt`, `d.txt`},
		{"path stripped", "../../etc/passwd", "passwd"},
		{"control and bidi", "in\u202evoice\x07.pdf", "invoice.pdf"},
		{"arabic letter mark", "发票\u061cfdp.exe", "发票fdp.exe"},
		{"zero width and byte order marks", "\ufeff申\u200b请\u200d表\u2060.pdf", "申请表.pdf"},
		{"line and paragraph separators", "第一行\u2028第二行\u2029.txt", "第一行第二行.txt"},
		{"deprecated format characters", "a\u206ab\u206f.txt", "ab.txt"},
		{"empty", "", defaultName},
		{"only dots", "...", defaultName},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			header := ContentDisposition("attachment", tc.input)
			disposition, params, err := mime.ParseMediaType(header)
			if err != nil {
				t.Fatalf("parsing %q: %v", header, err)
			}
			if disposition != "attachment" {
				t.Errorf("got disposition %q, want attachment", disposition)
			}
			if params["filename"] != tc.wantName {
				t.Errorf("got file name %q, want %q", params["filename"], tc.wantName)
			}
			if !isASCII(header) {
				t.Errorf("header %q is not ASCII", header)
			}
		})
	}
}

func TestASCIIFallbackKeepsExtension(t *testing.T) {
	header := ContentDisposition("inline", "测绘成果.xlsx")
	if !strings.Contains(header, `filename="file.xlsx"`) && !strings.Contains(header, `.xlsx"`) {
		t.Errorf("got %q, want an ASCII fallback ending in .xlsx", header)
	}
}

func TestCleanNameShortens(t *testing.T) {
	long := strings.Repeat("长", 300) + ".pdf"
	got := CleanName(long)
	if n := utf8.RuneCountInString(got); n != maxNameRunes {
		t.Errorf("got %d runes, want %d", n, maxNameRunes)
	}
	if !strings.HasSuffix(got, ".pdf") {
		t.Errorf("got %q, want the .pdf extension kept", got)
	}
}

func TestCleanNameIsIdempotent(t *testing.T) {
	cases := []struct {
		name  string
		input string
	}{
		{"cut ends in a space", strings.Repeat("长", 119) + " " + strings.Repeat("名", 10)},
		{"cut ends in a dot", strings.Repeat("长", 119) + "." + strings.Repeat("x", 20)},
		{"cut ends in spaces before the extension", strings.Repeat("长", 110) + strings.Repeat(" ", 20) + ".pdf"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			once := CleanName(tc.input)
			if twice := CleanName(once); twice != once {
				t.Errorf("cleaning %q again gave %q", once, twice)
			}
		})
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func FuzzContentDisposition(f *testing.F) {
	for _, s := range []string{"不动产 登记.pdf", `"quoted";name`, "😀", "a\\b/c", "\xff\xfe", "...", "=?utf-8?q?x?="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		header := ContentDisposition("attachment", name)
		if !isASCII(header) {
			t.Fatalf("header %q is not ASCII", header)
		}
		_, params, err := mime.ParseMediaType(header)
		if err != nil {
			t.Fatalf("parsing %q: %v", header, err)
		}
		want := CleanName(name)
		if params["filename"] != want {
			t.Fatalf("got file name %q, want %q", params["filename"], want)
		}
		if again := CleanName(want); again != want {
			t.Fatalf("cleaning %q again gave %q", want, again)
		}
	})
}
