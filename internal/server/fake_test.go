package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/config"
	"github.com/nanoforge/nanoforge/internal/packages/packagestest"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeHost records every call the server makes, in order.
type fakeHost struct {
	srv      scripthost.Server
	calls    []string
	commands []scripthost.Command
	// failLoad makes LoadPackage of these packages fail.
	failLoad map[string]bool
	// onTick runs inside Tick: tests advance the clock and record timings there.
	onTick func(delta time.Duration)
	// runResult is what RunCode returns.
	runResult string
	// fireErr is what Fire returns.
	fireErr error
}

func (h *fakeHost) rec(format string, a ...any) { h.calls = append(h.calls, fmt.Sprintf(format, a...)) }

func (h *fakeHost) LoadPackage(p scripthost.Package) error {
	h.rec("load %s", p.Name)
	if h.failLoad[p.Name] {
		return errors.New("Server/Index.lua:3: attempt to call a nil value")
	}
	return nil
}
func (h *fakeHost) FireLoad(names []string)         { h.rec("fireload %s", strings.Join(names, ",")) }
func (h *fakeHost) UnloadPackage(name string) error { h.rec("unload %s", name); return nil }
func (h *fakeHost) HotReloadPackage(p scripthost.Package) error {
	h.rec("hotreload %s", p.Name)
	return nil
}
func (h *fakeHost) Reset() error { h.rec("reset"); return nil }
func (h *fakeHost) Start()       { h.rec("start") }
func (h *fakeHost) Tick(delta time.Duration) {
	h.rec("tick %s", delta)
	if h.onTick != nil {
		h.onTick(delta)
	}
}
func (h *fakeHost) Stop()                 { h.rec("stop") }
func (h *fakeHost) ConsoleInput(l string) { h.rec("input %s", l) }
func (h *fakeHost) ConsoleCommand(name string, args []string) (bool, error) {
	for _, c := range h.commands {
		if c.Name == name {
			h.rec("command %s %s", name, strings.Join(args, ","))
			if name == "boom" {
				return true, errors.New("it exploded")
			}
			return true, nil
		}
	}
	return false, nil
}

// ConsoleLegacy takes the lines that start with "legacy-", as a package subscribed to the
// legacy Server "Console" event would.
func (h *fakeHost) ConsoleLegacy(line string) bool {
	h.rec("legacy %s", line)
	return strings.HasPrefix(line, "legacy-")
}
func (h *fakeHost) Commands() []scripthost.Command { return h.commands }
func (h *fakeHost) RunCode(pkg, code string) (string, error) {
	h.rec("run %s %s", pkg, code)
	if code == "error()" {
		return "", errors.New("[string]:1: nil")
	}
	return h.runResult, nil
}
func (h *fakeHost) Fire(class, event string, args ...any) (bool, error) {
	line := "fire " + class + " " + event
	for _, a := range args {
		line += fmt.Sprintf(" %v", a)
	}
	h.rec("%s", line)
	return false, h.fireErr
}
func (h *fakeHost) Close() error { h.rec("close"); return nil }

// since returns the calls made after the first n.
func (h *fakeHost) since(n int) []string { return slices.Clone(h.calls[n:]) }

// syncBuffer is a bytes.Buffer safe for the console reader goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Reset forgets what was written so far.
func (b *syncBuffer) Reset() {
	b.mu.Lock()
	b.b.Reset()
	b.mu.Unlock()
}

type testServer struct {
	*Server
	host  *fakeHost
	clock *fakeClock
	out   *syncBuffer
	dir   string
}

// newTestServer writes specs into a fresh server folder and starts a manual-mode server with
// the command line args.
func newTestServer(t *testing.T, args []string, specs ...packagestest.Spec) *testServer {
	t.Helper()
	return newTestServerIn(t, t.TempDir(), args, specs...)
}

// newTestServerIn is newTestServer in an existing folder.
func newTestServerIn(t *testing.T, dir string, args []string, specs ...packagestest.Spec) *testServer {
	t.Helper()
	packagestest.MustWrite(t, dir, specs...)
	if !slices.ContainsFunc(args, func(a string) bool { return strings.Contains(a, "async_log") }) {
		// Synchronous logs, so output can be read right after a call; the asynchronous
		// writer has its own test.
		args = append(slices.Clone(args), "--async_log=0")
	}
	a, err := config.ParseArgs(args)
	if err != nil {
		t.Fatalf("ParseArgs(%q): %v", args, err)
	}
	ts := &testServer{host: &fakeHost{failLoad: map[string]bool{}}, clock: newFakeClock(), out: &syncBuffer{}, dir: dir}
	srv, err := New(Options{
		Dir: dir, Args: a, Output: ts.out, Clock: ts.clock,
		NewHost: func(s scripthost.Server, _ *slog.Logger) (scripthost.Host, error) {
			ts.host.srv = s
			return ts.host, nil
		},
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts.Server = srv
	t.Cleanup(func() { _ = srv.Shutdown() })
	return ts
}

// exec runs a console line through a full tick and returns the host calls and output it made.
func (ts *testServer) exec(line string) (calls []string, out string) {
	n := len(ts.host.calls)
	ts.out.Reset()
	ts.Submit(line)
	ts.Step()
	return ts.host.since(n), ts.out.String()
}

func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}
