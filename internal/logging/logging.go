// Package logging is the server's log output: a log/slog handler that writes nanos world-style
// console lines (`[HH:MM:SS] INFO  message`) to the console and to the session log file in
// `.logs/`.
//
// Levels follow Config.toml's log_level: 1 normal (Info and above), 2 debug (adds Debug),
// 3 verbose (adds Verbose). Profiling lines use LevelProfile and are shown, whatever the log
// level, only while profiling is on.
//
// Log files: `.logs/nanoforge.log` always holds the latest session. When a new session starts,
// the previous file is renamed to `.logs/nanoforge-YYYY-MM-DD_HH-MM-SS.log` (the time its
// session started) and only the newest KeepSessions dated files are kept.
package logging

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Extra levels beyond slog's four. Verbose sits below Debug so log_level 3 shows it;
// Profile sits between Info and Warn and is gated by the profiling switch, not the level.
const (
	LevelVerbose = slog.LevelDebug - 4
	LevelProfile = slog.LevelInfo + 2
)

// LatestName is the file name of the current session's log inside the logs folder.
const LatestName = "nanoforge.log"

// KeepSessions is how many earlier sessions' log files are kept by default.
const KeepSessions = 10

// LevelForLogLevel maps Config.toml's log_level (1 normal, 2 debug, 3 verbose) to the lowest
// slog level shown. Values outside 1..3 are clamped.
func LevelForLogLevel(n int) slog.Level {
	switch {
	case n <= 1:
		return slog.LevelInfo
	case n == 2:
		return slog.LevelDebug
	default:
		return LevelVerbose
	}
}

// Label is the fixed-width name printed for a level.
func Label(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARN "
	case l == LevelProfile:
		return "PROFIL"
	case l >= slog.LevelInfo:
		return "INFO "
	case l >= slog.LevelDebug:
		return "DEBUG"
	default:
		return "VERB "
	}
}

// Output is the shared state of every handler derived from one root: writers, the level and
// the profiling switch. Both can be changed while the server runs (console log_level and
// profiling commands).
type Output struct {
	mu        sync.Mutex
	console   io.Writer
	file      io.Writer
	level     slog.LevelVar
	profiling bool
	color     bool
	// Now is the clock used for timestamps; tests replace it.
	Now func() time.Time

	// amu guards the asynchronous queue's lifetime; the writer goroutine never takes it.
	amu   sync.Mutex
	queue chan entry
	done  chan struct{}
}

// entry is one queued write: a line for the console and (when file is not nil) the file, or a
// flush marker.
type entry struct {
	console, file []byte
	flushed       chan struct{}
}

// asyncQueue is how many lines may wait for the writer goroutine before logging blocks.
const asyncQueue = 4096

// SetAsync switches between writing each line before the logging call returns (off) and
// handing lines to a writer goroutine (on, Config.toml's async_log), which keeps a slow console
// from stalling the tick. Turning it off drains the queue first, so call SetAsync(false) before
// exiting to lose nothing.
func (o *Output) SetAsync(on bool) {
	o.amu.Lock()
	defer o.amu.Unlock()
	if on == (o.queue != nil) {
		return
	}
	if !on {
		close(o.queue)
		<-o.done
		o.queue, o.done = nil, nil
		return
	}
	q, done := make(chan entry, asyncQueue), make(chan struct{})
	o.queue, o.done = q, done
	go func() {
		defer close(done)
		for e := range q {
			if e.flushed != nil {
				close(e.flushed)
				continue
			}
			_ = o.write(e)
		}
	}()
}

// Flush waits until every line logged so far has been written.
func (o *Output) Flush() {
	o.amu.Lock()
	q := o.queue
	if q == nil {
		o.amu.Unlock()
		return
	}
	ch := make(chan struct{})
	q <- entry{flushed: ch}
	o.amu.Unlock()
	<-ch
}

// emit writes e now or queues it, depending on SetAsync.
func (o *Output) emit(e entry) error {
	o.amu.Lock()
	if q := o.queue; q != nil {
		// Blocking on a full queue under amu is safe: the writer never takes amu.
		q <- e
		o.amu.Unlock()
		return nil
	}
	o.amu.Unlock()
	return o.write(e)
}

