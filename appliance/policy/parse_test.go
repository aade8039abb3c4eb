package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of the parser tests")

func TestParseGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/parse/*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatal("got no inputs in testdata/parse, want at least one")
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: got error %v, want none", err)
			}
			got, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(in, ".md") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("reading golden file (run with -update to create it): %v", err)
			}
			if !bytes.Equal(append(got, '\n'), want) {
				t.Errorf("Parse(%s):\ngot  %s\nwant %s", in, got, want)
			}
		})
	}
}

func TestParseArticles(t *testing.T) {
	data, err := os.ReadFile("testdata/parse/chapters.md")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}

	want := []struct {
		number  string
		ordinal int
		chapter string
		text    string
	}{
		{"第一条", 1, "第一章 总则", "为了规范土地管理，制定本办法。"},
		{"第二条", 2, "第一章 总则", "本办法适用于本省行政区域内的土地管理活动。县级以上人民政府自然资源主管部门负责具体工作。"},
		{"第十条", 10, "第二章 用途管制 · 第一节 农用地转用", "建设占用农用地的，应当办理农用地转用审批手续。\n依照第十条规定报批的，还应当附具补充耕地方案。"},
		{"第十一条", 11, "第二章 用途管制 · 第一节 农用地转用", "征收土地应当给予公平、合理的补偿。"},
	}
	if len(doc.Articles) != len(want) {
		t.Fatalf("got %d articles, want %d", len(doc.Articles), len(want))
	}
	for i, w := range want {
		a := doc.Articles[i]
		if a.Number != w.number {
			t.Errorf("article %d: got number %q, want %q", i, a.Number, w.number)
		}
		if a.Ordinal != w.ordinal {
			t.Errorf("article %d: got ordinal %d, want %d", i, a.Ordinal, w.ordinal)
		}
		if a.Chapter != w.chapter {
			t.Errorf("article %d: got chapter %q, want %q", i, a.Chapter, w.chapter)
		}
		if a.Text != w.text {
			t.Errorf("article %d: got text %q, want %q", i, a.Text, w.text)
		}
	}
	if got, want := doc.Articles[2].Anchor(), "art-10"; got != want {
		t.Errorf("anchor: got %q, want %q", got, want)
	}
}

const validHeader = "---\nid: a\ntitle: 标题\nissuer: 机关\npublished: 2020-01-01\nstatus: 现行有效\nlevel: 法律\n---\n"

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name  string
		input string
		line  int
		want  string
	}{
		{"no header", "第一条 内容\n", 1, "文件头"},
		{"unclosed header", "---\nid: a\n", 3, "结束的 ---"},
		{"unknown header key", "---\ncolour: red\n---\n", 2, "未知的文件头"},
		{"duplicate header key", "---\nid: a\nid: b\n---\n", 3, "重复"},
		{"bad date", strings.Replace(validHeader, "2020-01-01", "2020/01/01", 1), 5, "YYYY-MM-DD"},
		{"bad status", strings.Replace(validHeader, "现行有效", "有效", 1), 6, "效力"},
		{"missing title", strings.Replace(validHeader, "title: 标题\n", "", 1) + "第一条 内容\n", 0, "标题"},
		{"id with slash", strings.Replace(validHeader, "id: a", "id: a/b", 1) + "第一条 内容\n", 0, "编号"},
		{"text before articles", validHeader + "前言\n第一条 内容\n", 9, "不属于任何条文"},
		{"no articles", validHeader + "第一章 总则\n", 0, "没有任何条文"},
		{"articles out of order", validHeader + "第二条 甲\n第一条 乙\n", 10, "应排在"},
		{"duplicate article", validHeader + "第二条 甲\n第二条 乙\n", 10, "应排在"},
		{"empty article", validHeader + "第一条\n", 0, "没有内容"},
		{"control character", validHeader + "第一条 内\x01容\n", 9, "控制字符"},
		{"invalid utf-8", validHeader + "第一条 \xff\n", 0, "UTF-8"},
		{"too large", validHeader + strings.Repeat("长", MaxDocumentBytes), 0, "上限"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.input))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got error %v, want a *ParseError", err)
			}
			if pe.Line != tt.line {
				t.Errorf("got line %d, want %d (%v)", pe.Line, tt.line, pe)
			}
			if !strings.Contains(pe.Reason, tt.want) {
				t.Errorf("got reason %q, want it to contain %q", pe.Reason, tt.want)
			}
		})
	}
}

func TestParseNumeral(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"一", 1, true},
		{"十", 10, true},
		{"十二", 12, true},
		{"二十", 20, true},
		{"四十四", 44, true},
		{"一百", 100, true},
		{"一百零二", 102, true},
		{"一百一十", 110, true},
		{"两百", 200, true},
		{"一千零五", 1005, true},
		{"44", 44, true},
		{"", 0, false},
		{"零", 0, false},
		{"四四", 0, false},
		{"一百十二", 0, false},
		{"十百", 0, false},
		{"044", 0, false},
		{"一万", 0, false},
		{"10000", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseNumeral(tt.in)
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("parseNumeral(%q): got %d, %v, want %d, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestFormatNumeralRoundTrip(t *testing.T) {
	for n := 1; n <= maxOrdinal; n++ {
		s := formatNumeral(n)
		got, ok := parseNumeral(s)
		if !ok || got != n {
			t.Fatalf("parseNumeral(formatNumeral(%d) = %q): got %d, %v, want %d, true", n, s, got, ok, n)
		}
	}
	for n, want := range map[int]string{12: "十二", 44: "四十四", 102: "一百零二", 110: "一百一十", 1010: "一千零一十"} {
		if got := formatNumeral(n); got != want {
			t.Errorf("formatNumeral(%d): got %q, want %q", n, got, want)
		}
	}
}

func TestStatusParse(t *testing.T) {
	for _, s := range Statuses {
		got, err := ParseStatus(s.String())
		if err != nil || got != s {
			t.Errorf("ParseStatus(%q): got %v, %v, want %v", s.String(), got, err, s)
		}
	}
	if _, err := ParseStatus("有效"); err == nil {
		t.Error("ParseStatus(有效): got no error, want one")
	}
	if got := StatusUnknown.String(); got != "未知" {
		t.Errorf("StatusUnknown.String(): got %q, want 未知", got)
	}
	if _, err := StatusUnknown.MarshalText(); err == nil {
		t.Error("StatusUnknown.MarshalText: got no error, want one")
	}
}

func TestLevelParse(t *testing.T) {
	for _, l := range Levels {
		got, err := ParseLevel(l.String())
		if err != nil || got != l {
			t.Errorf("ParseLevel(%q): got %v, %v, want %v", l.String(), got, err, l)
		}
	}
	if _, err := ParseLevel("条例"); err == nil {
		t.Error("ParseLevel(条例): got no error, want one")
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		ref, doc, article string
		ok                bool
	}{
		{"土地管理法#第四十四条", "土地管理法", "第四十四条", true},
		{"土地管理法#第44条", "土地管理法", "第四十四条", true},
		{" 测绘法 ", "测绘法", "", true},
		{"土地管理法#四十四", "", "", false},
		{"#第一条", "", "", false},
		{"a/b#第一条", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			doc, article, err := ParseRef(tt.ref)
			if (err == nil) != tt.ok {
				t.Fatalf("got error %v, want ok=%v", err, tt.ok)
			}
			if doc != tt.doc || article != tt.article {
				t.Errorf("got %q, %q, want %q, %q", doc, article, tt.doc, tt.article)
			}
		})
	}
}
