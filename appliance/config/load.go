package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"wenban/appliance/calendar"
)

// EnvPrefix starts every environment variable the hub reads; the rest is
// the key in upper case with dots as underscores (WENBAN_SEAT_MAX_CHATS).
const EnvPrefix = "WENBAN"

// RecoveryKeyEnv is the variable from which wenban backup and restore read
// the backup recovery key, so scripts can pass it without it showing in
// the process list.
const RecoveryKeyEnv = EnvPrefix + "_RECOVERY_KEY"

// toolEnv lists the WENBAN_ variables that commands read themselves.
// They name no setting, and checkEnv lets them pass.
var toolEnv = []string{RecoveryKeyEnv}

// Flags are the command-line settings. Each flag is bound to the config
// key of the same meaning and wins over the file and the environment.
var flagKeys = map[string]string{
	"data":      "data",
	"listen":    "listen",
	"log-level": "log.level",
}

// AddFlags registers the config flags on fs.
func AddFlags(fs *pflag.FlagSet) {
	d := Default()
	fs.String("config", "", "YAML config file (optional; see packaging/wenban.yaml)")
	fs.String("data", d.Data, "data folder for the database, keys and files")
	fs.String("listen", d.Listen, "HTTP listen address")
	fs.String("log-level", d.Log.Level, "log level: debug, info, warn or error")
}

// Load reads the config file named by the --config flag (if any), the
// environment and the flags. Unknown keys in the file and unknown WENBAN_
// variables are rejected by name.
func Load(fs *pflag.FlagSet) (Config, error) {
	v := viper.New()
	setDefaults(v, "", reflect.ValueOf(Default()))
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()

	if err := checkEnv(v.AllKeys()); err != nil {
		return Config{}, err
	}

	if fs != nil {
		path, _ := fs.GetString("config")
		if path != "" {
			v.SetConfigFile(path)
			v.SetConfigType("yaml")
			if err := v.ReadInConfig(); err != nil {
				return Config{}, fmt.Errorf("reading config file %s: %w", path, err)
			}
		}
		for flag, key := range flagKeys {
			if f := fs.Lookup(flag); f != nil {
				if err := v.BindPFlag(key, f); err != nil {
					return Config{}, fmt.Errorf("binding flag --%s: %w", flag, err)
				}
			}
		}
	}

	return decode(v)
}

// LoadFile reads one YAML file over the defaults, for tools and tests.
func LoadFile(path string) (Config, error) {
	fs := pflag.NewFlagSet("config", pflag.ContinueOnError)
	AddFlags(fs)
	if err := fs.Set("config", path); err != nil {
		return Config{}, err
	}
	return Load(fs)
}

func decode(v *viper.Viper) (Config, error) {
	var c Config
	err := v.UnmarshalExact(&c, viper.DecodeHook(mapstructure.ComposeDecodeHookFunc(
		mapstructure.StringToTimeDurationHookFunc(),
		mapstructure.StringToSliceHookFunc(","),
	)))
	if err != nil {
		return Config{}, fmt.Errorf("decoding config: %w", unknownKeys(err))
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("invalid config: %w", err)
	}
	return c, nil
}

// unknownKeys rewords mapstructure's report of unused keys so that it
// points to the sample config. Other decoding errors pass unchanged.
func unknownKeys(err error) error {
	msg := err.Error()
	if !strings.Contains(msg, "has invalid keys:") {
		return err
	}
	return errors.New(strings.ReplaceAll(msg, "has invalid keys:",
		"has unknown keys (check their spelling against packaging/wenban.yaml):"))
}

// checkEnv rejects WENBAN_ variables that name no setting and are not in
// toolEnv, so a typo in a unit file does not pass silently.
func checkEnv(keys []string) error {
	known := map[string]bool{}
	for _, name := range toolEnv {
		known[name] = true
	}
	for _, k := range keys {
		known[EnvPrefix+"_"+strings.ToUpper(strings.ReplaceAll(k, ".", "_"))] = true
	}
	var unknown []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, EnvPrefix+"_") && !known[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("unknown environment variables %s: no such setting", strings.Join(unknown, ", "))
	}
	return nil
}

// setDefaults registers every field of the defaults struct under its
// dotted key, which also lets AutomaticEnv find each key.
func setDefaults(v *viper.Viper, prefix string, val reflect.Value) {
	t := val.Type()
	for i := range t.NumField() {
		key := t.Field(i).Tag.Get("mapstructure")
		if prefix != "" {
			key = prefix + "." + key
		}
		fv := val.Field(i)
		if fv.Kind() == reflect.Struct && fv.Type() != reflect.TypeOf(time.Duration(0)) {
			setDefaults(v, key, fv)
			continue
		}
		v.SetDefault(key, fv.Interface())
	}
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// Calendar builds the working-hours calendar.
func (h Hours) Calendar() (*calendar.Calendar, error) {
	cfg := calendar.Config{
		Zone: h.Zone, Periods: h.Periods, Holidays: h.Holidays, Workdays: h.Workdays, AlwaysOpen: h.AlwaysOpen,
	}
	for _, d := range h.Weekdays {
		wd, ok := weekdays[strings.ToLower(strings.TrimSpace(d))]
		if !ok {
			return nil, fmt.Errorf("hours.weekdays: %q is not a weekday: use mon, tue, wed, thu, fri, sat or sun", d)
		}
		cfg.Weekdays = append(cfg.Weekdays, wd)
	}
	cal, err := calendar.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("hours: %w", err)
	}
	return cal, nil
}
