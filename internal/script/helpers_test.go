package script

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/scripthost"
)

// fakeServer is a scripthost.Server that records what the host asks of it.
type fakeServer struct {
	dir      string
	info     scripthost.ServerInfo
	packages []scripthost.Package
	requests []string
	settings []string
	timings  map[timingKey]time.Duration
	calls    map[timingKey]int // number of RecordTiming calls
	stopped  int
	restarts int
}

func newFakeServer(t testing.TB) *fakeServer {
	return &fakeServer{
		dir: t.TempDir(),
		info: scripthost.ServerInfo{
			Name: "Test Server", Description: "a server for tests", IP: "127.0.0.1",
			Port: 7777, QueryPort: 7778, MaxPlayers: 16, Map: "test-map", Version: "1.0.0-test",
			TickRate: 30,
		},
		timings: map[timingKey]time.Duration{},
		calls:   map[timingKey]int{},
	}
}

func (f *fakeServer) Info() scripthost.ServerInfo { return f.info }
func (f *fakeServer) CustomSettings() map[string]any {
	return map[string]any{"rounds": int64(3), "friendly_fire": true, "speed": 1.5, "mode": "ffa"}
}
func (f *fakeServer) MapConfig() map[string]any {
	return map[string]any{"weather": "rain", "nested": map[string]any{"depth": int64(2)}}
}
func (f *fakeServer) SpawnPoints() []scripthost.SpawnPoint {
	return []scripthost.SpawnPoint{
		{Location: scripthost.Vector3{X: 10, Y: 20, Z: 30}},
		{Location: scripthost.Vector3{X: -1, Y: -2, Z: -3}, Rotation: scripthost.Vector3{Y: 90}},
	}
}
func (f *fakeServer) Packages() []scripthost.Package { return f.packages }
func (f *fakeServer) RequestPackage(action, name string) error {
	if name == "gone" {
		return errors.New("package gone is not installed")
	}
	f.requests = append(f.requests, action+" "+name)
	return nil
}
func (f *fakeServer) Stop()             { f.stopped++ }
func (f *fakeServer) Restart()          { f.restarts++ }
func (f *fakeServer) ServerDir() string { return f.dir }

// timingKey is a package and the event whose time RecordTiming records.
type timingKey struct{ pkg, event string }

func (f *fakeServer) RecordTiming(pkg, event string, d time.Duration) {
	// Keyed like the real server's (a struct, no string built per call), so that the
	// benchmarks measure the host rather than this fake.
	f.timings[timingKey{pkg, event}] += d
	f.calls[timingKey{pkg, event}]++
}
func (f *fakeServer) ChangeSetting(key string, value any, persist bool) error {
	if key == "description" {
		return errors.New("description is locked by the test")
	}
	f.settings = append(f.settings, fmt.Sprintf("%s=%v persist=%v", key, value, persist))
	return nil
}

// logRecord is one captured log line.
type logRecord struct {
	Level slog.Level
	Msg   string
	Attrs map[string]string
}

// captureHandler is a slog.Handler that keeps every record, at every level.
type captureHandler struct {
	mu      sync.Mutex
	records []logRecord
	level   slog.Level
}

func (c *captureHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= c.level }
func (c *captureHandler) Handle(_ context.Context, r slog.Record) error {
	rec := logRecord{Level: r.Level, Msg: r.Message, Attrs: map[string]string{}}
	r.Attrs(func(a slog.Attr) bool { rec.Attrs[a.Key] = a.Value.String(); return true })
	c.mu.Lock()
	c.records = append(c.records, rec)
	c.mu.Unlock()
	return nil
}
func (c *captureHandler) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *captureHandler) WithGroup(string) slog.Handler      { return c }

func (c *captureHandler) all() []logRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]logRecord(nil), c.records...)
}

// matching returns the records whose message contains s.
func (c *captureHandler) matching(s string) []logRecord {
	var out []logRecord
	for _, r := range c.all() {
		if strings.Contains(r.Msg, s) {
			out = append(out, r)
		}
	}
	return out
}

func (c *captureHandler) dump() string {
	var b strings.Builder
	for _, r := range c.all() {
		fmt.Fprintf(&b, "%s %s %v\n", r.Level, r.Msg, r.Attrs)
	}
	return b.String()
}

