package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Policy configures the policy and regulation library's update job.
type Policy struct {
	// Source is the origin of updates: empty for the starter library
	// built into the binary, an absolute folder path holding a
	// manifest.json, or the http:// or https:// URL of a manifest.
	// docs/policy-format.md describes the manifest. Default empty.
	Source string `mapstructure:"source"`
	// Schedule is a five-field cron expression ("minute hour day month
	// weekday") or a descriptor such as @daily, read in Zone. Empty turns
	// scheduled runs off; administrators can still start a run from the
	// admin page. Default "30 2 * * *", 02:30 every day.
	Schedule string `mapstructure:"schedule"`
	// Zone is the IANA time zone of Schedule. Default "Asia/Shanghai".
	Zone string `mapstructure:"zone"`
	// Timeout bounds each HTTP request of a run, from connecting to the
	// end of the body. Default 60s.
	Timeout time.Duration `mapstructure:"timeout"`
	// StagingDir is the folder that runs download files into before
	// checking them. Empty means "policy-staging" in the data folder.
	StagingDir string `mapstructure:"staging_dir"`
}

func defaultPolicy() Policy {
	return Policy{Schedule: "30 2 * * *", Zone: "Asia/Shanghai", Timeout: 60 * time.Second}
}

// PolicyStagingDir resolves the staging folder of policy update runs.
func (c Config) PolicyStagingDir() string {
	if c.Policy.StagingDir != "" {
		return c.Policy.StagingDir
	}
	return filepath.Join(c.Data, "policy-staging")
}

// Location loads Zone.
func (p Policy) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(p.Zone)
	if err != nil {
		return nil, fmt.Errorf("policy.zone %q is not a known time zone: %w", p.Zone, err)
	}
	return loc, nil
}

// Validate checks the source, the cron expression and the zone.
func (p Policy) Validate() error {
	if err := checkPolicySource(p.Source); err != nil {
		return err
	}
	if p.Schedule != "" {
		if _, err := cron.ParseStandard(p.Schedule); err != nil {
			return fmt.Errorf("policy.schedule %q is not a valid cron expression (use five fields such as \"30 2 * * *\" or @daily): %w", p.Schedule, err)
		}
	}
	if _, err := p.Location(); err != nil {
		return err
	}
	if p.Timeout <= 0 {
		return fmt.Errorf("policy.timeout must be a positive duration such as 60s")
	}
	if p.StagingDir != "" && !filepath.IsAbs(p.StagingDir) {
		return fmt.Errorf("policy.staging_dir %q must be an absolute path", p.StagingDir)
	}
	return nil
}

func checkPolicySource(source string) error {
	switch {
	case source == "", filepath.IsAbs(source):
		return nil
	case strings.HasPrefix(source, "http://"), strings.HasPrefix(source, "https://"):
		u, err := url.Parse(source)
		if err != nil {
			return fmt.Errorf("policy.source is not a valid URL: %w", err)
		}
		if u.Host == "" || u.User != nil || u.Fragment != "" {
			return fmt.Errorf("policy.source %s must name a host and carry no user name, password or fragment", u.Redacted())
		}
		return nil
	}
	return fmt.Errorf("policy.source %q must be empty (the built-in starter library), an absolute folder path or an http(s) URL", source)
}
