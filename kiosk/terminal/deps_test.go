package terminal

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// kioskPackages are the packages the kiosk mode links besides the hub's
// shared configuration and command line.
var kioskPackages = []string{
	"wenban/kiosk/...",
	"wenban/ui/kiosk",
}

// forbiddenDeps are packages the kiosk has no use for. The hub's search,
// spreadsheet, bot and storage stacks would only add size and start-up
// work, and mediadevices' malgo microphone driver loads libpulse with
// dlopen, which crashes a static binary.
var forbiddenDeps = []string{
	"github.com/blevesearch/",
	"github.com/xuri/excelize",
	"go.etcd.io/bbolt",
	"github.com/chromedp/",
	"github.com/gen2brain/malgo",
	"github.com/pion/mediadevices/pkg/driver/microphone",
	"github.com/pion/mediadevices/pkg/driver/screen",
	"wenban/appliance/bot",
	"wenban/appliance/kb",
	"wenban/appliance/store",
	"wenban/appliance/web",
	"wenban/appliance/server",
}

func TestKioskDependencies(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	args := append([]string{"list", "-deps"}, kioskPackages...)
	out, err := exec.Command(goTool, args...).Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}

	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps: got %d packages, want the kiosk's whole graph", len(deps))
	}
	for _, dep := range deps {
		for _, bad := range forbiddenDeps {
			if strings.HasPrefix(dep, bad) {
				t.Errorf("kiosk depends on %s, which it has no use for", dep)
			}
		}
	}
}

// TestBinaryHasNoMalgo checks the whole binary, hub included, because any
// package that pulled in mediadevices' microphone driver would make the
// static binary crash at start-up.
func TestBinaryHasNoMalgo(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goTool, "list", "-deps", "wenban/cmd/wenban").Output()
	if err != nil {
		t.Fatalf("go list -deps wenban/cmd/wenban: %v", err)
	}

	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/gen2brain/malgo") ||
			strings.HasPrefix(dep, "github.com/pion/mediadevices/pkg/driver/microphone") {
			t.Errorf("wenban links %s, which loads libpulse at run time", dep)
		}
	}
}
