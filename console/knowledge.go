package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/safetynet/safetynet/knowledge"
	"github.com/safetynet/safetynet/knowledge/document"
	"github.com/safetynet/safetynet/questions"
)

const (
	maxUpload     = 32 << 20
	maxUploadFile = 16 << 20
)

var uploadExts = map[string]bool{".txt": true, ".md": true, ".html": true, ".htm": true, ".docx": true}

// uploadResult is what became of one uploaded file.
type uploadResult struct {
	File   string
	Status string // added | updated | unchanged | failed
	Chunks int
	Error  string
	// Checks are the places ingest found damaged, in words for the
	// person who keeps the documents.
	Checks []string
}

type knowledgeData struct {
	Ingest    bool // ingestion is wired
	Questions bool // the question log is wired
	Admin     bool // may remove and re-ingest documents
	Results   []uploadResult
	Documents []knowledge.DocumentInfo
	Problems  []questions.Problem
}

func (c *Console) knowledgeView(r *http.Request, s *session, results []uploadResult) (view, error) {
	d := knowledgeData{Ingest: c.know != nil, Questions: c.questions != nil, Results: results,
		Admin: s.User.Role == RoleAdmin}
	if c.know != nil {
		docs, err := c.know.Documents(r.Context())
		if err != nil {
			return view{}, err
		}
		d.Documents = docs
	}
	if c.questions != nil {
		p, err := c.questions.Problems(r.Context(), 50)
		if err != nil {
			return view{}, fmt.Errorf("problem questions: %w", err)
		}
		d.Problems = p
	}
	return c.newView(s, "knowledge", "知识库", d), nil
}

func (c *Console) knowledgePage(w http.ResponseWriter, r *http.Request, s *session) {
	v, err := c.knowledgeView(r, s, nil)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "knowledge", v)
}

// documentsDir is where uploaded documents are kept, under their own base
// names (the name is what citations show), so a document can be
// re-ingested from its file later.
func (c *Console) documentsDir() string {
	if c.uploadDir != "" {
		return filepath.Join(c.uploadDir, "documents")
	}
	return filepath.Join(os.TempDir(), "safetynet-uploads", "documents")
}

// knowledgeUpload saves the uploaded files in a fresh directory, moves each
// whole file into the documents directory and ingests it from there.
func (c *Console) knowledgeUpload(w http.ResponseWriter, r *http.Request, s *session) {
	if c.know == nil {
		c.unavailable(w, r, s, "knowledge", "知识库上传")
		return
	}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File["documents"]
	}
	fail := func(status int, msg string) {
		v, err := c.knowledgeView(r, s, nil)
		if err != nil {
			c.fail(w, r, s, err)
			return
		}
		v.Error = msg
		c.render(w, r, status, "knowledge", v)
	}
	if len(files) == 0 {
		fail(http.StatusBadRequest, "请选择要上传的文件（txt、md、html 或 docx）。")
		return
	}
	keep := c.documentsDir()
	if err := os.MkdirAll(keep, 0o700); err != nil {
		c.fail(w, r, s, fmt.Errorf("upload dir: %w", err))
		return
	}
	// The temporary directory sits beside the kept files, so the move is a
	// rename on one file system: a half-written upload never replaces a
	// document's file.
	dir, err := os.MkdirTemp(filepath.Dir(keep), "upload-")
	if err != nil {
		c.fail(w, r, s, fmt.Errorf("upload dir: %w", err))
		return
	}
	defer os.RemoveAll(dir)
	var results []uploadResult
	var paths []string
	seen := map[string]bool{}
	for _, fh := range files {
		name := filepath.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
		ext := strings.ToLower(filepath.Ext(name))
		switch {
		case name == "." || name == "/" || !uploadExts[ext]:
			results = append(results, uploadResult{File: name, Status: "failed", Error: "只支持 txt、md、html、docx 文件"})
			continue
		case fh.Size > maxUploadFile:
			results = append(results, uploadResult{File: name, Status: "failed", Error: "文件超过 16 MB"})
			continue
		case seen[name]:
			results = append(results, uploadResult{File: name, Status: "failed", Error: "同名文件在这次上传里出现了两次"})
			continue
		}
		seen[name] = true
		tmp, p := filepath.Join(dir, name), filepath.Join(keep, name)
		if err := saveUpload(fh, tmp); err != nil {
			c.fail(w, r, s, err)
			return
		}
		if err := os.Rename(tmp, p); err != nil {
			c.fail(w, r, s, fmt.Errorf("upload %s: %w", name, err))
			return
		}
		paths = append(paths, p)
	}
	for _, p := range paths {
		res, err := c.ingestFile(r.Context(), p)
		if err != nil {
			c.fail(w, r, s, fmt.Errorf("ingest: %w", err))
			return
		}
		results = append(results, res)
	}
	names := make([]string, len(results))
	for i, res := range results {
		names[i] = res.File + ":" + res.Status
	}
	if err := audit(r.Context(), c.pool, s.User, r, AuditKnowledgeLoad, "", map[string]any{"files": names}); err != nil {
		c.fail(w, r, s, err)
		return
	}
	v, err := c.knowledgeView(r, s, results)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	v.Notice = "上传完成，结果见下表。"
	c.render(w, r, http.StatusOK, "knowledge", v)
}