type testHost struct {
	*Host
	t   testing.TB
	srv *fakeServer
	log *captureHandler
}

// testPackages maps test package folders to their manifests' identity.
var testPackages = map[string]scripthost.Package{
	"t-package":   {Title: "Package Test", Version: "1.2.3", CompatibilityVersion: "1.103"},
	"t-server":    {Title: "Server Test", Version: "0.1.0", CompatibilityVersion: "1.142"},
	"t-legacy":    {Title: "Legacy Title", Version: "0.0.1"},
	"t-timer":     {CompatibilityVersion: "1.103"},
	"t-events":    {CompatibilityVersion: "1.143"},
	"t-console":   {CompatibilityVersion: "1.103"},
	"t-realistic": {Title: "Realistic", CompatibilityVersion: "1.100"},
	"t-teardown":  {CompatibilityVersion: "1.103"},
	"t-dependent": {CompatibilityVersion: "1.103"},
}

func packageDir(name string) string {
	dir, err := filepath.Abs(filepath.Join("testdata", "packages", name))
	if err != nil {
		panic(err)
	}
	return dir
}

func testPackage(name string) scripthost.Package {
	p := testPackages[name]
	p.Name = name
	if p.Title == "" {
		p.Title = name
	}
	if p.Kind == "" {
		p.Kind = scripthost.KindScript
	}
	p.Dir = packageDir(name)
	return p
}

func newTestHost(t testing.TB, opts Options) *testHost {
	t.Helper()
	srv := newFakeServer(t)
	capture := &captureHandler{level: slog.LevelDebug}
	if opts.Budget == 0 {
		// Generous on a loaded machine under -race; the watchdog tests set their own.
		opts.Budget = 2 * time.Second
	}
	if opts.PackagesDir == "" {
		abs, err := filepath.Abs(filepath.Join("testdata", "packages"))
		if err != nil {
			t.Fatal(err)
		}
		opts.PackagesDir = abs
	}
	h, err := New(srv, slog.New(capture), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { h.Close() })
	return &testHost{Host: h, t: t, srv: srv, log: capture}
}

// load loads the named test packages in order, then fires Load in all of them.
func (th *testHost) load(names ...string) {
	th.t.Helper()
	for _, n := range names {
		p := testPackage(n)
		th.srv.packages = append(th.srv.packages, p)
		if err := th.LoadPackage(p); err != nil {
			th.t.Fatalf("LoadPackage(%s): %v\nlog:\n%s", n, err, th.log.dump())
		}
	}
	th.FireLoad(names)
}

func (th *testHost) ticks(n int, delta time.Duration) {
	for i := 0; i < n; i++ {
		th.Tick(delta)
	}
}

func (th *testHost) run(pkg, code string) string {
	th.t.Helper()
	out, err := th.RunCode(pkg, code)
	if err != nil {
		th.t.Fatalf("RunCode(%s, %q): %v\nlog:\n%s", pkg, code, err, th.log.dump())
	}
	return out
}

// checkSuite verifies the harness report of suite: a TEST-DONE line with checks and no
// failure, and no Lua error other than the expected ones.
func (th *testHost) checkSuite(suite string, allowedErrors ...string) {
	th.t.Helper()
	for _, r := range th.log.matching("TEST-FAIL") {
		th.t.Errorf("%s", r.Msg)
	}
	done := th.log.matching("TEST-DONE " + suite + " ")
	if len(done) != 1 {
		th.t.Fatalf("suite %s reported done %d times, want 1\nlog:\n%s", suite, len(done), th.log.dump())
	}
	var checks, failures int
	if _, err := fmt.Sscanf(done[0].Msg, "TEST-DONE "+suite+" %d %d", &checks, &failures); err != nil {
		th.t.Fatalf("bad TEST-DONE line %q: %v", done[0].Msg, err)
	}
	if checks < 5 || failures != 0 {
		th.t.Errorf("suite %s: %d checks, %d failures", suite, checks, failures)
	}
	for _, r := range th.log.matching("Lua Error") {
		ok := false
		for _, a := range allowedErrors {
			if strings.Contains(r.Msg, a) {
				ok = true
			}
		}
		if !ok {
			th.t.Errorf("unexpected Lua error:\n%s", r.Msg)
		}
	}
}
