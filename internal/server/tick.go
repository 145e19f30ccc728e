package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/nanoforge/nanoforge/internal/logging"
)

// ExtremeFactor is how many tick budgets a tick may take before the too-high warning becomes
// an error ("extreme high"). The official server's threshold is undocumented (nanos-spec §14).
const ExtremeFactor = 3

// Tick phase names, as they appear in the tick-too-high and profiling lines.
const (
	PhaseNetwork  = "network"
	PhaseConsole  = "console"
	PhaseScripts  = "scripts"
	PhasePackages = "package changes"
)

type timingKey struct{ pkg, event string }

// SlowTickReportInterval is the least time between two tick-too-high lines: the slow ticks in
// between are counted and reported with the next line, so a server that cannot keep up writes
// one line a second instead of one a tick.
const SlowTickReportInterval = time.Second

// tickState holds the timing of the current tick.
type tickState struct {
	count   uint64
	last    time.Time
	timings map[timingKey]time.Duration
	phases  []phaseTime
	slow    slowTicks
}

// slowTicks are the over-budget ticks not reported yet.
type slowTicks struct {
	reported time.Time     // when the last tick-too-high line was written; zero: never
	count    int           // over-budget ticks since then, not reported
	longest  time.Duration // the longest of them
	extreme  bool          // one of them took more than ExtremeFactor budgets
}

type phaseTime struct {
	name string
	d    time.Duration
}

func (t *tickState) record(pkg, event string, d time.Duration) {
	if t.timings == nil {
		t.timings = map[timingKey]time.Duration{}
	}
	t.timings[timingKey{pkg, event}] += d
}

// Budget returns the time one tick may take at the configured max_tick_rate.
func (s *Server) Budget() time.Duration {
	rate := s.cfg.Optimization.MaxTickRate
	if rate <= 0 {
		rate = 30
	}
	return time.Second / time.Duration(rate)
}

// Ticks returns how many ticks have run.
func (s *Server) Ticks() uint64 { return s.tick.count }

// Step runs one tick, in the order of nanos-spec §8.3: queued network messages (none yet),
// console input, timers and async callbacks then Server "Tick" (both in Host.Tick), then
// package changes; a requested stop or restart is carried out at the end. It reports whether
// the server keeps running.
func (s *Server) Step() bool {
	if s.stopped {
		return false
	}
	start := s.clock.Now()
	delta := start.Sub(s.tick.last)
	if s.tick.count == 0 || delta < 0 {
		delta = s.Budget()
	}
	s.tick.last = start
	s.tick.count++
	clear(s.tick.timings)
	s.tick.phases = s.tick.phases[:0]

	s.phase(PhaseNetwork, func() {})
	s.phase(PhaseConsole, s.drainConsole)
	s.phase(PhaseScripts, func() { s.host.Tick(delta) })
	s.phase(PhasePackages, s.applyPending)

	s.checkTickTime(s.clock.Now().Sub(start))

	if s.restartReq && !s.stopReq {
		s.restartReq = false
		s.restart("Restarting server...", s.configSelection())
	}
	if s.stopReq {
		_ = s.Shutdown()
		return false
	}
	return true
}

func (s *Server) phase(name string, f func()) {
	start := s.clock.Now()
	f()
	s.tick.phases = append(s.tick.phases, phaseTime{name, s.clock.Now().Sub(start)})
}

// checkTickTime logs the tick-too-high line when a tick overran its budget, naming the slowest
// package event (or phase when no script time was recorded), and PROFIL lines when profiling.
// At most one tick-too-high line is written per SlowTickReportInterval; the slow ticks in
// between are counted into the next one, or into a summary once the interval has passed.
func (s *Server) checkTickTime(took time.Duration) {
	budget := s.Budget()
	if s.out.Profiling() {
		s.logProfile(took)
	}
	now := s.clock.Now()
	sl := &s.tick.slow
	due := sl.reported.IsZero() || now.Sub(sl.reported) >= SlowTickReportInterval
	if took <= budget {
		if sl.count > 0 && due {
			s.reportSlowTicks(now)
		}
		return
	}
	if !due {
		sl.count++
		sl.longest = max(sl.longest, took)
		sl.extreme = sl.extreme || took > ExtremeFactor*budget
		return
	}
	msg := fmt.Sprintf("Server Tick %s! Verify the server performance! Tick %d took %s (budget %s); slowest: %s",
		"too high", s.tick.count, ms(took), ms(budget), s.slowest())
	if sl.count > 0 {
		msg += fmt.Sprintf("; %d more slow %s since the last report, the longest %s", sl.count, plural(sl.count, "tick", "ticks"), ms(sl.longest))
	}
	extreme := took > ExtremeFactor*budget || sl.extreme
	*sl = slowTicks{reported: now}
	if extreme {
		msg = strings.Replace(msg, "too high", "extreme high", 1)
		s.log.Error(msg)
		return
	}
	s.log.Warn(msg)
}

