package lib

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/lua"
)

// fakeHost is a Host for tests: posted functions wait in a Queue that the
// test drains, as the tick goroutine would.
type fakeHost struct {
	dir   string
	q     Queue
	logs  *syncBuffer
	log   *slog.Logger
	packs []AssetPack

	mu         sync.Mutex
	deprecated []string
}

func (h *fakeHost) ServerDir() string                { return h.dir }
func (h *fakeHost) Post(fn func(s *lua.State) error) { h.q.Post(fn) }
func (h *fakeHost) Logger() *slog.Logger             { return h.log }
func (h *fakeHost) AssetPacks() []AssetPack          { return h.packs }
func (h *fakeHost) Deprecated(_ *lua.State, what string) {
	h.mu.Lock()
	h.deprecated = append(h.deprecated, what)
	h.mu.Unlock()
}

// testEnv is a Lua state with the libraries and a small assertion kit:
// eq(got, want, msg), near(got, want, msg) and fails(fn, substring).
type testEnv struct {
	t    *testing.T
	L    *lua.State
	libs *Libs
	host *fakeHost
}

const assertKit = `
function eq(got, want, msg)
	if got ~= want then
		error(string.format("%s: got %s (%s), want %s (%s)", msg or "eq", tostring(got), math.type(got) or type(got), tostring(want), math.type(want) or type(want)), 2)
	end
end
function near(got, want, msg, tol)
	tol = tol or 1e-6
	if type(got) ~= "number" or math.abs(got - want) > tol then
		error(string.format("%s: got %s, want %s", msg or "near", tostring(got), tostring(want)), 2)
	end
end
function fails(fn, sub)
	local ok, err = pcall(fn)
	if ok then error("expected an error containing " .. sub, 2) end
	if not string.find(tostring(err), sub, 1, true) then
		error("error " .. tostring(err) .. " does not contain " .. sub, 2)
	end
	return err
end
`

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	L, err := lua.New(lua.Options{Budget: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	h := &fakeHost{dir: t.TempDir(), logs: logs, log: slog.New(slog.NewTextHandler(logs, nil))}
	libs, err := Register(L, h)
	if err != nil {
		L.Close()
		t.Fatal(err)
	}
	if err := L.DoString(assertKit, "=assertkit"); err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, L: L, libs: libs, host: h}
	t.Cleanup(func() {
		libs.Close()
		L.Close()
	})
	return e
}

// run executes Lua code and fails the test with the Lua error.
func (e *testEnv) run(code string) {
	e.t.Helper()
	if err := e.L.DoString(code, "=test"); err != nil {
		e.t.Fatalf("Lua error: %v", err)
	}
}

// settle waits for asynchronous work and runs the posted callbacks, until
// nothing is left (a callback may start more work).
func (e *testEnv) settle() {
	e.t.Helper()
	for i := 0; i < 100; i++ {
		e.libs.Wait()
		if e.host.q.Len() == 0 {
			return
		}
		e.host.q.Drain(e.L, func(err error) { e.t.Fatalf("callback error: %v", err) })
	}
	e.t.Fatal("asynchronous work did not settle after 100 rounds")
}

func (e *testEnv) logged(sub string) bool {
	return strings.Contains(e.host.logs.String(), sub)
}

// syncBuffer is a log sink that worker goroutines and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
