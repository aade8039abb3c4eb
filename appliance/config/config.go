// Package config is the hub's configuration: one documented struct, its
// defaults in one function, and loading from a YAML file, WENBAN_*
// environment variables and command-line flags, in rising precedence.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"wenban/appliance/seal"
)

// Config is every setting of the hub and the kiosk. Field comments give
// the meaning, the default and the unit; packaging/wenban.yaml is the
// commented sample.
type Config struct {
	// Listen is the HTTP listen address. Default "127.0.0.1:8080".
	Listen string `mapstructure:"listen"`
	// Data is the folder holding the database, keys and blobs. Default
	// "/var/lib/wenban" (systemd's StateDirectory).
	Data string `mapstructure:"data"`
	// PublicURL is the address citizens and staff open, printed at start
	// and used in links. Empty means "http://" plus Listen, or "https://"
	// when TLS is on.
	PublicURL string `mapstructure:"public_url"`

	Log         Log         `mapstructure:"log"`
	Security    Security    `mapstructure:"security"`
	Hours       Hours       `mapstructure:"hours"`
	Seat        Seat        `mapstructure:"seat"`
	Bot         Bot         `mapstructure:"bot"`
	Kiosk       Kiosk       `mapstructure:"kiosk"`
	Attachments Attachments `mapstructure:"attachments"`
	Recording   Recording   `mapstructure:"recording"`
	Policy      Policy      `mapstructure:"policy"`
	Media       Media       `mapstructure:"media"`
	Calls       Calls       `mapstructure:"calls"`
	TLS         TLS         `mapstructure:"tls"`
	// ShutdownTimeout bounds the drain of open pages and requests on
	// SIGTERM. Default 10s.
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error. Default info.
	Level string `mapstructure:"level"`
	// Format is text or json. Default text.
	Format string `mapstructure:"format"`
}

// Security configures keys and cookies.
type Security struct {
	// MasterKeyFile holds the master key that wraps the data keys. Empty
	// means "master.key" in the data folder. A systemd credential named
	// wenban-master-key takes precedence when present.
	MasterKeyFile string `mapstructure:"master_key_file"`
	// SecureCookies marks cookies Secure; turn it on behind HTTPS.
	// Default false, because the default listener is plain HTTP.
	SecureCookies bool `mapstructure:"secure_cookies"`
}

// Hours are the staff seats' working hours. Outside them the bot still
// answers and 转人工 becomes a 留言 form.
type Hours struct {
	// Zone is the IANA time zone the hours are in. Default "Asia/Shanghai".
	Zone string `mapstructure:"zone"`
	// Weekdays lists open days as mon, tue, wed, thu, fri, sat, sun.
	// Default mon to fri.
	Weekdays []string `mapstructure:"weekdays"`
	// Periods lists open spans as "HH:MM-HH:MM". Default 08:30-12:00 and
	// 14:00-17:30.
	Periods []string `mapstructure:"periods"`
	// Holidays lists closed dates (YYYY-MM-DD). Default none.
	Holidays []string `mapstructure:"holidays"`
	// Workdays lists make-up working dates (YYYY-MM-DD). Default none.
	Workdays []string `mapstructure:"workdays"`
	// AlwaysOpen ignores the hours, for tests and drills. Default false.
	AlwaysOpen bool `mapstructure:"always_open"`
}

// Seat configures the staff seats.
type Seat struct {
	// MaxChats is the number of citizens one staff member serves at once,
	// unless their account sets its own limit. Default 5.
	MaxChats int `mapstructure:"max_chats"`
	// SessionTTL is the longest a login lasts. Default 12h.
	SessionTTL time.Duration `mapstructure:"session_ttl"`
	// IdleTimeout ends a login after this long without a request.
	// Default 2h.
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
}

// Bot configures the question-answering engine.
type Bot struct {
	// Threshold is the score below which a question counts as outside the
	// knowledge base. Zero means the engine's calibrated default.
	Threshold float64 `mapstructure:"threshold"`
	// LexiconDir holds extra synonym and dictionary files that extend the
	// shipped lexicon. Empty means none.
	LexiconDir string `mapstructure:"lexicon_dir"`
}

// Default returns the defaults of every setting.
func Default() Config {
	return Config{
		Listen: "127.0.0.1:8080",
		Data:   "/var/lib/wenban",
		Log:    Log{Level: "info", Format: "text"},
		Hours: Hours{
			Zone:     "Asia/Shanghai",
			Weekdays: []string{"mon", "tue", "wed", "thu", "fri"},
			Periods:  []string{"08:30-12:00", "14:00-17:30"},
			Holidays: []string{},
			Workdays: []string{},
		},
		Seat:            Seat{MaxChats: 5, SessionTTL: 12 * time.Hour, IdleTimeout: 2 * time.Hour},
		ShutdownTimeout: 10 * time.Second,
		Kiosk:           defaultKiosk(),
		Attachments:     defaultAttachments(),
		Recording:       defaultRecording(),
		Policy:          defaultPolicy(),
		Media:           defaultMedia(),
		Calls:           defaultCalls(),
		TLS:             defaultTLS(),
	}
}

// MasterKeyPath resolves the master key file.
func (c Config) MasterKeyPath() string {
	if c.Security.MasterKeyFile != "" {
		return c.Security.MasterKeyFile
	}
	return filepath.Join(c.Data, "master.key")
}

// OpenMasterKey loads the master key, creating one only for a data folder
// that has no database yet.
func (c Config) OpenMasterKey() (*seal.MasterKey, error) {
	_, err := os.Stat(c.DatabasePath())
	fresh := errors.Is(err, fs.ErrNotExist)
	return seal.OpenMasterKey(c.MasterKeyPath(), fresh)
}

// DatabasePath is the bbolt file.
func (c Config) DatabasePath() string { return filepath.Join(c.Data, "wenban.db") }

// BaseURL is where pages are reached.
func (c Config) BaseURL() string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	return c.scheme() + c.Listen
}

// Validate checks settings that decoding cannot.
func (c Config) Validate() error {
	if c.Listen == "" {
		return fmt.Errorf("listen is empty: set an address such as 127.0.0.1:8080")
	}
	if c.Data == "" {
		return fmt.Errorf("data is empty: set the data folder")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log.level %q is invalid: use debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return fmt.Errorf("log.format %q is invalid: use text or json", c.Log.Format)
	}
	if c.Seat.MaxChats < 1 || c.Seat.MaxChats > 50 {
		return fmt.Errorf("seat.max_chats %d is out of range: use 1 to 50", c.Seat.MaxChats)
	}
	if c.Seat.SessionTTL <= 0 || c.Seat.IdleTimeout <= 0 {
		return fmt.Errorf("seat.session_ttl and seat.idle_timeout must be positive durations such as 12h")
	}
	if c.Bot.Threshold < 0 {
		return fmt.Errorf("bot.threshold %v is negative: use 0 for the engine default", c.Bot.Threshold)
	}
	if c.ShutdownTimeout <= 0 {
		return fmt.Errorf("shutdown_timeout must be a positive duration such as 10s")
	}
	if err := c.Kiosk.Validate(); err != nil {
		return err
	}
	if err := c.Attachments.Validate(); err != nil {
		return err
	}
	if err := c.Recording.Validate(); err != nil {
		return err
	}
	if err := c.Policy.Validate(); err != nil {
		return err
	}
	if err := c.Media.Validate(); err != nil {
		return err
	}
	if err := c.Calls.Validate(); err != nil {
		return err
	}
	if err := c.validateTLS(); err != nil {
		return err
	}
	if _, err := c.Hours.Calendar(); err != nil {
		return err
	}
	return nil
}
