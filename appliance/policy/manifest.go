package policy

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode/utf8"
)

// ManifestName is the manifest's file name in a folder source.
const ManifestName = "manifest.json"

// Manifest limits. A provincial natural-resources library is estimated to
// hold a few hundred documents.
const (
	MaxManifestBytes     = 4 << 20
	MaxManifestDocuments = 5000
	MaxVersionRunes      = 64
	maxPathBytes         = 512
)

// ManifestFormat is the only manifest format version this code reads.
const ManifestFormat = 1

// Manifest lists the documents a source serves.
type Manifest struct {
	Format    int             `json:"format"`
	Documents []ManifestEntry `json:"documents"`
}

// ManifestEntry is one document of a manifest.
type ManifestEntry struct {
	ID string `json:"id"`
	// Version is the source's label for this text, such as "2019-08-26";
	// a new label with the same bytes still counts as a change.
	Version string `json:"version"`
	// SHA256 is the hex SHA-256 of the file.
	SHA256 string `json:"sha256"`
	// Path is the file's path relative to the manifest, with forward
	// slashes. It may not leave the source: no "..", no leading "/", no
	// URL.
	Path string `json:"path"`
	// Size is the file's length in bytes; zero means not given.
	Size int64 `json:"size,omitempty"`
	// Status overrides the 效力 in the file's header when set, so a
	// source can repeal a document without editing its text.
	Status string `json:"status,omitempty"`
}

// ManifestError lists every problem of a rejected manifest. Reasons are
// Chinese, for the update report.
type ManifestError struct {
	Problems []Change
}

func (e *ManifestError) Error() string {
	reasons := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		if p.ID == "" {
			reasons = append(reasons, p.Reason)
			continue
		}
		reasons = append(reasons, p.ID+"："+p.Reason)
	}
	return "更新清单无效：" + strings.Join(reasons, "；")
}

// maxManifestProblems bounds the report of a badly broken manifest.
const maxManifestProblems = 50

// ParseManifest decodes and checks a manifest. It rejects unknown fields,
// duplicate ids and any path that points outside the source.
func ParseManifest(data []byte) (Manifest, error) {
	fail := func(reason string) (Manifest, error) {
		return Manifest{}, &ManifestError{Problems: []Change{{Reason: reason}}}
	}
	if len(data) > MaxManifestBytes {
		return fail(fmt.Sprintf("清单超过 %d MiB 的上限", MaxManifestBytes>>20))
	}
	if !utf8.Valid(data) {
		return fail("清单含有无效的 UTF-8 字符")
	}

	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return fail(fmt.Sprintf("清单不是有效的 JSON：%v", err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fail("清单在 JSON 对象之后还有内容")
	}
	switch {
	case m.Format != ManifestFormat:
		return fail(fmt.Sprintf("清单格式版本 %d 不受支持，应为 %d", m.Format, ManifestFormat))
	case len(m.Documents) == 0:
		// An empty list would repeal the whole library, which is far more
		// likely a broken source than a real change.
		return fail("清单中没有任何文件")
	case len(m.Documents) > MaxManifestDocuments:
		return fail(fmt.Sprintf("清单中的文件超过 %d 个的上限", MaxManifestDocuments))
	}

	var problems []Change
	seen := map[string]bool{}
	for i := range m.Documents {
		e := &m.Documents[i]
		e.SHA256 = strings.ToLower(e.SHA256)
		reason := e.check()
		if reason == "" && seen[e.ID] {
			reason = "编号在清单中重复"
		}
		seen[e.ID] = true
		if reason != "" && len(problems) < maxManifestProblems {
			problems = append(problems, Change{ID: e.ID, Version: e.Version, Reason: fmt.Sprintf("第 %d 项：%s", i+1, reason)})
		}
	}
	if len(problems) > 0 {
		return Manifest{}, &ManifestError{Problems: problems}
	}
	return m, nil
}

func (e ManifestEntry) check() string {
	if reason := checkID(e.ID); reason != "" {
		return reason
	}
	switch {
	case strings.TrimSpace(e.Version) == "":
		return "缺少版本（version）"
	case utf8.RuneCountInString(e.Version) > MaxVersionRunes:
		return fmt.Sprintf("版本超过 %d 个字符", MaxVersionRunes)
	case !validSHA256(e.SHA256):
		return "sha256 应为 64 位十六进制数"
	case e.Size < 0 || e.Size > MaxDocumentBytes:
		return fmt.Sprintf("文件大小 %d 字节超过 %d MiB 的上限", e.Size, MaxDocumentBytes>>20)
	}
	if reason := checkPath(e.Path); reason != "" {
		return reason
	}
	if e.Status != "" {
		if _, err := ParseStatus(e.Status); err != nil {
			return err.Error()
		}
	}
	return ""
}

func validSHA256(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32
}

// checkPath returns why path cannot name a file inside the source, or "".
// Only plain relative paths are accepted: a URL, even one to the same
// host, is rejected so that a manifest can never direct a download
// elsewhere.
func checkPath(path string) string {
	switch {
	case path == "":
		return "缺少路径（path）"
	case len(path) > maxPathBytes:
		return fmt.Sprintf("路径超过 %d 字节", maxPathBytes)
	case strings.Contains(path, "://") || strings.HasPrefix(path, "//"):
		return fmt.Sprintf("路径 %q 是网址，清单只能写更新源内的相对路径", clip(path))
	case strings.HasPrefix(path, "/") || strings.Contains(path, `\`) || strings.Contains(path, ":"):
		return fmt.Sprintf("路径 %q 指向更新源之外，只能写不以 / 开头、不含 \\ 和 : 的相对路径", clip(path))
	case strings.ContainsAny(path, "?#%") || strings.IndexFunc(path, isForbiddenControl) >= 0:
		return fmt.Sprintf("路径 %q 含有 ? # %% 或控制字符", clip(path))
	case !fs.ValidPath(path):
		return fmt.Sprintf("路径 %q 指向更新源之外或写法无效（不能含有 .. 或空的路径段）", clip(path))
	}
	return ""
}
