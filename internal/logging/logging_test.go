package logging

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func fixedOutput(console, file *bytes.Buffer, level int) *Output {
	var f *bytes.Buffer
	o := NewOutput(console, nil, level)
	if file != nil {
		f = file
		o.SetFile(f)
	}
	o.Now = func() time.Time { return time.Date(2026, 1, 2, 13, 4, 5, 0, time.UTC) }
	return o
}

func TestLineFormat(t *testing.T) {
	var con, file bytes.Buffer
	o := fixedOutput(&con, &file, 1)
	log := o.Logger()
	when := time.Date(2026, 1, 2, 13, 4, 5, 0, time.Local)
	for _, tc := range []struct {
		level slog.Level
		msg   string
		attrs []any
		want  string
	}{
		{slog.LevelInfo, "Server started", nil, "[13:04:05] INFO  Server started\n"},
		{slog.LevelWarn, "careful", []any{"key", "a b"}, "[13:04:05] WARN  careful key=\"a b\"\n"},
		{slog.LevelError, "broken", []any{"n", 3}, "[13:04:05] ERROR broken n=3\n"},
	} {
		con.Reset()
		file.Reset()
		r := slog.NewRecord(when, tc.level, tc.msg, 0)
		r.Add(tc.attrs...)
		if err := log.Handler().Handle(t.Context(), r); err != nil {
			t.Fatal(err)
		}
		if con.String() != tc.want {
			t.Errorf("console line = %q, want %q", con.String(), tc.want)
		}
		if file.String() != tc.want {
			t.Errorf("file line = %q, want %q", file.String(), tc.want)
		}
	}
}

func TestLevels(t *testing.T) {
	for _, tc := range []struct {
		logLevel int
		shown    []string
	}{
		{1, []string{"INFO", "WARN", "ERROR"}},
		{2, []string{"DEBUG", "INFO", "WARN", "ERROR"}},
		{3, []string{"VERB", "DEBUG", "INFO", "WARN", "ERROR"}},
	} {
		var con bytes.Buffer
		o := fixedOutput(&con, nil, tc.logLevel)
		if got := o.LogLevel(); got != tc.logLevel {
			t.Errorf("LogLevel() = %d after NewOutput(%d)", got, tc.logLevel)
		}
		log := o.Logger()
		log.Log(t.Context(), LevelVerbose, "v")
		log.Debug("d")
		log.Info("i")
		log.Warn("w")
		log.Error("e")
		log.Log(t.Context(), LevelProfile, "p")
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(con.String()), "\n") {
			got = append(got, strings.Fields(line)[1])
		}
		if !slices.Equal(got, tc.shown) {
			t.Errorf("log_level %d showed %v, want %v", tc.logLevel, got, tc.shown)
		}
	}
}

func TestProfilingSwitch(t *testing.T) {
	var con bytes.Buffer
	o := fixedOutput(&con, nil, 1)
	log := o.Logger()
	log.Log(t.Context(), LevelProfile, "hidden")
	o.SetProfiling(true)
	log.Log(t.Context(), LevelProfile, "shown")
	if got := con.String(); got != "[13:04:05] PROFIL shown\n" {
		t.Errorf("profiling output = %q", got)
	}
}

func TestWithAttrsAndGroups(t *testing.T) {
	var con bytes.Buffer
	o := fixedOutput(&con, nil, 1)
	log := o.Logger().With("package", "p1").WithGroup("g")
	log.Info("hello", "k", "v", slog.Group("sub", "x", 1))
	want := "[13:04:05] INFO  hello package=p1 g.k=v g.sub.x=1\n"
	if con.String() != want {
		t.Errorf("got %q, want %q", con.String(), want)
	}
}

func TestSetLogLevelAtRuntime(t *testing.T) {
	var con bytes.Buffer
	o := fixedOutput(&con, nil, 1)
	log := o.Logger()
	log.Debug("no")
	o.SetLogLevel(2)
	log.Debug("yes")
	if !strings.Contains(con.String(), "DEBUG yes") || strings.Contains(con.String(), "no") {
		t.Errorf("output %q: want only the debug line written after SetLogLevel(2)", con.String())
	}
}

