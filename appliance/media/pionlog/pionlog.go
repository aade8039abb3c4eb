// Package pionlog bridges pion's leveled loggers into log/slog, so ICE,
// DTLS and TURN events land in the journal with the caller's attributes.
package pionlog

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// levelTrace is below slog's debug, because pion traces every packet.
const levelTrace = slog.LevelDebug - 4

// Factory makes pion loggers that write to Log under a "pion" attribute
// naming the scope.
type Factory struct {
	Log *slog.Logger
	// Demote logs every pion level one slog level lower. pion/turn needs
	// it, because it logs each rejected request at error.
	Demote bool
}

// NewLogger returns the logger for one pion scope, such as "ice".
func (f Factory) NewLogger(scope string) logging.LeveledLogger {
	return logger{log: f.Log.With("pion", scope), demote: f.Demote}
}

type logger struct {
	log    *slog.Logger
	demote bool
}

func (l logger) logf(level slog.Level, format string, args ...any) {
	if l.demote && level > levelTrace {
		level = lower(level)
	}
	if !l.log.Enabled(context.Background(), level) {
		return
	}
	l.log.Log(context.Background(), level, fmt.Sprintf(format, args...))
}

// lower returns the slog level one step below level.
func lower(level slog.Level) slog.Level {
	if level <= slog.LevelDebug {
		return levelTrace
	}
	return level - 4
}

func (l logger) Trace(msg string)                  { l.logf(levelTrace, "%s", msg) }
func (l logger) Tracef(format string, args ...any) { l.logf(levelTrace, format, args...) }
func (l logger) Debug(msg string)                  { l.logf(slog.LevelDebug, "%s", msg) }
func (l logger) Debugf(format string, args ...any) { l.logf(slog.LevelDebug, format, args...) }
func (l logger) Info(msg string)                   { l.logf(slog.LevelInfo, "%s", msg) }
func (l logger) Infof(format string, args ...any)  { l.logf(slog.LevelInfo, format, args...) }
func (l logger) Warn(msg string)                   { l.logf(slog.LevelWarn, "%s", msg) }
func (l logger) Warnf(format string, args ...any)  { l.logf(slog.LevelWarn, format, args...) }
func (l logger) Error(msg string)                  { l.logf(slog.LevelError, "%s", msg) }
func (l logger) Errorf(format string, args ...any) { l.logf(slog.LevelError, format, args...) }
