package lua

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestStateLifecycle(t *testing.T) {
	s := newState(t, Options{})
	if !s.IsMain() || s.Main() != s {
		t.Fatal("main state")
	}
	var inner *State
	var closeErr error
	s.Register("grab", func(c *State) (int, error) {
		inner = c
		closeErr = s.Close()
		return 0, nil
	})
	run(t, s, "coroutine.wrap(function() grab() end)()")
	if inner == nil || inner.IsMain() || inner.Main() != s {
		t.Fatal("coroutine state")
	}
	if closeErr == nil || !strings.Contains(closeErr.Error(), "inside a call") {
		t.Fatalf("Close inside a call = %v", closeErr)
	}
	if err := inner.Close(); err == nil {
		t.Fatal("Close on a coroutine's State succeeded")
	}
	if s.Closed() {
		t.Fatal("state closed by a refused Close")
	}
	if s.MemoryPeak() < s.MemoryUsed() {
		t.Fatal("peak below current use")
	}
}

func TestCallOnClosedStatePanics(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "closed") {
			t.Fatalf("recover = %v", r)
		}
	}()
	s.Call(0, 0)
}

func TestPanicGoesToLogger(t *testing.T) {
	var buf bytes.Buffer
	s := newState(t, Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	s.Register("bad", func(s *State) (int, error) { panic("kaboom") })
	err := s.DoString("bad()", "x.lua")
	if err == nil || !strings.Contains(err.Error(), "kaboom") {
		t.Fatalf("error %v", err)
	}
	if !strings.Contains(buf.String(), "kaboom") || !strings.Contains(buf.String(), "state_test.go") {
		t.Fatalf("log %q lacks the panic and its stack", buf.String())
	}
	buf.Reset()
	run(t, s, "warn('@on') warn('careful')")
	if !strings.Contains(buf.String(), "careful") {
		t.Fatalf("warning not logged: %q", buf.String())
	}
}

// The collector starts in generational mode, as in lua5.4, unless the host asks for
// incremental mode; collectgarbage reports the mode it switches away from.
func TestCollectorMode(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{}, "generational"},
		{Options{IncrementalGC: true}, "incremental"},
	} {
		s := newState(t, tc.opts)
		if err := s.DoStringResults(`return collectgarbage("incremental")`, "mode", 1); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ToString(-1); got != tc.want {
			t.Errorf("IncrementalGC %v: mode %q, want %q", tc.opts.IncrementalGC, got, tc.want)
		}
	}
}
