// Package static embeds the hub's CSS and JavaScript. Pages link to assets
// through URL, which appends a content hash so a browser may cache an asset
// for a year and still fetch the new file after an update.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sync"
)

// FS holds the assets, named as they are served under /static/.
//
//go:embed *.css *.js *.svg
var FS embed.FS

var (
	hashOnce sync.Once
	hashes   map[string]string
)

// Hash returns the short content hash of the named asset, or "" when FS
// has no such file.
func Hash(name string) string {
	hashOnce.Do(computeHashes)
	return hashes[name]
}

// URL returns the path a page links to for the named asset, with the
// content hash as the v query parameter.
func URL(name string) string {
	h := Hash(name)
	if h == "" {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + h
}

func computeHashes() {
	hashes = make(map[string]string)
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		// Every embed.FS has a root directory, so ReadDir(".") cannot fail.
		return
	}
	for _, e := range entries {
		b, err := FS.ReadFile(e.Name())
		if err != nil {
			continue
		}
		sum := sha256.Sum256(b)
		hashes[e.Name()] = hex.EncodeToString(sum[:6])
	}
}
