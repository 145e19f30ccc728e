package lib

import (
	"errors"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/internal/lua"
)

func TestQueue(t *testing.T) {
	L, err := lua.New(lua.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer L.Close()
	var q Queue
	var order []int
	q.Post(func(*lua.State) error { order = append(order, 1); return nil })
	q.Post(func(*lua.State) error { order = append(order, 2); return errors.New("second failed") })
	q.Post(func(s *lua.State) error {
		// Work posted while draining waits for the next Drain.
		q.Post(func(*lua.State) error { order = append(order, 4); return nil })
		order = append(order, 3)
		return nil
	})
	if q.Len() != 3 {
		t.Fatalf("Len = %d, want 3", q.Len())
	}
	var reported []error
	if n := q.Drain(L, func(err error) { reported = append(reported, err) }); n != 3 {
		t.Fatalf("Drain ran %d, want 3", n)
	}
	if len(order) != 3 || order[0] != 1 || order[2] != 3 || len(reported) != 1 || reported[0].Error() != "second failed" {
		t.Fatalf("order = %v, reported = %v", order, reported)
	}
	if q.Len() != 1 {
		t.Fatalf("Len after drain = %d, want the 1 posted while draining", q.Len())
	}
	q.Discard()
	if q.Drain(L, nil) != 0 || len(order) != 3 {
		t.Fatal("Discard did not drop the queued work")
	}
}

func TestAsyncCallbackErrorIsReported(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		local db = Database(0, ":memory:")
		db:SelectAsync("SELECT 1 AS one", function(rows) error("callback broke with " .. rows[1].one) end)
	`)
	e.libs.Wait()
	var got []error
	e.host.q.Drain(e.L, func(err error) { got = append(got, err) })
	var lerr *lua.Error
	if len(got) != 1 || !errors.As(got[0], &lerr) || !strings.Contains(lerr.Message, "callback broke with 1") || lerr.Line != 3 {
		t.Fatalf("reported = %v", got)
	}
	// The state is still usable and the callback's registry slot was freed.
	e.run(`eq(1 + 1, 2, "state usable")`)
}

func TestBenchmarkLogsThroughConsole(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		logged = {}
		Console = {Log = function(msg) logged[#logged + 1] = msg end}
		NanosUtils.Benchmark("loop", 3, function() end)
		eq(#logged, 1, "one log line")
		assert(logged[1]:find("Benchmark 'loop' %(x3%) took"), logged[1])
	`)
}