func saveUpload(fh *multipart.FileHeader, path string) error {
	src, err := fh.Open()
	if err != nil {
		return fmt.Errorf("upload %s: %w", fh.Filename, err)
	}
	defer src.Close()
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("upload %s: %w", fh.Filename, err)
	}
	if _, err := io.Copy(dst, io.LimitReader(src, maxUploadFile+1)); err != nil {
		dst.Close()
		return fmt.Errorf("upload %s: %w", fh.Filename, err)
	}
	return dst.Close()
}

// ingestFile ingests one file, so each upload gets its own line in the
// results.
func (c *Console) ingestFile(ctx context.Context, path string) (uploadResult, error) {
	name := filepath.Base(path)
	rep, err := c.know.Ingest(ctx, path)
	switch {
	case errors.Is(err, knowledge.ErrNoFiles):
		return uploadResult{File: name, Status: "failed", Error: "读不出文件内容"}, nil
	case err != nil:
		return uploadResult{File: name}, err
	}
	return ingestResult(name, rep), nil
}

// ingestResult is the results line for one file from its ingestion's
// report; an upload and a re-ingest show theirs alike.
func ingestResult(file string, rep knowledge.IngestReport) uploadResult {
	res := uploadResult{File: file, Chunks: rep.ChunksAdded + rep.ChunksUpdated + rep.ChunksUnchanged}
	switch {
	case len(rep.Failed) > 0:
		res.Status, res.Error = "failed", "文件无法读取或保存"
	case rep.DocsAdded > 0:
		res.Status = "added"
	case rep.DocsUpdated > 0:
		res.Status = "updated"
	default:
		res.Status = "unchanged"
	}
	res.Checks = doubtChecks(rep.Doubts)
	return res
}

// doubtChecks says what looks damaged, in the order ingest found it.
func doubtChecks(doubts []knowledge.DocDoubt) []string {
	var out []string
	for _, d := range knowledge.ShowDoubts(doubts) {
		switch d.Kind {
		case document.DoubtLostDash:
			out = append(out, fmt.Sprintf("“%s”：像是丢了连接号，原文可能是“%s”", d.Quote, d.Guess))
		case document.DoubtGarbled:
			out = append(out, fmt.Sprintf("“%s”：有乱码", d.Quote))
		case document.DoubtPlaceholder:
			out = append(out, fmt.Sprintf("“%s”：数字或名称被写成了 xx", d.Quote))
			if d.Masked > 1 {
				out = append(out, fmt.Sprintf("共有 %d 处写成了 xx", d.Masked))
			}
		}
	}
	if len(out) > 0 {
		out = append(out, "机器人会原样引用这些文字，请对照原件改正后重新导入")
	}
	return out
}

// knowledgeDocAction removes a document or ingests it again from its file;
// admins only, and audited (a removal in the same transaction).
func (c *Console) knowledgeDocAction(w http.ResponseWriter, r *http.Request, s *session) {
	if c.know == nil {
		c.unavailable(w, r, s, "knowledge", "知识库")
		return
	}
	name := r.PostFormValue("name")
	var notice string
	var results []uploadResult
	var err error
	switch r.PathValue("action") {
	case "remove":
		err = c.know.RemoveDocument(r.Context(), name, func(tx pgx.Tx) error {
			return audit(r.Context(), tx, s.User, r, AuditKnowledgeRemove, name, nil)
		})
		notice = "已从知识库移除：" + name
	case "reingest":
		var rep knowledge.IngestReport
		rep, err = c.know.Reingest(r.Context(), name)
		if err == nil {
			res := ingestResult(name, rep)
			results = []uploadResult{res}
			err = audit(r.Context(), c.pool, s.User, r, AuditKnowledgeReingest, name, map[string]any{"passages": res.Chunks, "status": res.Status})
			notice = "已重新导入：" + name
		}
	default:
		c.renderError(w, r, s, http.StatusNotFound, "没有这个操作。")
		return
	}
	status := http.StatusOK
	var msg string
	if err != nil {
		// Said on the knowledge page, with the document's name.
		p, ok := explain(&documentError{Name: name, Err: err})
		if !ok {
			c.fail(w, r, s, err)
			return
		}
		status, msg, notice = p.Status, p.Words, ""
	}
	v, verr := c.knowledgeView(r, s, results)
	if verr != nil {
		c.fail(w, r, s, verr)
		return
	}
	v.Notice, v.Error = notice, msg
	c.render(w, r, status, "knowledge", v)
}
