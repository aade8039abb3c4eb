package kb

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// trickyEntries covers text that CSV quoting, XLSX cells and JSON escaping
// must carry unchanged.
func trickyEntries() []Entry {
	return []Entry{
		validEntry(),
		{
			ID:        "bdc-zydj-mm-001",
			Category:  "不动产登记",
			Question:  `二手房"过户",要带什么？`,
			Similar:   []string{"过户, 要啥", `他说"过户"`, "<b>过户</b> & 税费", "'单引号'"},
			Answer:    "第一步，网签；\n第二步，\"一窗受理\"，缴税。\n\n\t以窗口最新公布为准。,,,",
			Materials: []string{"身份证明, 原件", "不动产权证书"},
		},
		{ID: "001", Category: "", Question: "=SUM(A1)", Answer: "+1 -1 @x =y"},
		{ID: "emoji-1", Category: "窗口服务", Question: "😀 表情？", Answer: "支持补充平面字符 𠀀。", Similar: []string{"𠀀"}},
		{ID: "x_x0041_", Category: "测试", Question: "_x000D_ 与 _x0041_", Answer: "_x005F_x0041_"},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, f := range []Format{FormatCSV, FormatXLSX, FormatJSONL} {
		t.Run(f.String(), func(t *testing.T) {
			want := trickyEntries()
			var buf bytes.Buffer
			if err := Encode(&buf, f, want); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			got, err := Decode(&buf, f)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip changed entries:\ngot  %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestRoundTripShipped(t *testing.T) {
	want, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []Format{FormatCSV, FormatXLSX, FormatJSONL} {
		t.Run(f.String(), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Encode(&buf, f, want); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			got, err := Decode(&buf, f)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip changed the shipped knowledge base")
			}
		})
	}
}

func TestEncodeNormalizes(t *testing.T) {
	in := validEntry()
	in.ID = " padded "
	in.Similar = []string{" 甲 ", ""}
	var buf bytes.Buffer
	if err := Encode(&buf, FormatJSONL, []Entry{in}); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	got, err := Decode(&buf, FormatJSONL)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if want := []Entry{in.Normalize()}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

func TestEncodeRejects(t *testing.T) {
	bad := validEntry()
	bad.Answer = ""
	tests := []struct {
		name    string
		format  Format
		entries []Entry
		want    []wantProblem
	}{
		{"invalid entry", FormatCSV, []Entry{bad}, []wantProblem{{1, "answer", "答案为空"}}},
		{"duplicate id", FormatJSONL, []Entry{validEntry(), validEntry()}, []wantProblem{{2, "id", "与第 1 条重复"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Encode(&buf, tt.format, tt.entries)
			checkProblems(t, err, tt.want)
			if buf.Len() != 0 {
				t.Errorf("got %d bytes written, want none", buf.Len())
			}
		})
	}
}

func TestEncodeXLSXCellLimit(t *testing.T) {
	e := validEntry()
	e.Similar = nil
	// 100 items of 200 supplementary-plane characters take two UTF-16 units
	// each, which is more than an Excel cell holds.
	for range MaxSimilar {
		e.Similar = append(e.Similar, strings.Repeat("𠀀", MaxQuestionLen))
	}
	err := Encode(&bytes.Buffer{}, FormatXLSX, []Entry{e})
	if err == nil || !strings.Contains(err.Error(), "超过 Excel 单元格") {
		t.Errorf("got error %v, want the Excel cell limit", err)
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := Decode(strings.NewReader("x"), FormatUnknown); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Decode: got error %v, want ErrUnknownFormat", err)
	}
	if err := Encode(&bytes.Buffer{}, Format(42), nil); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Encode: got error %v, want ErrUnknownFormat", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk failed") }

func TestDecodeReadError(t *testing.T) {
	_, err := Decode(failingReader{}, FormatCSV)
	var ie *ImportError
	if err == nil || errors.As(err, &ie) {
		t.Fatalf("got error %v, want a read error that is not an ImportError", err)
	}
	if !strings.Contains(err.Error(), "disk failed") {
		t.Errorf("got error %v, want the cause wrapped", err)
	}
}
