package web

import (
	"bytes"
	"net/http"
	"path"
	"time"

	"wenban/ui/static"
)

var staticTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
}

// serveStatic serves an embedded asset. A request whose v parameter
// matches the asset's content hash may be cached for a year, because a
// changed asset gets a new URL; any other request must revalidate.
func serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	b, err := static.FS.ReadFile(name)
	ctype, known := staticTypes[path.Ext(name)]
	if err != nil || !known {
		http.NotFound(w, r)
		return
	}

	hash := static.Hash(name)
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("ETag", `"`+hash+`"`)
	if r.URL.Query().Get("v") == hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}
