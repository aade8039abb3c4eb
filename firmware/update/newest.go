package update

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"wenban/firmware/bundle"
	"wenban/firmware/semver"
)

var classPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func validClass(class string) bool {
	return len(class) <= 64 && classPattern.MatchString(class)
}

// newestBundle returns the *.tar in dir whose manifest has the highest
// version. Files whose manifest does not parse are skipped.
func newestBundle(dir string) (string, semver.Version, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.tar"))
	if err != nil {
		return "", semver.Version{}, err
	}

	var best string
	var bestVersion semver.Version
	for _, p := range paths {
		b, err := bundle.OpenFile(p)
		if err != nil {
			continue
		}
		v := b.Manifest().Version
		b.Close()
		if best == "" || bestVersion.Less(v) {
			best, bestVersion = p, v
		}
	}
	if best == "" {
		return "", semver.Version{}, fmt.Errorf("no bundle in %s: %w", dir, os.ErrNotExist)
	}
	return best, bestVersion, nil
}
