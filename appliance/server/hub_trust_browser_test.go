package server

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"wenban/appliance/provision"
)

// TestBrowserTrustsProvisionedHubCertificate provisions a seat with the
// CA of a real HTTPS hub and opens the hub's seat page in Chromium with
// the managed policy that provisioning wrote, as the image links it into
// /etc/chromium/policies/managed. The policy folder is bound over
// /etc/chromium in a private mount namespace, so the machine's own
// Chromium settings stay untouched.
func TestBrowserTrustsProvisionedHubCertificate(t *testing.T) {
	base, cfg := startTLSHub(t)
	hubPEM, err := ExportCA(cfg)
	if err != nil {
		t.Fatalf("ExportCA: %v", err)
	}

	dir := t.TempDir()
	seat := provision.Settings{Role: provision.RoleSeat, HubURL: base, NTPServer: "127.0.0.1", HubCertificate: string(hubPEM)}
	if _, err := provision.Write(dir, seat); err != nil {
		t.Fatalf("provision.Write: %v", err)
	}
	policy, err := os.ReadFile(filepath.Join(dir, "chromium-policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkPolicyCarriesDER(t, policy, hubPEM)

	t.Run("without the policy", func(t *testing.T) {
		ctx := tab(t, startBrowser(t))
		err := chromedp.Do(ctx, chromedp.Navigate(base+"/seat"))
		if err == nil || !strings.Contains(err.Error(), "ERR_CERT_AUTHORITY_INVALID") {
			t.Errorf("Navigate: got %v, want net::ERR_CERT_AUTHORITY_INVALID", err)
		}
	})

	t.Run("with the provisioned policy", func(t *testing.T) {
		ctx := tab(t, startBrowser(t, chromedp.ExecPath(chromiumWithPolicy(t, policy))))
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/seat")); err != nil {
			t.Fatalf("Navigate: got %v, want the seat page", err)
		}
		title, err := chromedp.Run(ctx, chromedp.Title())
		if err != nil {
			t.Fatalf("reading the title: %v", err)
		}
		protocol, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.protocol`))
		if err != nil {
			t.Fatalf("reading location.protocol: %v", err)
		}
		if protocol != "https:" {
			t.Errorf("location.protocol: got %q, want https:", protocol)
		}
		if !strings.Contains(title, "坐席") {
			t.Errorf("title: got %q, want the seat page's", title)
		}
	})
}

func checkPolicyCarriesDER(t *testing.T, policy, hubPEM []byte) {
	t.Helper()
	var parsed map[string][]string
	if err := json.Unmarshal(policy, &parsed); err != nil {
		t.Fatalf("parsing chromium-policy.json: %v\n%s", err, policy)
	}
	block, _ := pem.Decode(hubPEM)
	if block == nil {
		t.Fatalf("exported CA is not PEM: %q", hubPEM)
	}
	want := []string{base64.StdEncoding.EncodeToString(block.Bytes)}
	if got := parsed["CACertificates"]; !slices.Equal(got, want) {
		t.Errorf("CACertificates: got %q, want the DER of hub.pem %q", got, want)
	}
}

// chromiumWithPolicy writes a wrapper that starts chromium in a private
// mount namespace whose /etc/chromium holds only policy, under the name
// the image gives it. It skips the test where no such namespace can be
// made, such as without root.
func chromiumWithPolicy(t *testing.T, policy []byte) string {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (apt-get install chromium): ", err)
	}
	if _, err := os.Stat("/etc/chromium"); err != nil {
		t.Skip("no /etc/chromium to bind the policy folder over: ", err)
	}
	if out, err := exec.Command("unshare", "--mount", "--", "mount", "--bind", t.TempDir(), "/etc/chromium").CombinedOutput(); err != nil {
		t.Skipf("a private mount namespace is needed to give chromium a policy folder: %v: %s", err, out)
	}

	etc := t.TempDir()
	managed := filepath.Join(etc, "policies", "managed")
	if err := os.MkdirAll(managed, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(managed, "wenban-hub-certificate.json"), policy, 0o644); err != nil {
		t.Fatal(err)
	}

	// unshare execs in place, so chromedp still owns chromium's process.
	wrapper := filepath.Join(t.TempDir(), "chromium-with-policy")
	script := "#!/bin/sh\nexec unshare --mount -- sh -c 'mount --bind \"$1\" /etc/chromium && shift && exec \"$@\"' sh " +
		shellQuote(etc) + " " + shellQuote(chromium) + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return wrapper
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
