package server

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/packages/packagestest"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

func TestTickOrder(t *testing.T) {
	ts := newTestServer(t, []string{"--packages", "a"}, packagestest.Spec{Name: "a"}, packagestest.Spec{Name: "b"})
	ts.host.commands = append(ts.host.commands, scripthostCommand("greet"))
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	n := len(ts.host.calls)
	// The package change is queued from inside the script tick (as Server.LoadPackage does)
	// and from the console; both happen after Server "Tick", console input before it.
	ts.host.onTick = func(time.Duration) {
		if err := ts.host.srv.RequestPackage("unload", "a"); err != nil {
			t.Error(err)
		}
	}
	ts.Submit("greet x")
	ts.Submit("package load b")
	ts.Step()
	want := []string{
		"input greet x", "command greet x",
		"input package load b",
		"tick 33.333333ms",
		"load b", "fireload b",
		"unload a",
	}
	if got := ts.host.since(n); !slices.Equal(got, want) {
		t.Errorf("tick calls = %q\nwant        %q", got, want)
	}
	if ts.Ticks() != 1 {
		t.Errorf("Ticks() = %d", ts.Ticks())
	}
}

func TestTickDelta(t *testing.T) {
	ts := newTestServer(t, nil)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	var deltas []time.Duration
	ts.host.onTick = func(d time.Duration) { deltas = append(deltas, d) }
	ts.Step() // first tick: one budget
	ts.clock.Advance(40 * time.Millisecond)
	ts.Step()
	ts.clock.Advance(25 * time.Millisecond)
	ts.Step()
	want := []time.Duration{time.Second / 30, 40 * time.Millisecond, 25 * time.Millisecond}
	if !slices.Equal(deltas, want) {
		t.Errorf("deltas = %v, want %v", deltas, want)
	}
}

func TestTickTooHigh(t *testing.T) {
	for _, tc := range []struct {
		name    string
		took    time.Duration
		timings map[[2]string]time.Duration
		want    string // "" means no line
	}{
		{"within budget", 30 * time.Millisecond, nil, ""},
		{"exactly the budget", time.Second / 30, nil, ""},
		{
			"over budget names the slowest package event",
			50 * time.Millisecond,
			map[[2]string]time.Duration{{"slow-pkg", "Tick"}: 45 * time.Millisecond, {"other", "Timer"}: 2 * time.Millisecond},
			"WARN  Server Tick too high! Verify the server performance! Tick 1 took 50ms (budget 33.3ms); slowest: package 'slow-pkg' event 'Tick' 45ms",
		},
		{
			"sums repeated events of one package",
			60 * time.Millisecond,
			map[[2]string]time.Duration{{"a", "Tick"}: 20 * time.Millisecond, {"b", "Timer"}: 30 * time.Millisecond},
			"slowest: package 'b' event 'Timer' 30ms",
		},
		{
			"no script timings names the slowest phase",
			70 * time.Millisecond, nil,
			"Tick 1 took 70ms (budget 33.3ms); slowest: scripts 70ms",
		},
		{
			"exactly three budgets is still a warning",
			3 * (time.Second / 30), nil,
			"WARN  Server Tick too high! Verify the server performance! Tick 1 took 100ms (budget 33.3ms)",
		},
		{
			"over three budgets is an error",
			120 * time.Millisecond,
			map[[2]string]time.Duration{{"p", "Tick"}: 110 * time.Millisecond},
			"ERROR Server Tick extreme high! Verify the server performance! Tick 1 took 120ms (budget 33.3ms); slowest: package 'p' event 'Tick' 110ms",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, nil)
			if err := ts.Start(); err != nil {
				t.Fatal(err)
			}
			ts.host.onTick = func(time.Duration) {
				for k, d := range tc.timings {
					// Two halves, to check RecordTiming adds up.
					ts.host.srv.RecordTiming(k[0], k[1], d/2)
					ts.host.srv.RecordTiming(k[0], k[1], d-d/2)
				}
				ts.clock.Advance(tc.took)
			}
			ts.out.Reset()
			ts.Step()
			got := ts.out.String()
			if tc.want == "" {
				if strings.Contains(got, "Server Tick") {
					t.Errorf("unexpected tick line:\n%s", got)
				}
				return
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("output:\n%s\nwant a line containing %q", got, tc.want)
			}
		})
	}
}

func TestTimingsResetEachTick(t *testing.T) {
	ts := newTestServer(t, nil)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	ts.host.onTick = func(time.Duration) {
		ts.host.srv.RecordTiming("old", "Tick", 40*time.Millisecond)
		ts.clock.Advance(40 * time.Millisecond)
	}
	ts.Step()
	// Past the report interval, so the second slow tick gets its own line.
	ts.clock.Advance(SlowTickReportInterval)
	ts.host.onTick = func(time.Duration) {
		ts.host.srv.RecordTiming("new", "Tick", 39*time.Millisecond)
		ts.clock.Advance(40 * time.Millisecond)
	}
	ts.out.Reset()
	ts.Step()
	if got := ts.out.String(); !strings.Contains(got, "slowest: package 'new'") {
		t.Errorf("second tick's report:\n%s\nwant package 'new' only (timings of tick 1 dropped)", got)
	}
}

