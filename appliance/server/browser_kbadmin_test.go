package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"wenban/appliance/kb"
)

// adminTab signs the first-run administrator in, with their own password
// already set, and opens path.
func adminTab(t *testing.T, bctx context.Context, r *running, path string) context.Context {
	t.Helper()
	const own = "Hall-Own-2026"
	if err := r.srv.Auth().SetPassword(context.Background(), adminID(t, r), r.admin.Password, own); err != nil {
		t.Fatal(err)
	}
	admin := tab(t, bctx)
	run(t, admin, "administrator opens "+path,
		chromedp.Navigate(r.url+path),
		chromedp.WaitVisible(css(sel("login-form"))),
		chromedp.SendKeys(css(sel("login-name")), r.admin.Login),
		chromedp.SendKeys(css(sel("login-password")), own),
	)
	navigate(t, admin, "administrator logs in", chromedp.Click(css(sel("login-submit"))))
	return admin
}

// TestBrowserKBAdministration drives the knowledge-base pages: the
// administrator edits an entry's phrasings and materials, publishes, sees
// who changed what in the history, rolls back, and uploads a bad file
// whose row report leaves the draft unchanged.
func TestBrowserKBAdministration(t *testing.T) {
	bctx := browser(t)
	r := startHub(t, t.TempDir())
	const id = "bdc-bz-001"
	const phrasing = "证书被水泡烂了找不到了"

	admin := adminTab(t, bctx, r, "/seat/admin/kb")
	run(t, admin, "the entry list opens from the navigation",
		chromedp.WaitVisible(css(sel("kb-entries-page"))),
		chromedp.WaitVisible(css(sel("nav-kb"))),
		chromedp.SendKeys(css(sel("kb-search")), id),
	)
	navigate(t, admin, "administrator searches", chromedp.Click(css(sel("kb-filter-submit"))))
	run(t, admin, "one entry is listed", waitJS(`document.querySelectorAll('[data-testid="kb-entry"]').length === 1`))
	navigate(t, admin, "administrator opens the entry", chromedp.Click(css(sel("kb-entry-link"))))
	run(t, admin, "administrator adds a phrasing and a material",
		chromedp.WaitVisible(css(sel("kb-entry-form"))),
		discard(chromedp.Evaluate[bool](`(() => {
			const s = document.querySelector('[data-testid="kb-form-similar"]');
			s.value += "\n`+phrasing+`";
			const m = document.querySelector('[data-testid="kb-form-materials"]');
			m.value += "\n遗失声明";
			return true;
		})()`)),
	)
	navigate(t, admin, "administrator saves to the draft", chromedp.Click(css(sel("kb-form-submit"))))
	run(t, admin, "the history names the change",
		waitText(sel("kb-notice"), "修改已保存到草稿"),
		waitText(sel("kb-history-summary"), "+"+phrasing),
		waitText(sel("kb-history-by"), "管理员"),
		chromedp.WaitVisible(css(sel("kb-pending"))),
		chromedp.SendKeys(css(sel("kb-publish-name")), "补充补证问法"),
	)
	navigate(t, admin, "administrator publishes",
		discard(chromedp.Evaluate[bool](`window.confirm = () => true; true`)),
		chromedp.Click(css(sel("kb-publish"))),
	)
	run(t, admin, "the version page shows the publish and the gate figures",
		waitText(sel("kb-notice"), "新版本已发布"),
		waitText(sel("kb-gate"), "固定评测问句"),
		waitText(sel("kb-version-name"), "补充补证问法"),
	)
	live, meta, err := kb.Load(r.srv.db)
	if err != nil {
		t.Fatal(err)
	}
	if meta.Version != 2 || !hasPhrasing(live, id, phrasing) {
		t.Errorf("live after publish: got version %d, phrasing present %v; want version 2 with it", meta.Version, hasPhrasing(live, id, phrasing))
	}

	navigate(t, admin, "administrator rolls back to version 1",
		discard(chromedp.Evaluate[bool](`window.confirm = () => true; true`)),
		chromedp.Click(css(`[data-testid="kb-version"][data-version="1"] `+sel("kb-rollback"))),
	)
	run(t, admin, "the rollback is published", waitText(sel("kb-notice"), "已回滚"))
	live, meta, _ = kb.Load(r.srv.db)
	if meta.Version != 3 || hasPhrasing(live, id, phrasing) {
		t.Errorf("live after rollback: got version %d, phrasing present %v; want version 3 without it", meta.Version, hasPhrasing(live, id, phrasing))
	}

	bad := filepath.Join(t.TempDir(), "bad.csv")
	content := "id,category,question,similar,answer,materials\nx-001,窗口服务,问题一,,,\n"
	if err := os.WriteFile(bad, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	draft, err := kb.LoadDraft(r.srv.db)
	if err != nil {
		t.Fatal(err)
	}
	navigate(t, admin, "administrator opens import and export", chromedp.Navigate(r.url+"/seat/admin/kb/transfer"))
	run(t, admin, "administrator chooses a bad file",
		chromedp.SetUploadFiles(css(sel("kb-import-file")), []string{bad}),
	)
	run(t, admin, "administrator imports it", chromedp.Click(css(sel("kb-import-submit"))))
	run(t, admin, "the report names the row and the reason",
		chromedp.WaitVisible(css(sel("kb-import-report"))),
		waitText(sel("kb-import-row"), "第 2 行"),
		waitText(sel("kb-import-reason"), "答案为空"),
	)
	after, _ := kb.LoadDraft(r.srv.db)
	if after.State.Rev != draft.State.Rev {
		t.Errorf("draft rev after the bad upload: got %d, want %d", after.State.Rev, draft.State.Rev)
	}
}

func hasPhrasing(entries []kb.Entry, id, phrasing string) bool {
	for _, e := range entries {
		if e.ID == id {
			for _, s := range e.Similar {
				if strings.TrimSpace(s) == phrasing {
					return true
				}
			}
		}
	}
	return false
}
