package kb

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkBasis checks the form of the 政策依据 references: "id" or
// "id#第X条". This package does not know the policy library, so the admin
// pages check that the library holds the document and article before they
// save or import; answers check again because the library changes on its
// own schedule.
func checkBasis(refs []string) string {
	if reason := checkList(refs, "政策依据", MaxBasis, MaxBasisLen); reason != "" {
		return reason
	}
	for _, ref := range refs {
		if reason := basisProblem(ref); reason != "" {
			return fmt.Sprintf("政策依据 %q %s，应写成“文件编号#第X条”，如“土地管理法#第四十四条”", clip(ref), reason)
		}
	}
	return ""
}

func basisProblem(ref string) string {
	doc, article, hasArticle := strings.Cut(ref, "#")
	switch {
	case doc == "":
		return "缺少文件编号"
	case strings.IndexFunc(ref, unicode.IsSpace) >= 0:
		return "含有空白"
	case strings.ContainsAny(doc, `/\?%&"'<>`):
		return "的文件编号含有不允许的字符"
	case !hasArticle:
		return ""
	case !strings.HasPrefix(article, "第") || !strings.HasSuffix(article, "条") || utf8.RuneCountInString(article) < 3:
		return "的条文序号无效"
	case strings.Contains(article, "#"):
		return "含有多个 #"
	}
	return ""
}