func TestTickTooHighIsRateLimited(t *testing.T) {
	ts := newTestServer(t, nil)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	took := 50 * time.Millisecond
	ts.host.onTick = func(time.Duration) { ts.clock.Advance(took) }
	ts.out.Reset()
	// 45 slow ticks of 50ms: 2.25s of slow ticks.
	for range 45 {
		ts.Step()
	}
	got := ts.out.String()
	lines := strings.Split(strings.TrimSpace(got), "\n")
	want := []string{
		"WARN  Server Tick too high! Verify the server performance! Tick 1 took 50ms (budget 33.3ms); slowest: scripts 50ms",
		// Tick 21 ends 1s after tick 1: ticks 2 to 20 were held back.
		"WARN  Server Tick too high! Verify the server performance! Tick 21 took 50ms (budget 33.3ms); slowest: scripts 50ms; 19 more slow ticks since the last report, the longest 50ms",
		"WARN  Server Tick too high! Verify the server performance! Tick 41 took 50ms (budget 33.3ms); slowest: scripts 50ms; 19 more slow ticks since the last report, the longest 50ms",
	}
	if len(lines) != len(want) {
		t.Fatalf("45 slow ticks in 2.25s wrote %d lines, want %d (one a second):\n%s", len(lines), len(want), got)
	}
	for i := range want {
		if !strings.HasSuffix(lines[i], want[i]) {
			t.Errorf("line %d = %q\nwant it to end with %q", i+1, lines[i], want[i])
		}
	}
	// Ticks 42 to 45 are pending. One of them extreme makes the summary an error.
	took = 150 * time.Millisecond
	ts.Step() // tick 46, extreme, still held back (less than a second since tick 41)
	took = time.Millisecond
	ts.out.Reset()
	ts.Step() // within budget, before the interval: nothing yet
	if got := ts.out.String(); got != "" {
		t.Errorf("a fast tick inside the interval wrote:\n%s", got)
	}
	ts.clock.Advance(SlowTickReportInterval)
	ts.Step() // within budget, after the interval: the summary
	got = ts.out.String()
	wantSummary := "ERROR Server Tick extreme high! Verify the server performance! 5 more slow ticks since the last report (budget 33.3ms), the longest 150ms"
	if !strings.Contains(got, wantSummary) {
		t.Errorf("summary after the interval:\n%s\nwant %q", got, wantSummary)
	}
	ts.out.Reset()
	ts.Step()
	if got := ts.out.String(); got != "" {
		t.Errorf("the summary was written twice:\n%s", got)
	}
}

func TestSlowTicksReportedAtShutdown(t *testing.T) {
	ts := newTestServer(t, nil)
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	ts.host.onTick = func(time.Duration) { ts.clock.Advance(40 * time.Millisecond) }
	ts.Step()
	ts.Step()
	ts.out.Reset()
	if err := ts.Shutdown(); err != nil {
		t.Fatal(err)
	}
	if got := ts.out.String(); !strings.Contains(got, "1 more slow tick since the last report (budget 33.3ms), the longest 40ms") {
		t.Errorf("a slow tick held back was lost at shutdown:\n%s", got)
	}
}

func TestProfilingLines(t *testing.T) {
	ts := newTestServer(t, []string{"--profiling"})
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	ts.host.onTick = func(time.Duration) {
		ts.host.srv.RecordTiming("p", "Tick", 3*time.Millisecond)
		ts.clock.Advance(4 * time.Millisecond)
	}
	ts.out.Reset()
	ts.Step()
	got := ts.out.String()
	for _, want := range []string{"PROFIL Tick 1 took 4ms: network 0ms, console 0ms, scripts 4ms, package changes 0ms", "PROFIL   package 'p' event 'Tick' 3ms"} {
		if !strings.Contains(got, want) {
			t.Errorf("output:\n%s\nwant %q", got, want)
		}
	}
	calls, out := ts.exec("profiling 0")
	_ = calls
	ts.out.Reset()
	ts.Step()
	if strings.Contains(ts.out.String(), "PROFIL") || !strings.Contains(out, "Profiling disabled") {
		t.Errorf("profiling still on after 'profiling 0':\n%s%s", out, ts.out.String())
	}
}

func TestTickRateFromConfig(t *testing.T) {
	ts := newTestServer(t, []string{"--max_tick_rate", "60"})
	if got := ts.Budget(); got != time.Second/60 {
		t.Errorf("Budget() = %v at 60 Hz", got)
	}
	if err := ts.Start(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ts.out.String(), "Server started! Port 7777, tick rate 60 Hz.") {
		t.Errorf("ready line:\n%s", ts.out.String())
	}
}

func TestMs(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0ms", 33333333: "33.3ms", 50 * time.Millisecond: "50ms", 1500 * time.Microsecond: "1.5ms",
		99999999: "100ms", 1960 * time.Microsecond: "2ms", 1940 * time.Microsecond: "1.9ms",
	} {
		if got := ms(d); got != want {
			t.Errorf("ms(%v) = %q, want %q", d, got, want)
		}
	}
}

// BenchmarkStep measures one tick of an idle server (no script time), the loop's own overhead.
func BenchmarkStep(b *testing.B) {
	dir := b.TempDir()
	srv, err := New(Options{Dir: dir, Output: discard{}, NoLogFile: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		srv.Step()
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkSlowStep measures one tick of a server that cannot keep up (every tick over budget):
// the rate-limited report keeps it close to BenchmarkStep instead of formatting and writing a
// log line per tick.
func BenchmarkSlowStep(b *testing.B) {
	clock := newFakeClock()
	host := &fakeHost{onTick: func(time.Duration) { clock.Advance(50 * time.Millisecond) }}
	srv, err := New(Options{Dir: b.TempDir(), Output: discard{}, NoLogFile: true, Clock: clock,
		NewHost: func(scripthost.Server, *slog.Logger) (scripthost.Host, error) { return host, nil }})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		host.calls = host.calls[:0]
		srv.Step()
	}
}
