package script

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nanoforge/nanoforge/internal/lua"
	"github.com/nanoforge/nanoforge/internal/script/lib"
)

// libHost is what the libraries of one Lua state see of the host. Each state gets its own, so
// callbacks posted by work started before a Reset are dropped with the old state.
type libHost struct {
	h *Host

	mu      sync.Mutex
	queue   []func(*lua.State) error
	closed  bool
	seenDep map[string]bool
}

var (
	_ lib.Host         = (*libHost)(nil)
	_ lib.CompatHost   = (*libHost)(nil)
	_ lib.BlockingHost = (*libHost)(nil)
	_ lib.OwnerHost    = (*libHost)(nil)
)

// AsyncOwner is the owner token of the package whose code starts asynchronous work on s
// (lib.OwnerHost): the runtime hands each loaded package a new token at every load, reload
// and hot reload. Work started with no package code on the stack has no owner (nil).
func (l *libHost) AsyncOwner(s *lua.State) any {
	if l.h.rt.runningOwner == 0 {
		return nil
	}
	if err := s.CallRefBudget(l.h.rt.runningOwner, 0, 1, 0); err != nil {
		return nil
	}
	uid, _ := s.ToInteger(-1)
	s.Pop(1)
	if uid == 0 {
		return nil
	}
	return uid
}

// OwnerAlive reports whether the package that started the work still runs the code that
// started it; callbacks of an unloaded or reloaded package are dropped. Ownerless work (nil)
// always delivers.
func (l *libHost) OwnerAlive(s *lua.State, owner any) bool {
	uid, ok := owner.(int64)
	if !ok {
		return true
	}
	s.PushInteger(uid)
	if err := s.CallRefBudget(l.h.rt.ownerAlive, 1, 1, 0); err != nil {
		return false
	}
	alive := s.ToBoolean(-1)
	s.Pop(1)
	return alive
}

// Blocking runs the wait of a synchronous library call (HTTP.Request, Database:Select) outside
// the calling script's time budget: waiting on the network is not a runaway script.
func (l *libHost) Blocking(s *lua.State, fn func()) { s.Unbudgeted(fn) }

func (l *libHost) ServerDir() string    { return l.h.serverDir }
func (l *libHost) Logger() *slog.Logger { return l.h.log }
func (l *libHost) AssetPacks() []lib.AssetPack {
	if l.h.opts.AssetPacks == nil {
		return nil
	}
	return l.h.opts.AssetPacks()
}

// Post queues fn for the next tick; it is called from worker goroutines.
func (l *libHost) Post(fn func(*lua.State) error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.queue = append(l.queue, fn)
}

// CompatibilityVersion is the compatibility_version of the package whose code is running on
// s (lib.CompatHost), found by the runtime from the chunk names on the stack.
func (l *libHost) CompatibilityVersion(s *lua.State) string {
	if err := s.CallRefBudget(l.h.rt.runningCompat, 0, 1, 0); err != nil {
		return ""
	}
	v, _ := s.ToString(-1)
	s.Pop(1)
	return v
}

// Deprecated logs a legacy library name once per package and name, with the package and the
// file:line that made the call (found by the runtime on s).
func (l *libHost) Deprecated(s *lua.State, what string) {
	if l.h.rt.deprecatedLib != 0 {
		s.PushString(what)
		if err := s.CallRefBudget(l.h.rt.deprecatedLib, 1, 0, 0); err == nil {
			return
		}
	}
	// Before the runtime runs (or if it failed): once per state, without a location.
	l.mu.Lock()
	seen := l.seenDep[what]
	l.seenDep[what] = true
	l.mu.Unlock()
	if !seen {
		l.h.log.Warn(what + " is deprecated")
	}
}

// take returns the queued callbacks and empties the queue.
func (l *libHost) take() []func(*lua.State) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.queue
	l.queue = nil
	return q
}

func (l *libHost) close() {
	l.mu.Lock()
	l.closed = true
	l.queue = nil
	l.mu.Unlock()
}

// openLibraries registers the structs, utility classes and I/O libraries in the new state.
func (h *Host) openLibraries() error {
	lh := &libHost{h: h, seenDep: map[string]bool{}}
	libs, err := lib.Register(h.L, lh)
	if err != nil {
		return err
	}
	h.libHost, h.libs = lh, libs
	return nil
}

// closeLibraries waits for the libraries' asynchronous work and drops its callbacks.
func (h *Host) closeLibraries() {
	if h.libs != nil {
		h.libs.Close()
		h.libs = nil
	}
	if h.libHost != nil {
		h.libHost.close()
		h.libHost = nil
	}
}

// runAsync runs the callbacks of finished asynchronous work (HTTP responses, query results,
// file reads). Each runs the Lua callback itself, under the host's budget.
func (h *Host) runAsync() {
	if h.libHost == nil {
		return
	}
	for _, fn := range h.libHost.take() {
		start := time.Now()
		err := fn(h.L)
		if err != nil {
			h.reportGo("", "Async", "Callback", err)
		}
		if d := time.Since(start); d > h.budget() && h.budget() > 0 {
			h.log.Warn(fmt.Sprintf("an asynchronous callback took %v, more than the %v budget", d.Round(time.Millisecond), h.budget()))
		}
	}
}

// WaitAsync blocks until the libraries' asynchronous work started so far has finished and
// posted its callbacks (they run at the next Tick). Tests use it instead of sleeping.
func (h *Host) WaitAsync() {
	if h.libs != nil {
		h.libs.Wait()
	}
}
