package policy

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// syntheticDocs builds n documents of articles articles each, about 150
// characters per article, from a fixed vocabulary of the field.
func syntheticDocs(n, articles int) []Document {
	words := []string{"土地", "征收", "补偿", "宅基地", "登记", "抵押", "规划", "许可", "采矿", "测绘", "地质灾害", "耕地", "审批", "公告"}
	docs := make([]Document, 0, n)
	for i := range n {
		d := Document{ID: fmt.Sprintf("doc-%d", i), Title: fmt.Sprintf("第%d号示例办法", i), Issuer: "自然资源部",
			Status: StatusInForce, Level: LevelDepartment}
		for j := range articles {
			var b strings.Builder
			for k := range 30 {
				b.WriteString(words[(i+j+k)%len(words)])
				b.WriteString("的")
			}
			d.Articles = append(d.Articles, Article{Number: "第" + formatNumeral(j+1) + "条", Ordinal: j + 1, Text: b.String()})
		}
		docs = append(docs, d)
	}
	return docs
}

func BenchmarkBuildIndex(b *testing.B) {
	for _, size := range []struct{ docs, articles int }{{15, 10}, {100, 30}} {
		docs := syntheticDocs(size.docs, size.articles)
		b.Run(fmt.Sprintf("%dx%d", size.docs, size.articles), func(b *testing.B) {
			for b.Loop() {
				idx, err := buildIndex(docs)
				if err != nil {
					b.Fatal(err)
				}
				idx.Close()
			}
		})
	}
}

func BenchmarkSearch(b *testing.B) {
	s, err := newSnapshot(syntheticDocs(100, 30))
	if err != nil {
		b.Fatal(err)
	}
	defer s.index.Close()
	q, _ := normalizeQuery(Query{Text: "宅基地审批"})
	for b.Loop() {
		if _, err := searchIndex(context.Background(), s.index, s.docs, q); err != nil {
			b.Fatal(err)
		}
	}
}
