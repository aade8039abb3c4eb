package backup

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// ErrTargetNotEmpty means the target data folder contains files and
// RestoreOptions.Force is false.
var ErrTargetNotEmpty = errors.New("backup: target data folder is not empty")

// maxManifestSize bounds the payload manifest read from a backup.
const maxManifestSize = 16 << 20

// Summary describes a backup that was checked or restored.
type Summary struct {
	Created time.Time
	Files   []FileEntry
	// Replaced is the folder Restore moved the old target to, or empty
	// when the target did not exist.
	Replaced string
}

// Check reads the whole backup from r, authenticates every chunk and
// compares every file with the manifest, writing nothing.
func Check(r io.Reader, recoveryKey string) (Summary, error) {
	return walk(r, recoveryKey, nil)
}

// RestoreOptions change what Restore may do.
type RestoreOptions struct {
	// Force replaces a target that holds files. The old folder is kept
	// beside it as TARGET.replaced-TIMESTAMP.
	Force bool
	// Owner and Group, when not -1, own the restored files, so the hub's
	// service user can read them.
	Owner, Group int
}

// Restore checks the backup in the file at path and then restores it into
// target. The files are written into a fresh folder beside target, which
// replaces target only when every file matched, so a failed restore
// leaves target as it was.
func Restore(backupPath, target, recoveryKey string, opts RestoreOptions, now time.Time) (Summary, error) {
	if err := checkTarget(target, opts.Force); err != nil {
		return Summary{}, err
	}
	if _, err := checkFile(backupPath, recoveryKey); err != nil {
		return Summary{}, err
	}

	staging, err := os.MkdirTemp(filepath.Dir(filepath.Clean(target)), "."+filepath.Base(target)+".restore-*")
	if err != nil {
		return Summary{}, fmt.Errorf("creating restore folder: %w", err)
	}
	f, err := os.Open(backupPath)
	if err != nil {
		os.RemoveAll(staging)
		return Summary{}, fmt.Errorf("opening backup: %w", err)
	}
	defer f.Close()

	summary, err := walk(f, recoveryKey, func(e FileEntry, r io.Reader) error { return extract(staging, e, r, opts) })
	if err == nil {
		summary.Replaced, err = swapIn(staging, target, now)
	}
	if err != nil {
		os.RemoveAll(staging)
		return Summary{}, err
	}
	return summary, nil
}

func checkFile(backupPath, recoveryKey string) (Summary, error) {
	f, err := os.Open(backupPath)
	if err != nil {
		return Summary{}, fmt.Errorf("opening backup: %w", err)
	}
	defer f.Close()
	return Check(f, recoveryKey)
}

func checkTarget(target string, force bool) error {
	entries, err := os.ReadDir(target)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading target %s: %w", target, err)
	}
	if len(entries) > 0 && !force {
		return fmt.Errorf("%w: %s is not empty (%d entries); pass --force to replace them", ErrTargetNotEmpty, target, len(entries))
	}
	return nil
}

// swapIn moves target aside, if it exists, and staging into its place. It
// returns the folder the old target went to.
func swapIn(staging, target string, now time.Time) (string, error) {
	var aside string
	if _, err := os.Stat(target); err == nil {
		aside = target + ".replaced-" + now.UTC().Format("20060102T150405Z")
		if err := os.Rename(target, aside); err != nil {
			return "", fmt.Errorf("moving old data folder aside: %w", err)
		}
	}
	if err := os.Rename(staging, target); err != nil {
		return "", fmt.Errorf("moving restored data into %s: %w", target, err)
	}
	return aside, nil
}

