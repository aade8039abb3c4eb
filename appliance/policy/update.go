package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"wenban/appliance/store"
)

// Triggers of an update run, recorded in its report.
const (
	TriggerSchedule = "schedule"
	TriggerAdmin    = "admin"
	TriggerSeed     = "seed"
	TriggerCommand  = "command"
)

// ErrRunning is returned when an update starts while another is running.
var ErrRunning = errors.New("a policy update is already running")

// staged is one downloaded, verified and parsed document of a run.
type staged struct {
	entry ManifestEntry
	doc   Document
}

// Update runs one update from src. It downloads the manifest and every
// document into a staging folder, verifies each SHA-256 and size, and
// parses each document. It then works out what is new, changed and
// repealed, builds the new index aside, stores the new revisions and swaps
// the index. Any failure rejects the whole run, so the library and index
// stay as they were. The run's report is stored either way and returned,
// and the error is non-nil when the run was rejected.
func (l *Library) Update(ctx context.Context, src Source, trigger string) (Report, error) {
	if !l.runMu.TryLock() {
		return Report{}, ErrRunning
	}
	defer l.runMu.Unlock()

	r := Report{Started: l.opts.Now(), Source: src.String(), Trigger: trigger}
	l.log.Info("policy update started", "source", r.Source, "trigger", trigger)

	next, err := l.prepare(ctx, src, &r)
	if err == nil {
		err = l.commit(next, &r)
	}
	if err != nil {
		r.OK = false
		r.Error = reportReason(err)
		r.Finished = l.opts.Now()
		if serr := l.db.Update(func(tx *store.Tx) error { return putReport(tx, &r) }); serr != nil {
			l.log.Error("storing failed policy update report failed", "error", serr)
		}
		l.log.Warn("policy update rejected", "source", r.Source, "run", r.Run, "failed", len(r.Failed), "error", err)
		return r, err
	}

	l.log.Info("policy update applied", "source", r.Source, "run", r.Run,
		"added", len(r.Added), "changed", len(r.Changed), "repealed", len(r.Repealed),
		"unchanged", r.Unchanged, "took", r.Finished.Sub(r.Started))
	return r, nil
}

// pending is a run's outcome before it is stored.
type pending struct {
	revisions []Document
	snap      *snapshot
}

// prepare fetches and checks everything and builds the next snapshot
// without touching the store or the live index.
func (l *Library) prepare(ctx context.Context, src Source, r *Report) (*pending, error) {
	raw, err := src.Manifest(ctx)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return nil, fmt.Errorf("更新清单超过 %d MiB 的上限，请精简清单：%w", MaxManifestBytes>>20, err)
		}
		return nil, withHint("读取更新清单失败", err)
	}
	m, err := ParseManifest(raw)
	if err != nil {
		var me *ManifestError
		if errors.As(err, &me) {
			r.Failed = append(r.Failed, me.Problems...)
		}
		return nil, err
	}

	docs, err := l.stage(ctx, src, m, r)
	if err != nil {
		return nil, err
	}
	revisions, merged := l.diff(docs, r)

	snap, err := newSnapshot(merged)
	if err != nil {
		return nil, fmt.Errorf("重建检索索引失败：%w", err)
	}
	return &pending{revisions: revisions, snap: snap}, nil
}

// stage downloads every document into a fresh staging folder and checks
// it. It records every failing document in r and fails if any did.
func (l *Library) stage(ctx context.Context, src Source, m Manifest, r *Report) ([]staged, error) {
	dir, err := os.MkdirTemp(l.opts.StagingDir, "policy-run-")
	if err != nil {
		return nil, fmt.Errorf("创建暂存目录失败：%w", err)
	}
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			l.log.Warn("removing policy staging folder failed", "dir", dir, "error", err)
		}
	}()

	var out []staged
	var total int64
	failed := 0
	fail := func(c Change) {
		// Every report is stored and read back for the admin page, so a
		// source that breaks thousands of files must not bloat it.
		failed++
		if failed <= maxManifestProblems {
			r.Failed = append(r.Failed, c)
		}
	}
	for i, e := range m.Documents {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("更新被中止：%w", err)
		}
		doc, n, err := fetchDocument(ctx, src, e, filepath.Join(dir, strconv.Itoa(i)+".md"))
		total += n
		if total > l.opts.MaxRunBytes {
			// Stop at once: the rest would only use more memory and disk.
			reason := fmt.Sprintf("更新源的文件合计超过 %d MiB 的上限，请核对更新源或分批发布", l.opts.MaxRunBytes>>20)
			fail(Change{ID: e.ID, Version: e.Version, Reason: reason})
			return nil, fmt.Errorf("%s，本次更新未生效", reason)
		}
		if err != nil {
			fail(Change{ID: e.ID, Version: e.Version, Reason: err.Error()})
			continue
		}
		out = append(out, staged{entry: e, doc: doc})
	}
	if failed > maxManifestProblems {
		r.Failed = append(r.Failed, Change{Reason: fmt.Sprintf("另有 %d 个文件未通过检查，未逐一列出", failed-maxManifestProblems)})
	}
	if failed > 0 {
		return nil, fmt.Errorf("%d 个文件未通过检查，本次更新未生效", failed)
	}
	return out, nil
}

