package kb

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func FuzzDecodeCSV(f *testing.F) {
	f.Add(shippedCSV)
	f.Add([]byte(csvHeader + "a,分类,问题？,甲|乙,\"答,\n\"\"案\"\"\",材料\n"))
	f.Add([]byte("\uFEFF编号,分类,标准问题,相似问题,答案\r\n1,,问,,答\r\n\r\n1,,问,,答"))
	f.Add([]byte("id,category,question,similar,answer,x\n"))
	f.Add([]byte(csvHeader + "a,b,\"c\nd\",e,f,g\n\"unterminated"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoded(t, data, FormatCSV)
	})
}

func FuzzDecodeJSONL(f *testing.F) {
	f.Add([]byte(`{"id":"a","category":"分类","question":"问？","similar":["甲"],"answer":"答","materials":["材"]}`))
	f.Add([]byte("\uFEFF" + `{"id":"a","question":"问","answer":"答\n"}` + "\r\n\n" + `{"id":"a"}`))
	f.Add([]byte(`{"id":1}` + "\n" + `[]` + "\n" + `{"x":null}`))
	f.Add([]byte(`{"id":"a","question":"q","answer":"a","similar":["|"," "]} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoded(t, data, FormatJSONL)
	})
}

// checkDecoded asserts the decoder's contract on arbitrary input: it
// rejects with an ImportError of 1 to MaxProblems problems, or every
// accepted entry is valid and survives a CSV round trip unchanged.
func checkDecoded(t *testing.T, data []byte, f Format) {
	entries, err := Decode(bytes.NewReader(data), f)
	if err != nil {
		var ie *ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("got error %v (%T), want *ImportError", err, err)
		}
		if n := len(ie.Problems); n < 1 || n > MaxProblems {
			t.Fatalf("got %d problems, want 1 to %d", n, MaxProblems)
		}
		_ = ie.Error()
		return
	}

	if len(entries) == 0 {
		t.Fatal("got no entries and no error, want one or the other")
	}
	for _, e := range entries {
		if err := e.Validate(); err != nil {
			t.Fatalf("accepted entry %q fails Validate: %v", e.ID, err)
		}
	}
	if err := ValidateAll(entries); err != nil {
		t.Fatalf("accepted entries fail ValidateAll: %v", err)
	}

	var buf bytes.Buffer
	if err := Encode(&buf, FormatCSV, entries); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	again, err := Decode(&buf, FormatCSV)
	if err != nil {
		t.Fatalf("decoding re-encoded entries: %v", err)
	}
	if !reflect.DeepEqual(again, entries) {
		t.Fatalf("CSV round trip changed entries:\ngot  %#v\nwant %#v", again, entries)
	}
}

func FuzzDecodeXLSX(f *testing.F) {
	var buf bytes.Buffer
	if err := Encode(&buf, FormatXLSX, trickyEntries()); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoded(t, data, FormatXLSX)
	})
}