// walk decrypts the backup and calls each for every file after checking
// its tar header against the manifest. each must read the reader to the
// end, because walk then checks the digest. each may be nil.
func walk(r io.Reader, recoveryKey string, each func(FileEntry, io.Reader) error) (Summary, error) {
	br := bufio.NewReader(r)
	h, raw, err := readHeader(br)
	if err != nil {
		return Summary{}, err
	}
	key, err := h.contentKey(recoveryKey)
	if err != nil {
		return Summary{}, err
	}
	or, err := newOpenReader(br, key, h.NoncePrefix, raw)
	if err != nil {
		return Summary{}, err
	}

	tr := tar.NewReader(or)
	m, err := readManifest(tr)
	if err != nil {
		return Summary{}, err
	}
	if err := walkFiles(tr, m, each); err != nil {
		return Summary{}, err
	}
	// Reading to the end authenticates the final chunk and rejects data
	// after it.
	if _, err := io.Copy(io.Discard, or); err != nil {
		return Summary{}, err
	}
	return Summary{Created: m.Created, Files: m.Files}, nil
}

func readManifest(tr *tar.Reader) (payloadManifest, error) {
	hdr, err := tr.Next()
	if err != nil {
		return payloadManifest{}, corrupt("reading payload", err)
	}
	if hdr.Name != manifestEntry || hdr.Size > maxManifestSize {
		return payloadManifest{}, fmt.Errorf("%w: payload starts with %q (%d bytes)", ErrCorrupt, hdr.Name, hdr.Size)
	}
	var m payloadManifest
	if err := json.NewDecoder(io.LimitReader(tr, hdr.Size)).Decode(&m); err != nil {
		return payloadManifest{}, fmt.Errorf("%w: manifest: %w", ErrCorrupt, err)
	}

	seen := map[string]bool{}
	for _, f := range m.Files {
		if !safePath(f.Path) || seen[f.Path] || f.Size < 0 {
			return payloadManifest{}, fmt.Errorf("%w: manifest lists path %q", ErrCorrupt, f.Path)
		}
		seen[f.Path] = true
	}
	return m, nil
}

func walkFiles(tr *tar.Reader, m payloadManifest, each func(FileEntry, io.Reader) error) error {
	for i, want := range m.Files {
		hdr, err := tr.Next()
		if err != nil {
			return corrupt(fmt.Sprintf("reading file %d of %d", i+1, len(m.Files)), err)
		}
		if hdr.Typeflag != tar.TypeReg || hdr.Name != path.Join(dataPrefix, want.Path) || hdr.Size != want.Size {
			return fmt.Errorf("%w: entry %q (%d bytes) where the manifest lists %q (%d bytes)",
				ErrCorrupt, hdr.Name, hdr.Size, want.Path, want.Size)
		}

		h := sha256.New()
		src := io.TeeReader(tr, h)
		if each == nil {
			_, err = io.Copy(io.Discard, src)
		} else {
			err = each(want, src)
		}
		if err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != want.SHA256 {
			return fmt.Errorf("%w: %s has sha256 %s, want %s", ErrCorrupt, want.Path, got, want.SHA256)
		}
	}
	if _, err := tr.Next(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: payload has entries the manifest does not list", ErrCorrupt)
	}
	return nil
}

func corrupt(what string, err error) error {
	if errors.Is(err, ErrCorrupt) {
		return err
	}
	return fmt.Errorf("%w: %s: %w", ErrCorrupt, what, err)
}

// safePath accepts a clean relative slash path without "..".
func safePath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || path.Clean(p) != p {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == "." {
			return false
		}
	}
	return true
}

func extract(dir string, e FileEntry, r io.Reader, opts RestoreOptions) error {
	dst := filepath.Join(dir, filepath.FromSlash(e.Path))
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("creating folder for %s: %w", e.Path, err)
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, e.Mode.Perm()&0o700|0o600)
	if err != nil {
		return fmt.Errorf("creating %s: %w", e.Path, err)
	}
	_, err = io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", e.Path, err)
	}
	if opts.Owner >= 0 || opts.Group >= 0 {
		return chownTree(dir, dst, opts)
	}
	return nil
}

// chownTree gives dst and the folders between dir and dst to the owner.
func chownTree(dir, dst string, opts RestoreOptions) error {
	for p := dst; p != filepath.Dir(dir) && strings.HasPrefix(p, dir); p = filepath.Dir(p) {
		if err := os.Lchown(p, opts.Owner, opts.Group); err != nil {
			return fmt.Errorf("changing owner of %s: %w", p, err)
		}
	}
	return nil
}
