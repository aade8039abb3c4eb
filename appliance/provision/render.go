package provision

import (
	"encoding/json"
	"fmt"
	"strings"
)

// render returns the files Write stores, by name.
func render(s Settings) (map[string]string, error) {
	settings, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding settings: %w", err)
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
	switch s.Role {
	case RoleHub:
		files["wenban.yaml"] = "# Written by wenban provision.\nlisten: " + s.Listen + "\n"
	case RoleKiosk:
		// wenban kiosk reads its hub and window from the kiosk section.
		files["wenban.yaml"] = "# Written by wenban provision.\nkiosk:\n  hub: " + s.HubURL + "\n  window: " + s.WindowID + "\n"
		files["kiosk.env"] = kioskEnv(s)
	default:
		files["kiosk.env"] = kioskEnv(s)
	}
	return files, nil
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
