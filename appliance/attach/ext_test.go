package attach

import (
	"context"
	"strings"
	"testing"
)

func TestNameForType(t *testing.T) {
	cases := []struct {
		name, file, mediaType, want string
	}{
		{"matching text", "说明.txt", TypeText, "说明.txt"},
		{"batch file of text", "申请材料.bat", TypeText, "申请材料.bat.txt"},
		{"html application of text", "说明.hta", TypeText, "说明.hta.txt"},
		{"svg of text", "宗地图.svg", TypeText, "宗地图.svg.txt"},
		{"installer of ole", "setup.msi", TypeOLE, "setup.msi.doc"},
		{"wps spreadsheet", "统计表.et", TypeOLE, "统计表.et"},
		{"jar of zip", "a.jar", TypeZIP, "a.jar.zip"},
		{"macro document of zip", "合同.docm", TypeZIP, "合同.docm.zip"},
		{"upper case extension", "扫描件.PDF", TypePDF, "扫描件.PDF"},
		{"html named png of png", "photo.html", TypePNG, "photo.html.png"},
		{"no extension", "宗地图", TypeJPEG, "宗地图.jpg"},
		{"long name keeps the added extension", strings.Repeat("长", 130) + ".exe", TypeText,
			strings.Repeat("长", maxNameRunes-4) + ".txt"},
		{"type without a list", "a.bin", TypeUnknown, "a.bin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := NameForType(CleanName(tc.file), tc.mediaType)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if again := CleanName(got); again != got {
				t.Errorf("cleaning %q again gave %q", got, again)
			}
		})
	}
}

func TestPutMatchesNameToContent(t *testing.T) {
	s, _ := newTestStore(t)
	m, err := s.Put(context.Background(), PutRequest{Conversation: "c1", Kind: KindFile, Name: "申请材料.bat",
		MaxBytes: 1 << 20, Allowed: fileTypes}, strings.NewReader("del /q C:\\*\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "申请材料.bat.txt" {
		t.Errorf("got name %q, want 申请材料.bat.txt", m.Name)
	}
}
