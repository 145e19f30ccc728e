package config

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// recorder is a slog handler that keeps every line for assertions.
type recorder struct {
	mu    sync.Mutex
	lines []logLine
}

type logLine struct {
	level slog.Level
	msg   string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, logLine{rec.Level, rec.Message})
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

func newRecorder() (*recorder, *slog.Logger) {
	r := &recorder{}
	return r, slog.New(r)
}

// messages returns the lines at or above level.
func (r *recorder) messages(level slog.Level) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, l := range r.lines {
		if l.level >= level {
			out = append(out, l.msg)
		}
	}
	return out
}

// requireLogs fails unless every want substring appears in some line (at Info or above).
func (r *recorder) requireLogs(t *testing.T, want ...string) {
	t.Helper()
	all := r.messages(slog.LevelInfo)
	for _, w := range want {
		found := false
		for _, m := range all {
			if strings.Contains(m, w) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no log line contains %q; lines:\n  %s", w, strings.Join(all, "\n  "))
		}
	}
}

// writeConfig puts text into dir/Config.toml.
func writeConfig(t *testing.T, dir, text string) string {
	t.Helper()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// requireNoTempFiles fails when a write left a temporary file behind.
func requireNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != FileName {
			t.Errorf("unexpected file %s left in %s", e.Name(), dir)
		}
	}
}

func mustParseArgs(t *testing.T, args ...string) *Args {
	t.Helper()
	a, err := ParseArgs(args)
	if err != nil {
		t.Fatalf("ParseArgs(%q): %v", args, err)
	}
	return a
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
