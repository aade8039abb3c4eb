package bot

import (
	"reflect"
	"testing"
)

func TestNormalize(t *testing.T) {
	n, err := newNormalizer()
	if err != nil {
		t.Fatalf("newNormalizer: %v", err)
	}
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"full-width letters and digits", "ＡＢＣ１２３３６", "abc12336"},
		{"full-width punctuation", "房本丢了？！", "房本丢了"},
		{"traditional Chinese", "不動產權證書遺失", "不动产权证书遗失"},
		{"emoji", "房本丢了😭😭咋办", "房本丢了 咋办"},
		{"punctuation between words", "你好，请问。过户", "你好 请问 过户"},
		{"white space runs", "  二手房 \t 过户  ", "二手房 过户"},
		{"uppercase ASCII", "APP怎么下载", "app怎么下载"},
		{"only symbols", "。。。！！", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := n.normalize(tt.in); got != tt.want {
				t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestAnalyzeDropsFillers(t *testing.T) {
	e := newFixtureEngine(t)
	tests := []struct {
		name  string
		noisy string
		plain string
	}{
		{"greeting and thanks", "您好，请问房本丢了怎么办呢？谢谢", "房本丢了怎么办"},
		{"polite opening", "我想问一下，麻烦问下采矿证延续", "采矿证延续"},
		{"particles", "二手房过户啊吧", "二手房过户"},
		{"emoji and full width", "😊过户ＯＫ吗", "过户ok吗"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := e.analyzeText(tt.noisy), e.analyzeText(tt.plain)
			if !reflect.DeepEqual(got.features, want.features) {
				t.Errorf("features of %q = %v, want those of %q: %v", tt.noisy, got.features, tt.plain, want.features)
			}
		})
	}
}

func TestAnalyzeCanonicalisesSynonyms(t *testing.T) {
	e := newFixtureEngine(t)
	tests := []struct {
		name      string
		text      string
		wantTerm  string
		wantAsked string
	}{
		{"colloquial certificate", "红本丢了", "t:不动产权证书", ""},
		{"colloquial release", "解押怎么办", "t:抵押注销", "流程"},
		{"transfer", "过户要带啥", "t:转移登记", "材料"},
		{"mining licence", "采矿证多久", "t:采矿权", "时限"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.analyzeText(tt.text)
			if !hasFeature(a, tt.wantTerm) {
				t.Errorf("features of %q = %v, want %s", tt.text, a.features, tt.wantTerm)
			}
			if tt.wantAsked != "" && !containsString(a.askTypes, tt.wantAsked) {
				t.Errorf("ask types of %q = %v, want %s", tt.text, a.askTypes, tt.wantAsked)
			}
		})
	}
}

func hasFeature(a analysis, key string) bool {
	for _, f := range a.features {
		if f.key == key {
			return true
		}
	}
	return false
}
