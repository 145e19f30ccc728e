package lib

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/lua"
)

// ownerHost is a fakeHost that is also an OwnerHost: the owner of new work is the global
// Owner at the time the work starts; owners listed in dead are gone.
type ownerHost struct {
	*fakeHost
	mu     sync.Mutex
	dead   map[string]bool
	asked  int
	starts []string
}

func (h *ownerHost) AsyncOwner(s *lua.State) any {
	if _, err := s.GetGlobal("Owner"); err != nil {
		panic(err)
	}
	o, _ := s.ToString(-1)
	s.Pop(1)
	h.mu.Lock()
	h.starts = append(h.starts, o)
	h.mu.Unlock()
	return o
}

func (h *ownerHost) OwnerAlive(s *lua.State, owner any) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.asked++
	return !h.dead[owner.(string)]
}

// TestAsyncCallbacksOfAGoneOwnerAreDropped: HTTP, Database and File callbacks all go through
// the host's owner check; those of an owner that is gone by delivery time never run, the
// others do.
func TestAsyncCallbacksOfAGoneOwnerAreDropped(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "pong") }))
	defer web.Close()
	L, err := lua.New(lua.Options{Budget: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer L.Close()
	e := &testEnv{t: t, L: L}
	fh := newTestEnv(t).host // a ready fakeHost (its own state is unused)
	h := &ownerHost{fakeHost: fh, dead: map[string]bool{}}
	libs, err := Register(L, h)
	if err != nil {
		t.Fatal(err)
	}
	defer libs.Close()
	e.libs, e.host = libs, fh
	e.run(assertKit)
	e.run(fmt.Sprintf(`
		Got = {}
		local f = File("owner.txt", true) f:Write("data") f:Close()
		db = Database("sqlite", "db=owner.db", 1)
		for _, who in ipairs({"old", "new"}) do
			Owner = who
			HTTP.RequestAsync(%q, "/", "GET", "", "text/plain", false, {}, function(status, data) Got[who .. " http"] = data end)
			db:SelectAsync("SELECT 7 AS n", function(rows) Got[who .. " select"] = rows[1].n end)
			db:ExecuteAsync("CREATE TABLE IF NOT EXISTS t_`+"`"+`who`+"`"+` (x INTEGER)", function(n, err) Got[who .. " execute"] = err or "ok" end)
			File("owner.txt"):ReadAsync(0, function(s) Got[who .. " read"] = s end)
			File("owner.txt"):ReadJSONAsync(function(v) Got[who .. " json"] = "ran" end)
		end
	`, web.URL))
	h.mu.Lock()
	h.dead["old"] = true
	h.mu.Unlock()
	e.settle()
	e.run(`
		for _, what in ipairs({"http", "select", "execute", "read", "json"}) do
			eq(Got["old " .. what], nil, "callback of the gone owner (" .. what .. ")")
			assert(Got["new " .. what] ~= nil, "callback of the live owner did not run (" .. what .. ")")
		end
		eq(Got["new http"], "pong", "http data") eq(Got["new select"], 7, "select row") eq(Got["new read"], "data", "read data")
	`)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.starts) != 10 || h.asked != 10 {
		t.Errorf("owner asked at %d starts and %d deliveries, want 10 and 10", len(h.starts), h.asked)
	}
}
