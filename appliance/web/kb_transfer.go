package web

import (
	"bytes"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strconv"

	"wenban/appliance/auth"
	"wenban/appliance/kb"
	"wenban/ui/kbadmin"
)

// Upload limits. A file field may be as large as kb.MaxFileSize; the rest
// of the form is a token and two flags. Parts beyond uploadMemory go to
// temporary files.
const (
	maxUploadBytes = kb.MaxFileSize + 1<<20
	uploadMemory   = 8 << 20
)

var fieldLabels = map[string]string{
	"id": "编号", "category": "分类", "question": "标准问题",
	"similar": "相似问法", "answer": "答案", "materials": "所需材料", "basis": "政策依据",
}

// adminUpload guards a multipart form post for administrators. It does
// the checks of requireStaff, but reads the CSRF token from the multipart
// form, which requireStaff's size-limited form parsing would reject.
func (s *Server) adminUpload(h handlerFunc) http.Handler {
	return s.page(func(w http.ResponseWriter, r *http.Request) error {
		sess, acct, err := s.deps.Auth.FromRequest(r)
		if err != nil {
			return s.denyNoSession(w, r, err, true)
		}
		// The role is checked before the body is read, so that staff who
		// may not import cannot make the server parse and spool the file.
		if !acct.Role.AtLeast(auth.RoleAdmin) || acct.MustChangePassword {
			return &appError{Status: http.StatusForbidden, Message: msgForbidden,
				Cause: errors.New("upload by account role " + acct.Role.String())}
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
		if err := r.ParseMultipartForm(uploadMemory); err != nil {
			return uploadError(err)
		}
		if !s.deps.Auth.CheckCSRF(sess, r.PostFormValue(csrfField)) {
			return csrfRejected()
		}
		return h(w, r.WithContext(auth.WithAccount(r.Context(), sess, acct)))
	})
}

func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &appError{Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("文件超过 %d MiB 的上限，请拆分后再导入。", kb.MaxFileSize>>20), Cause: err}
	}
	return badRequest("上传的内容有误，请重新选择文件后再试。", fmt.Errorf("parsing upload: %w", err))
}

func (s *Server) kbTransfer(w http.ResponseWriter, r *http.Request) error {
	return s.renderTransfer(w, r, http.StatusOK, kbadmin.Transfer{})
}

func (s *Server) renderTransfer(w http.ResponseWriter, r *http.Request, status int, v kbadmin.Transfer) error {
	f, _, err := s.kbFrame(r, kbadmin.TabTransfer)
	if err != nil {
		return err
	}
	f.Error = v.Error
	v.Frame = f
	return s.render(w, r, status, kbadmin.TransferView(v))
}

// kbImport checks an uploaded CSV or XLSX file and, unless the form requests
// a check only, loads it into the draft. A file with any problem is
// rejected whole and the page lists every problem with its row.
func (s *Server) kbImport(w http.ResponseWriter, r *http.Request) error {
	file, header, err := r.FormFile("file")
	if err != nil {
		return s.renderTransfer(w, r, http.StatusBadRequest, kbadmin.Transfer{Frame: kbadmin.Frame{Error: "请选择要导入的 CSV 或 XLSX 文件。"}})
	}
	defer file.Close()
	name := filepath.Base(header.Filename)

	entries, err := decodeUpload(file, name)
	if err == nil {
		err = s.checkImportCitations(entries)
	}
	if err != nil {
		return s.renderImportProblems(w, r, name, err)
	}

	if r.PostFormValue("mode") != "import" {
		checked := fmt.Sprintf("「%s」检查通过，共 %d 条，可以导入。", name, len(entries))
		return s.renderTransfer(w, r, http.StatusOK, kbadmin.Transfer{Checked: checked, DryRun: true})
	}
	replace := r.PostFormValue("replace") == "1"
	res, err := s.deps.KB.ImportDraft(r.Context(), staffOf(r), entries, replace, name)
	if err != nil {
		return s.renderImportProblems(w, r, name, err)
	}
	checked := fmt.Sprintf("「%s」已导入草稿：新增 %d 条，更新 %d 条，删除 %d 条。请核对后发布。", name, res.Added, res.Updated, res.Removed)
	// A replacement that drops most entries also skips the retrain gate's
	// comparison, so the page says so before anyone publishes it.
	if kept := res.Added + res.Updated; replace && res.Removed > kept {
		checked += fmt.Sprintf("注意：这次整体替换删除的条目（%d 条）多于保留和新增的条目（%d 条），发布时不再与现行版本比较答对率，请确认确实要更换整个知识库后再发布。", res.Removed, kept)
	}
	return s.renderTransfer(w, r, http.StatusOK, kbadmin.Transfer{Checked: checked})
}

func decodeUpload(file multipart.File, name string) ([]kb.Entry, error) {
	format, err := kb.FormatFromPath(name)
	if err != nil || format == kb.FormatJSONL {
		return nil, kb.ErrUnknownFormat
	}
	return kb.Decode(file, format)
}

// renderImportProblems shows the row-by-row report of a rejected file, or
// the reason when the file was rejected as a whole.
func (s *Server) renderImportProblems(w http.ResponseWriter, r *http.Request, name string, err error) error {
	v := kbadmin.Transfer{FileName: name}
	var ie *kb.ImportError
	switch {
	case errors.As(err, &ie):
		v.Truncated = ie.Truncated
		for _, p := range ie.Problems {
			row := "整个文件"
			if p.Row > 0 {
				row = "第 " + strconv.Itoa(p.Row) + " 行"
			}
			v.Report = append(v.Report, kbadmin.Problem{Row: row, Field: fieldLabels[p.Field], Reason: p.Reason})
		}
		v.Error = "文件未通过检查，草稿保持不变，请按下表修改后重新导入。"
	case errors.Is(err, kb.ErrUnknownFormat):
		v.Error = "只支持 .csv 和 .xlsx 文件。"
	default:
		return err
	}
	return s.renderTransfer(w, r, http.StatusBadRequest, v)
}

// kbExport sends the live version or the draft's active entries as CSV or
// XLSX.
func (s *Server) kbExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	format := kb.FormatXLSX
	if q.Get("format") == "csv" {
		format = kb.FormatCSV
	}

	var entries []kb.Entry
	name := "knowledge-base-live"
	if q.Get("of") == "draft" {
		d, err := s.deps.KB.Draft(r.Context())
		if err != nil {
			return err
		}
		entries, name = kb.Active(d.Items), "knowledge-base-draft"
	} else {
		live, meta, err := s.deps.KB.Live(r.Context())
		if err != nil {
			return err
		}
		entries, name = live, fmt.Sprintf("knowledge-base-v%d", meta.Version)
	}

	var buf bytes.Buffer
	if err := kb.Encode(&buf, format, entries); err != nil {
		return internalError(fmt.Errorf("exporting %s: %w", name, err))
	}
	contentType := "text/csv; charset=utf-8"
	if format == kb.FormatXLSX {
		contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	h.Set("Cache-Control", "no-store")
	if _, err := buf.WriteTo(w); err != nil {
		s.log.Debug("writing export failed", "route", r.Pattern, "error", err)
	}
	return nil
}
