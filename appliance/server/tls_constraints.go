package server

import (
	"crypto/x509"
	"net"
	"strings"
)

// privateRanges are the address ranges a new local CA may sign for
// beside the hub's configured addresses: loopback and the private IPv4
// and IPv6 ranges. A hub that moves to another LAN address then needs no
// new CA, and the CA still cannot vouch for an address on the internet.
var privateRanges = []string{"127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7"}

// constrain limits what a new local CA may sign, because seats and
// kiosks trust it as a root. Without name constraints, a copy of ca.key
// could issue a certificate those terminals accept for any site.
// The CA may sign the DNS names in hosts and their subdomains, or no DNS
// name at all when hosts holds only addresses, and the addresses in
// hosts and in privateRanges.
func constrain(tmpl *x509.Certificate, hosts []string) {
	tmpl.PermittedDNSDomainsCritical = true
	for _, h := range hosts {
		if h == "" {
			continue // config rejects it; an empty constraint would permit every name
		}
		ip := net.ParseIP(h)
		if ip == nil {
			tmpl.PermittedDNSDomains = append(tmpl.PermittedDNSDomains, h)
			continue
		}
		if !inRanges(ip, privateNets()) {
			tmpl.PermittedIPRanges = append(tmpl.PermittedIPRanges, singleAddress(ip))
		}
	}
	if len(tmpl.PermittedDNSDomains) == 0 {
		// An empty constraint matches every name, so excluding it leaves
		// the CA no DNS name to sign.
		tmpl.ExcludedDNSDomains = []string{""}
	}
	tmpl.PermittedIPRanges = append(privateNets(), tmpl.PermittedIPRanges...)
}

// caCovers reports whether ca's name constraints allow a certificate for
// host. A CA created before constraints existed allows every host.
func caCovers(ca *x509.Certificate, host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return len(ca.PermittedIPRanges) == 0 || inRanges(ip, ca.PermittedIPRanges)
	}
	for _, excluded := range ca.ExcludedDNSDomains {
		if domainMatches(host, excluded) {
			return false
		}
	}
	if len(ca.PermittedDNSDomains) == 0 {
		return true
	}
	for _, permitted := range ca.PermittedDNSDomains {
		if domainMatches(host, permitted) {
			return true
		}
	}
	return false
}

// domainMatches applies RFC 5280's rule for a DNS name constraint: the
// name itself or any subdomain, and every name for an empty constraint.
func domainMatches(host, constraint string) bool {
	host, constraint = strings.ToLower(host), strings.ToLower(constraint)
	return constraint == "" || host == constraint || strings.HasSuffix(host, "."+constraint)
}

// describeConstraints lists what ca may sign, for an error message.
func describeConstraints(ca *x509.Certificate) string {
	var parts []string
	if len(ca.PermittedDNSDomains) > 0 {
		parts = append(parts, "names "+strings.Join(ca.PermittedDNSDomains, ", "))
	} else {
		parts = append(parts, "no names")
	}
	var nets []string
	for _, n := range ca.PermittedIPRanges {
		nets = append(nets, n.String())
	}
	return strings.Join(append(parts, "addresses "+strings.Join(nets, ", ")), "; ")
}

func privateNets() []*net.IPNet {
	out := make([]*net.IPNet, 0, len(privateRanges))
	for _, r := range privateRanges {
		_, n, err := net.ParseCIDR(r)
		if err != nil {
			panic("privateRanges: " + err.Error())
		}
		out = append(out, n)
	}
	return out
}

func singleAddress(ip net.IP) *net.IPNet {
	if v4 := ip.To4(); v4 != nil {
		return &net.IPNet{IP: v4, Mask: net.CIDRMask(32, 32)}
	}
	return &net.IPNet{IP: ip, Mask: net.CIDRMask(128, 128)}
}

func inRanges(ip net.IP, ranges []*net.IPNet) bool {
	for _, n := range ranges {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}