func TestOpenSessionRotatesAndPrunes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".logs")
	var rotated []string
	for i := range 5 {
		s, err := OpenSession(dir, 3)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(s, "session %d\n", i)
		s.Close()
		if i == 0 && s.Rotated != "" {
			t.Errorf("first session rotated %q, want nothing", s.Rotated)
		}
		if i > 0 {
			if s.Rotated == "" {
				t.Fatalf("session %d did not keep the previous file", i)
			}
			rotated = append(rotated, s.Rotated)
		}
	}
	latest, err := os.ReadFile(filepath.Join(dir, LatestName))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(latest), "session 4") {
		t.Errorf("%s = %q, want the last session's lines", LatestName, latest)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 4 { // latest + 3 kept
		t.Fatalf("logs folder holds %v, want %s plus 3 dated files", names, LatestName)
	}
	// The oldest kept must be session 1 (session 0 pruned), the newest session 3.
	for i, p := range rotated {
		data, err := os.ReadFile(p)
		if i == 0 {
			if err == nil {
				t.Errorf("oldest session file %s still present, want it pruned", p)
			}
			continue
		}
		if err != nil {
			t.Errorf("session file %s: %v", p, err)
			continue
		}
		if !strings.Contains(string(data), fmt.Sprintf("session %d", i)) {
			t.Errorf("%s = %q, want session %d", p, data, i)
		}
	}
}

func TestLevelForLogLevelClamps(t *testing.T) {
	if LevelForLogLevel(0) != slog.LevelInfo || LevelForLogLevel(9) != LevelVerbose {
		t.Error("out-of-range log levels are not clamped to 1..3")
	}
}

func TestColorOnlyOnTheConsole(t *testing.T) {
	var con, file bytes.Buffer
	o := fixedOutput(&con, &file, 1)
	o.SetColor(true)
	log := o.Logger()
	log.Warn("careful")
	log.Info("plain")
	if got, want := con.String(), "[13:04:05] \x1b[33mWARN \x1b[0m careful\n[13:04:05] INFO  plain\n"; got != want {
		t.Errorf("console = %q, want %q", got, want)
	}
	if got, want := file.String(), "[13:04:05] WARN  careful\n[13:04:05] INFO  plain\n"; got != want {
		t.Errorf("file = %q, want %q (no colors)", got, want)
	}
	if IsTerminal(&con) {
		t.Error("a buffer was taken for a terminal")
	}
}

func TestAsyncKeepsOrderAndFlushes(t *testing.T) {
	var con, file lockedBuf
	o := NewOutput(&con, &file, 1)
	o.SetAsync(true)
	o.SetAsync(true) // idempotent
	log := o.Logger()
	var want strings.Builder
	for i := range 3 * asyncQueue {
		log.Info(fmt.Sprintf("line %d", i))
		fmt.Fprintf(&want, "line %d\n", i)
	}
	o.WriteConsole([]byte("raw\n"))
	o.Flush()
	strip := func(s string) string {
		var b strings.Builder
		for _, l := range strings.SplitAfter(s, "\n") {
			if i := strings.Index(l, "INFO  "); i >= 0 {
				l = l[i+len("INFO  "):]
			}
			b.WriteString(l)
		}
		return b.String()
	}
	if got := strip(con.String()); got != want.String()+"raw\n" {
		t.Errorf("console after Flush has %d bytes, want %d in order ending with the raw write", len(got), want.Len()+4)
	}
	if got := strip(file.String()); got != want.String() {
		t.Errorf("file after Flush has %d bytes, want %d in order", len(got), want.Len())
	}
	log.Info("last")
	o.SetAsync(false) // drains
	if !strings.HasSuffix(con.String(), "INFO  last\n") {
		t.Error("SetAsync(false) returned before the queue was written")
	}
	o.Flush() // no queue: returns at once
}

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
