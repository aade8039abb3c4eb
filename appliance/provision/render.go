package provision

import (
	"encoding/json"
	"fmt"
	"strings"
)

// render returns the files Write stores, by name, and the settings of
// previousConfig, the wenban.yaml of an earlier provisioning in the same
// role, that the new wenban.yaml keeps.
func render(s Settings, previousConfig []byte) (map[string]string, []string, error) {
	settings, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("encoding settings: %w", err)
	}

	files := map[string]string{
		"settings.json":          string(settings) + "\n",
		"role-" + string(s.Role): "",
		"10-wenban.network":      networkFile(s.Network),
		"timesyncd.conf":         "[Time]\nNTP=" + s.NTPServer + "\n",
	}
	if s.HubCertificate != "" {
		files["hub.pem"] = s.HubCertificate
	}
	if s.HubCertificate != "" && s.Role != RoleHub {
		policy, err := browserPolicy(s.HubCertificate)
		if err != nil {
			return nil, nil, err
		}
		files[browserPolicyName] = policy
	}
	if s.Role != RoleHub {
		files["kiosk.env"] = kioskEnv(s)
	}
	if s.Role == RoleSeat {
		return files, nil, nil
	}

	// wenban serve reads listen from wenban.yaml, and wenban kiosk reads
	// kiosk.hub and kiosk.window.
	config, kept, err := renderConfig(s, previousConfig)
	if err != nil {
		return nil, nil, err
	}
	files["wenban.yaml"] = config
	return files, kept, nil
}

func networkFile(n Network) string {
	var b strings.Builder
	b.WriteString("# Written by wenban provision.\n[Match]\nName=" + n.Interface + "\n\n[Network]\n")
	if n.Address == "" {
		b.WriteString("DHCP=yes\n")
	} else {
		b.WriteString("Address=" + n.Address + "\n")
		if n.Gateway != "" {
			b.WriteString("Gateway=" + n.Gateway + "\n")
		}
	}
	for _, d := range n.DNS {
		b.WriteString("DNS=" + d + "\n")
	}
	return b.String()
}

// kioskEnv is the environment of the browser unit: the page to open and
// the certificate to trust.
func kioskEnv(s Settings) string {
	page := s.HubURL + "/"
	if s.Role == RoleSeat {
		page = s.HubURL + "/seat"
	}
	if s.WindowID != "" && s.Role == RoleKiosk {
		page = s.HubURL + "/?window=" + s.WindowID
	}
	return "# Written by wenban provision.\nWENBAN_ROLE=" + string(s.Role) + "\nWENBAN_KIOSK_URL=" + page +
		"\nWENBAN_WINDOW_ID=" + s.WindowID + "\n"
}
