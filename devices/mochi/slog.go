package mochi

import (
	"context"
	"log/slog"

	"github.com/rs/zerolog"
)

// slogBridge sends the embedded broker's warnings and errors to zerolog.
// Packet dumps are left out: they can carry request payloads.
type slogBridge struct {
	log   zerolog.Logger
	attrs []slog.Attr
}

func (b slogBridge) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (b slogBridge) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "" { // a connection's end, e.g. a refused CONNECT, logged already
		return nil
	}
	ev := b.log.Warn()
	if r.Level >= slog.LevelError {
		ev = b.log.Error()
	}
	add := func(a slog.Attr) bool {
		if a.Key != "pk" && a.Key != "packet" {
			ev = ev.Str(a.Key, a.Value.String())
		}
		return true
	}
	for _, a := range b.attrs {
		add(a)
	}
	r.Attrs(add)
	ev.Msg("mqtt broker: " + r.Message)
	return nil
}

func (b slogBridge) WithAttrs(attrs []slog.Attr) slog.Handler {
	b.attrs = append(append([]slog.Attr(nil), b.attrs...), attrs...)
	return b
}

func (b slogBridge) WithGroup(string) slog.Handler { return b }

// NewLogger is a slog logger for the broker that writes its warnings and
// errors to log.
func NewLogger(log zerolog.Logger) *slog.Logger { return slog.New(slogBridge{log: log}) }
