package bot

import (
	"strings"
	"testing"
)

func TestSpellerAbsorbsHomophoneTypos(t *testing.T) {
	e := newFixtureEngine(t)
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"one wrong character in each word", "低押登计要多久", "抵押登记"},
		{"back nasal for front nasal", "不动厂权证书", "不动产权证书"},
		{"same sound, other character", "采旷许可证到期", "采矿许可证"},
		{"homophone in a lexicon term", "宅基滴审批", "宅基地"},
		{"both characters of a lexicon term", "山体划破了", "滑坡"},
		{"typo beside a correct word", "二手房过护", "二手房过户"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.clean(tt.in); !strings.Contains(got, tt.want) {
				t.Errorf("clean(%q) = %q, want it to contain %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSpellerKeepsCorrectText(t *testing.T) {
	e := newFixtureEngine(t)
	for _, in := range []string{"今天天气怎么样", "抵押登记要几天", "我想问问你", "12336", "证出来了去哪拿", "花十几万买的车位", "明年底才交房", "找测绘公司"} {
		if got, want := e.clean(in), e.normalizer.normalize(in); got != want {
			t.Errorf("clean(%q) = %q, want it unchanged as %q", in, got, want)
		}
	}
}

func TestAskAbsorbsTypos(t *testing.T) {
	e := newFixtureEngine(t)
	tests := []struct {
		q    string
		want string
	}{
		{"低押登计要几天", "dy-sx"},
		{"不动厂权证书丢了", "bz"},
		{"采矿证眼续", "ckyx"},
	}
	for _, tt := range tests {
		if got := e.Ask(tt.q); got.FAQID != tt.want {
			t.Errorf("Ask(%q) matched %q (score %.3f), want %s", tt.q, got.FAQID, got.Score, tt.want)
		}
	}
}

func TestPinyinInput(t *testing.T) {
	e := newFixtureEngine(t)
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"words separated by spaces", "ershoufang guohu", "二手房过户"},
		{"single syllables decoded together", "fangchanzheng bu ban", "补办"},
		{"pinyin inside Chinese", "房产证diule怎么办", "丢了"},
		{"English word", "app怎么下载", "app"},
		{"lone short word", "an", "an"},
		{"digits", "12336", "12336"},
		{"english sentence keeps its words", "add my wife name to the certificate", "wife name to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.clean(tt.in); !strings.Contains(got, tt.want) {
				t.Errorf("clean(%q) = %q, want it to contain %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFoldPinyin(t *testing.T) {
	tests := []struct{ in, want string }{
		{"chang", "can"},
		{"chan", "can"},
		{"zheng", "zen"},
		{"ning", "lin"},
		{"hua", "fua"},
		{"long", "long"},
	}
	for _, tt := range tests {
		if got := foldPinyin(tt.in); got != tt.want {
			t.Errorf("foldPinyin(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