func (o *Output) write(e entry) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, err := o.console.Write(e.console)
	if e.file != nil && o.file != nil {
		if _, ferr := o.file.Write(e.file); err == nil {
			err = ferr
		}
	}
	return err
}

// NewOutput creates an Output writing to console and, when file is not nil, to file.
func NewOutput(console, file io.Writer, logLevel int) *Output {
	o := &Output{console: console, file: file, Now: time.Now}
	o.level.Set(LevelForLogLevel(logLevel))
	return o
}

// SetColor turns colored level labels on the console on or off (the file never gets colors):
// WARN yellow, ERROR red, as the nanos world console shows them.
func (o *Output) SetColor(on bool) {
	o.mu.Lock()
	o.color = on
	o.mu.Unlock()
}

// IsTerminal reports whether w is a terminal (a character device), where colors make sense.
// The NO_COLOR convention (https://no-color.org) turns them off.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// colorOf returns the ANSI color sequence of a level's label, or "".
func colorOf(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "\x1b[31m"
	case l >= slog.LevelWarn:
		return "\x1b[33m"
	case l == LevelProfile:
		return "\x1b[36m"
	case l < slog.LevelInfo:
		return "\x1b[90m"
	}
	return ""
}

// SetLogLevel changes the level shown, as Config.toml's log_level (1..3).
func (o *Output) SetLogLevel(n int) { o.level.Set(LevelForLogLevel(n)) }

// LogLevel returns the current level as Config.toml's log_level (1..3).
func (o *Output) LogLevel() int {
	switch l := o.level.Level(); {
	case l >= slog.LevelInfo:
		return 1
	case l >= slog.LevelDebug:
		return 2
	default:
		return 3
	}
}

// SetProfiling turns PROFIL lines on or off.
func (o *Output) SetProfiling(on bool) {
	o.mu.Lock()
	o.profiling = on
	o.mu.Unlock()
}

// Profiling reports whether PROFIL lines are shown.
func (o *Output) Profiling() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.profiling
}

// SetFile replaces the file writer (nil for none); the server opens the session file after
// Config.toml is read, so early lines go to the console only.
func (o *Output) SetFile(w io.Writer) {
	o.mu.Lock()
	o.file = w
	o.mu.Unlock()
}

// WriteConsole writes raw bytes to the console only (the clear command's escape sequence).
func (o *Output) WriteConsole(p []byte) {
	_ = o.emit(entry{console: append([]byte(nil), p...)})
}

// Logger returns a logger writing through o.
func (o *Output) Logger() *slog.Logger { return slog.New(&Handler{out: o}) }

// Handler is the slog.Handler of an Output. Create it with Output.Logger.
type Handler struct {
	out    *Output
	prefix string // pre-rendered attributes from WithAttrs
	group  string // dotted group prefix for later attributes
}

// Enabled reports whether a record at level l would be written.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool {
	if l == LevelProfile {
		return h.out.Profiling()
	}
	return l >= h.out.level.Level()
}

// Handle writes one line: `[HH:MM:SS] LEVEL message key=value ...`. A message spanning
// several lines is written as is after the prefix, so Lua tracebacks stay readable.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	// The Output's clock, not the record's, so tests get stable timestamps.
	t := h.out.Now()
	var b bytes.Buffer
	b.Grow(64 + len(r.Message))
	b.WriteString(t.Format("[15:04:05] "))
	labelAt := b.Len()
	b.WriteString(Label(r.Level))
	labelEnd := b.Len()
	b.WriteByte(' ')
	b.WriteString(r.Message)
	b.WriteString(h.prefix)
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, h.group, a)
		return true
	})
	b.WriteByte('\n')
	line := b.Bytes()
	console := line
	h.out.mu.Lock()
	color := h.out.color
	h.out.mu.Unlock()
	if c := colorOf(r.Level); color && c != "" {
		colored := make([]byte, 0, len(line)+len(c)+4)
		colored = append(colored, line[:labelAt]...)
		colored = append(colored, c...)
		colored = append(colored, line[labelAt:labelEnd]...)
		colored = append(colored, "\x1b[0m"...)
		console = append(colored, line[labelEnd:]...)
	}
	return h.out.emit(entry{console: console, file: line})
}

