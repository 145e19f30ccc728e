package lua

import (
	"testing"
)

// newState returns a state closed at the end of the test.
func newState(t testing.TB, opts Options) *State {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New(%+v): %v", opts, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// run runs code and returns its results converted with ToAny, failing the test on error.
func run(t testing.TB, s *State, code string) []any {
	t.Helper()
	top := s.Top()
	if err := s.DoStringResults(code, "test.lua", MultRet); err != nil {
		t.Fatalf("running %q: %v", code, err)
	}
	var out []any
	for i := top + 1; i <= s.Top(); i++ {
		v, err := s.ToAny(i)
		if err != nil {
			t.Fatalf("converting result %d of %q: %v", i-top, code, err)
		}
		out = append(out, v)
	}
	s.SetTop(top)
	return out
}