// reportSlowTicks writes the summary of the slow ticks not reported yet, if any.
func (s *Server) reportSlowTicks(now time.Time) {
	sl := &s.tick.slow
	if sl.count == 0 {
		return
	}
	word := "too high"
	if sl.extreme {
		word = "extreme high"
	}
	msg := fmt.Sprintf("Server Tick %s! Verify the server performance! %d more slow %s since the last report (budget %s), the longest %s",
		word, sl.count, plural(sl.count, "tick", "ticks"), ms(s.Budget()), ms(sl.longest))
	extreme := sl.extreme
	*sl = slowTicks{reported: now}
	if extreme {
		s.log.Error(msg)
		return
	}
	s.log.Warn(msg)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// slowest names what took longest this tick.
func (s *Server) slowest() string {
	var best timingKey
	var bestD time.Duration = -1
	for k, d := range s.tick.timings {
		if d > bestD || d == bestD && (k.pkg < best.pkg || k.pkg == best.pkg && k.event < best.event) {
			best, bestD = k, d
		}
	}
	if bestD >= 0 {
		return fmt.Sprintf("package '%s' event '%s' %s", best.pkg, best.event, ms(bestD))
	}
	var p phaseTime
	p.d = -1
	for _, ph := range s.tick.phases {
		if ph.d > p.d {
			p = ph
		}
	}
	return fmt.Sprintf("%s %s", p.name, ms(p.d))
}

func (s *Server) logProfile(took time.Duration) {
	var parts []string
	for _, p := range s.tick.phases {
		parts = append(parts, fmt.Sprintf("%s %s", p.name, ms(p.d)))
	}
	s.log.Log(context.Background(), logging.LevelProfile,
		fmt.Sprintf("Tick %d took %s: %s", s.tick.count, ms(took), strings.Join(parts, ", ")))
	keys := make([]timingKey, 0, len(s.tick.timings))
	for k := range s.tick.timings {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return s.tick.timings[keys[i]] > s.tick.timings[keys[j]] ||
			s.tick.timings[keys[i]] == s.tick.timings[keys[j]] && (keys[i].pkg+keys[i].event) < (keys[j].pkg+keys[j].event)
	})
	for _, k := range keys {
		s.log.Log(context.Background(), logging.LevelProfile,
			fmt.Sprintf("  package '%s' event '%s' %s", k.pkg, k.event, ms(s.tick.timings[k])))
	}
}

// ms formats d in milliseconds with at most one decimal, as the tick line shows it.
func ms(d time.Duration) string {
	// Rounded first, so 99.99999ms (three 30 Hz budgets) reads 100ms, not 100.0ms.
	v := math.Round(float64(d)/float64(time.Millisecond)*10) / 10
	if v == float64(int64(v)) {
		return fmt.Sprintf("%dms", int64(v))
	}
	return fmt.Sprintf("%.1fms", v)
}

// Run ticks at max_tick_rate until the server stops (console `stop`, a script's Server.Stop)
// or ctx is done (SIGINT/SIGTERM), then shuts down. A tick that runs late is not made up: the
// next one starts right away and the schedule restarts from there.
func (s *Server) Run(ctx context.Context) error {
	if !s.started {
		if err := s.Start(); err != nil {
			return err
		}
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	next := time.Now()
	for {
		select {
		case <-ctx.Done():
			s.log.Info("Stop signal received")
			return s.Shutdown()
		case <-timer.C:
		}
		if !s.Step() {
			return nil
		}
		budget := s.Budget()
		next = next.Add(budget)
		now := time.Now()
		if next.Before(now) {
			next = now
		}
		timer.Reset(next.Sub(now))
	}
}

// Submit queues a console line for the next tick, as if typed at the console. It is safe to
// call from any goroutine.
func (s *Server) Submit(line string) {
	s.inMu.Lock()
	s.input = append(s.input, line)
	s.inMu.Unlock()
}

// ConsoleClosed is closed when the console reader reaches the end of its input.
func (s *Server) ConsoleClosed() <-chan struct{} { return s.consoleEOF }

func (s *Server) readConsole(r io.Reader) {
	defer close(s.consoleEOF)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		s.Submit(sc.Text())
	}
	if err := sc.Err(); err != nil {
		s.log.Warn(fmt.Sprintf("console input stopped: %v", err))
	}
}

func (s *Server) drainConsole() {
	s.inMu.Lock()
	lines := s.input
	s.input = nil
	s.inMu.Unlock()
	for _, line := range lines {
		s.Exec(line)
		if s.stopReq {
			// Lines after stop are dropped: the server is going down at the end of this tick.
			return
		}
	}
}
