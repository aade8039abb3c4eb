package backup

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"
)

// DatabaseName is the bbolt file in a data folder. Create takes it from
// Source.SnapshotDB rather than from the folder, because copying a file
// under a live writer is not a consistent snapshot.
const DatabaseName = "wenban.db"

// FirmwareDir is the data folder's store of update bundles that the hub
// serves to terminals. Backups leave it out: the bundles are large and
// the release archive has them.
const FirmwareDir = "firmware"

// payloadManifest is the first entry of the payload tar: every file that
// follows, with its digest.
type payloadManifest struct {
	Created time.Time   `json:"created"`
	Files   []FileEntry `json:"files"`
}

// FileEntry is one file in a backup.
type FileEntry struct {
	// Path is relative to the data folder, with forward slashes.
	Path   string      `json:"path"`
	Size   int64       `json:"size"`
	Mode   fs.FileMode `json:"mode"`
	SHA256 string      `json:"sha256"`
}

// Source is what Create backs up.
type Source struct {
	// Dir is the data folder.
	Dir string
	// SnapshotDB writes a consistent copy of the database to path, such as
	// store.DB.Backup, which runs in one bbolt read transaction while the
	// hub keeps serving.
	SnapshotDB func(path string) error
	// Scratch is a folder for the database snapshot; it should be on the
	// same encrypted storage as Dir. Empty means Dir's parent.
	Scratch string
	// Exclude, when set, leaves out the files and folders it returns true
	// for, given their path relative to Dir with forward slashes. A running
	// hub uses it for files still being written, such as an upload in
	// progress, which are not part of any acknowledged record yet.
	Exclude func(rel string) bool
}

// Create writes an encrypted backup of src to w, readable with
// recoveryKey, and returns the files it contains. A key that
// CheckRecoveryKey rejects returns an error wrapping ErrWeakKey before
// anything is written.
func Create(w io.Writer, src Source, recoveryKey string, now time.Time) ([]FileEntry, error) {
	if err := CheckRecoveryKey(recoveryKey); err != nil {
		return nil, err
	}
	return create(w, src, recoveryKey, now)
}

// create is Create without the key check. Tests use it to make backups
// like those of versions that accepted any non-blank key.
func create(w io.Writer, src Source, recoveryKey string, now time.Time) ([]FileEntry, error) {
	snapshot, err := snapshotDB(src)
	if err != nil {
		return nil, err
	}
	defer os.Remove(snapshot)

	files, err := listFiles(src.Dir, snapshot, src.Exclude)
	if err != nil {
		return nil, err
	}

	h, key, err := newHeader(recoveryKey, now)
	if err != nil {
		return nil, err
	}
	raw, err := writeHeader(w, h)
	if err != nil {
		return nil, err
	}
	sw, err := newSealWriter(w, key, h.NoncePrefix, raw)
	if err != nil {
		return nil, err
	}
	if err := writePayload(sw, files, now); err != nil {
		return nil, err
	}
	if err := sw.Close(); err != nil {
		return nil, err
	}

	entries := make([]FileEntry, len(files))
	for i, f := range files {
		entries[i] = f.entry
	}
	return entries, nil
}

func snapshotDB(src Source) (string, error) {
	scratch := src.Scratch
	if scratch == "" {
		scratch = filepath.Dir(filepath.Clean(src.Dir))
	}
	f, err := os.CreateTemp(scratch, ".wenban-backup-db-*")
	if err != nil {
		return "", fmt.Errorf("creating database snapshot file: %w", err)
	}
	path := f.Name()
	f.Close()
	// bbolt's CopyFile creates the file itself.
	os.Remove(path)

	if err := src.SnapshotDB(path); err != nil {
		os.Remove(path)
		return "", fmt.Errorf("snapshotting database: %w", err)
	}
	return path, nil
}

// sourceFile is a file to store and where its bytes come from.
type sourceFile struct {
	entry FileEntry
	from  string
}

// listFiles returns every regular file under dir that exclude keeps, with
// the database taken from snapshot. Digests are computed here, so the
// manifest can be written before the files. A file removed between the
// listing and its digest is left out: a running hub deletes attachments
// past their retention at any time, and the snapshot no longer refers
// to them either, or will not once the deletion commits.
func listFiles(dir, snapshot string, exclude func(string) bool) ([]sourceFile, error) {
	var files []sourceFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != "." && exclude != nil && exclude(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() && rel == FirmwareDir {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() || rel == DatabaseName || rel == DatabaseName+".lock" {
			return nil
		}
		files = append(files, sourceFile{entry: FileEntry{Path: rel}, from: p})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	files = append(files, sourceFile{entry: FileEntry{Path: DatabaseName}, from: snapshot})

	kept := files[:0]
	for i := range files {
		err := hashFile(&files[i])
		switch {
		case err == nil:
			kept = append(kept, files[i])
		case errors.Is(err, fs.ErrNotExist) && files[i].from != snapshot:
			// Removed since the listing; see above.
		default:
			return nil, err
		}
	}
	return kept, nil
}

func hashFile(f *sourceFile) error {
	file, err := os.Open(f.from)
	if err != nil {
		return fmt.Errorf("opening %s: %w", f.from, err)
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return fmt.Errorf("checking %s: %w", f.from, err)
	}

	h := sha256.New()
	n, err := io.Copy(h, file)
	if err != nil {
		return fmt.Errorf("reading %s: %w", f.from, err)
	}
	f.entry.Size = n
	f.entry.Mode = info.Mode().Perm()
	f.entry.SHA256 = hex.EncodeToString(h.Sum(nil))
	return nil
}

func writePayload(w io.Writer, files []sourceFile, now time.Time) error {
	m := payloadManifest{Created: now.UTC()}
	for _, f := range files {
		m.Files = append(m.Files, f.entry)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encoding backup manifest: %w", err)
	}

	tw := tar.NewWriter(w)
	if err := writeTarEntry(tw, manifestEntry, int64(len(raw)), 0o600, now); err != nil {
		return err
	}
	if _, err := tw.Write(raw); err != nil {
		return fmt.Errorf("writing backup manifest: %w", err)
	}
	for _, f := range files {
		if err := copyIntoTar(tw, f, now); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("finishing backup payload: %w", err)
	}
	return nil
}

const (
	manifestEntry = "manifest.json"
	dataPrefix    = "data/"
)

func writeTarEntry(tw *tar.Writer, name string, size int64, mode fs.FileMode, now time.Time) error {
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: int64(mode), ModTime: now.UTC()}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing %s header: %w", name, err)
	}
	return nil
}

// copyIntoTar stores f and fails when the file changed since it was
// hashed, because its manifest digest would then be wrong.
func copyIntoTar(tw *tar.Writer, f sourceFile, now time.Time) error {
	file, err := os.Open(f.from)
	if err != nil {
		return fmt.Errorf("opening %s: %w", f.from, err)
	}
	defer file.Close()

	if err := writeTarEntry(tw, path.Join(dataPrefix, f.entry.Path), f.entry.Size, f.entry.Mode, now); err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(tw, h), file, f.entry.Size); err != nil {
		return fmt.Errorf("copying %s (changed while backing up?): %w", f.from, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != f.entry.SHA256 {
		return fmt.Errorf("backup: %s changed while backing up; run the backup again", f.from)
	}
	return nil
}