// WithAttrs returns a handler that adds attrs to every line.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	var b bytes.Buffer
	b.WriteString(h.prefix)
	for _, a := range attrs {
		writeAttr(&b, h.group, a)
	}
	return &Handler{out: h.out, prefix: b.String(), group: h.group}
}

// WithGroup returns a handler that qualifies later attributes with name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &Handler{out: h.out, prefix: h.prefix, group: h.group + name + "."}
}

func writeAttr(b *bytes.Buffer, group string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		g := group
		if a.Key != "" {
			g += a.Key + "."
		}
		for _, sub := range a.Value.Group() {
			writeAttr(b, g, sub)
		}
		return
	}
	b.WriteByte(' ')
	b.WriteString(group)
	b.WriteString(a.Key)
	b.WriteByte('=')
	s := a.Value.String()
	if s == "" || strings.ContainsAny(s, " \t\n\"=") {
		s = fmt.Sprintf("%q", s)
	}
	b.WriteString(s)
}

// SessionFile is the open log file of the current session.
type SessionFile struct {
	*os.File
	// Rotated is the dated name the previous session's file was renamed to, or "".
	Rotated string
}

// OpenSession prepares the logs folder dir for a new session: it creates dir if missing,
// renames the previous session's LatestName to a dated name, deletes dated files beyond the
// newest keep, and creates a fresh LatestName.
func OpenSession(dir string, keep int) (*SessionFile, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("logs folder %s: %w (check the server folder is writable)", dir, err)
	}
	latest := filepath.Join(dir, LatestName)
	var rotated string
	if st, err := os.Stat(latest); err == nil {
		rotated = datedName(dir, sessionStart(latest, st.ModTime()))
		if err := os.Rename(latest, rotated); err != nil {
			return nil, fmt.Errorf("keeping the previous log %s: %w", latest, err)
		}
	}
	if err := prune(dir, keep); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(latest, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("creating log file %s: %w", latest, err)
	}
	// The first line records when the session started, so the next session can name this
	// file by its start rather than by its last write.
	fmt.Fprintf(f, "# nanoforge session started %s\n", time.Now().UTC().Format(time.RFC3339))
	return &SessionFile{File: f, Rotated: rotated}, nil
}

const datedPrefix = "nanoforge-"

// sessionStart reads the start time recorded on a log file's first line, falling back to the
// file's modification time.
func sessionStart(path string, fallback time.Time) time.Time {
	f, err := os.Open(path)
	if err != nil {
		return fallback
	}
	defer f.Close()
	buf := make([]byte, 80)
	n, _ := io.ReadFull(f, buf)
	line, _, _ := strings.Cut(string(buf[:n]), "\n")
	if s, ok := strings.CutPrefix(line, "# nanoforge session started "); ok {
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(s)); err == nil {
			return t
		}
	}
	return fallback
}

// datedName picks a free dated file name for a session started at t.
func datedName(dir string, t time.Time) string {
	base := datedPrefix + t.UTC().Format("2006-01-02_15-04-05")
	name := filepath.Join(dir, base+".log")
	for i := 2; ; i++ {
		if _, err := os.Lstat(name); os.IsNotExist(err) {
			return name
		}
		name = filepath.Join(dir, fmt.Sprintf("%s_%d.log", base, i))
	}
}

// prune deletes the oldest dated session files so at most keep remain.
func prune(dir string, keep int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("listing logs folder %s: %w", dir, err)
	}
	var dated []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, datedPrefix) && strings.HasSuffix(n, ".log") {
			dated = append(dated, n)
		}
	}
	// Dated names sort chronologically, with _N suffixes after the base name.
	slices.SortFunc(dated, func(a, b string) int {
		return strings.Compare(strings.TrimSuffix(a, ".log"), strings.TrimSuffix(b, ".log"))
	})
	if keep < 0 {
		keep = 0
	}
	for len(dated) > keep {
		if err := os.Remove(filepath.Join(dir, dated[0])); err != nil {
			return fmt.Errorf("deleting old log %s: %w", dated[0], err)
		}
		dated = dated[1:]
	}
	return nil
}