// fetchDocument copies one document to the staging file at path while
// hashing it, then verifies and parses the staged copy. It returns the
// bytes it downloaded, also when it fails.
func fetchDocument(ctx context.Context, src Source, e ManifestEntry, path string) (Document, int64, error) {
	rc, err := src.Open(ctx, e.Path, MaxDocumentBytes)
	if err != nil {
		return Document{}, 0, downloadReason(e.Path, err)
	}
	defer rc.Close()

	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return Document{}, 0, fmt.Errorf("写入暂存文件失败：%w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), rc)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Document{}, n, downloadReason(e.Path, err)
	}
	doc, err := checkStaged(e, path, n, h.Sum(nil))
	return doc, n, err
}

// checkStaged verifies the size and hash of a staged document and parses
// it.
func checkStaged(e ManifestEntry, path string, n int64, sum []byte) (Document, error) {

	if e.Size > 0 && n != e.Size {
		return Document{}, fmt.Errorf("文件 %s 的大小为 %d 字节，与清单中的 %d 字节不符", e.Path, n, e.Size)
	}
	if sum := hex.EncodeToString(sum); sum != e.SHA256 {
		return Document{}, fmt.Errorf("文件 %s 的 SHA-256 为 %s，与清单不符，文件可能损坏或被篡改", e.Path, sum)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		return Document{}, fmt.Errorf("读取暂存文件失败：%w", err)
	}
	doc, err := Parse(data)
	if err != nil {
		return Document{}, fmt.Errorf("文件 %s 格式有误：%w", e.Path, err)
	}
	if doc.ID != e.ID {
		return Document{}, fmt.Errorf("文件 %s 的编号为 %q，与清单中的 %q 不符", e.Path, doc.ID, e.ID)
	}

	doc.Version, doc.SourceHash = e.Version, e.SHA256
	if e.Status != "" {
		doc.Status, _ = ParseStatus(e.Status) // checked by ParseManifest
	}
	return doc, nil
}

func downloadReason(path string, err error) error {
	if errors.Is(err, ErrTooLarge) {
		return fmt.Errorf("文件 %s 超过 %d MiB 的上限：%w", path, MaxDocumentBytes>>20, err)
	}
	return withHint("下载文件 "+path+" 失败", err)
}

// withHint puts the Chinese hint for err between what failed and the
// technical detail.
func withHint(what string, err error) error {
	if hint := transferHint(err); hint != "" {
		return fmt.Errorf("%s：%s（技术信息：%w）", what, hint, err)
	}
	return fmt.Errorf("%s：%w", what, err)
}

// diff compares the staged documents with the live library. It returns
// the new revisions to store and the whole next library, and records the
// changes in r. A live document missing from the manifest is marked
// repealed, never deleted.
func (l *Library) diff(docs []staged, r *Report) ([]Document, []Document) {
	live := l.snap.Load().docs
	now := l.opts.Now()
	inManifest := make(map[string]bool, len(docs))
	var revisions, merged []Document

	for _, s := range docs {
		inManifest[s.doc.ID] = true
		d := s.doc
		old, exists := live[d.ID]
		change := Change{ID: d.ID, Title: d.Title, Version: d.Version}
		switch {
		case !exists:
			d.Revision = 1
			r.Added = append(r.Added, withRevision(change, d))
		case old.SourceHash == d.SourceHash && old.Version == d.Version && old.Status == d.Status:
			merged = append(merged, old)
			r.Unchanged++
			continue
		default:
			d.Revision = old.Revision + 1
			change.Reason = changeReason(old, d)
			if d.Status == StatusRepealed && old.Status != StatusRepealed {
				r.Repealed = append(r.Repealed, withRevision(change, d))
			} else {
				r.Changed = append(r.Changed, withRevision(change, d))
			}
		}
		d.Updated = now
		revisions = append(revisions, d)
		merged = append(merged, d)
	}

	for _, old := range l.Documents() {
		if inManifest[old.ID] {
			continue
		}
		if old.Status == StatusRepealed {
			merged = append(merged, old)
			continue
		}
		d := old
		d.Status, d.Revision, d.Updated = StatusRepealed, old.Revision+1, now
		change := Change{ID: d.ID, Title: d.Title, Version: d.Version, Reason: "更新源清单中已没有该文件，标记为已废止"}
		r.Repealed = append(r.Repealed, withRevision(change, d))
		revisions = append(revisions, d)
		merged = append(merged, d)
	}
	return revisions, merged
}

func withRevision(c Change, d Document) Change {
	c.Revision = d.Revision
	return c
}

func changeReason(old, d Document) string {
	var parts []string
	if old.Status != d.Status {
		parts = append(parts, fmt.Sprintf("效力由%s改为%s", old.Status, d.Status))
	}
	if old.Version != d.Version {
		parts = append(parts, fmt.Sprintf("版本由 %s 改为 %s", old.Version, d.Version))
	}
	if old.SourceHash != d.SourceHash {
		parts = append(parts, "内容有变化")
	}
	return strings.Join(parts, "，")
}

// commit stores the run's revisions and report in one transaction and
// then swaps the index. A failed transaction stores nothing, and the new
// index is discarded.
func (l *Library) commit(p *pending, r *Report) error {
	r.OK = true
	r.Finished = l.opts.Now()
	err := l.db.Update(func(tx *store.Tx) error {
		for _, d := range p.revisions {
			if err := putRevision(tx, d); err != nil {
				return err
			}
		}
		return putReport(tx, r)
	})
	if err != nil {
		p.snap.index.Close()
		return fmt.Errorf("保存更新结果失败：%w", err)
	}
	l.swap(p.snap)
	return nil
}

// reportReason is the message a failed run's report shows.
func reportReason(err error) string {
	var me *ManifestError
	if errors.As(err, &me) {
		return "更新清单无效，本次更新未生效"
	}
	return err.Error()
}
