package lib

import (
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nanoforge/nanoforge/internal/lua"
)

// FuzzBindQuery: any query and parameter count either binds, with one
// argument per placeholder written, or reports a ParamError; never panics.
func FuzzBindQuery(f *testing.F) {
	for _, s := range []string{"SELECT :0", "SELECT ':1', :0 -- :9\n", "/* :0", "'unterminated :0", "x::int = :0", ":", ":99999999999999999999", "\"a\"\"b\" :1 `c` :0"} {
		f.Add(s, 2, false)
		f.Add(s, 0, true)
	}
	f.Fuzz(func(t *testing.T, query string, n int, pg bool) {
		if n < 0 || n > 16 {
			return
		}
		params := make([]any, n)
		for i := range params {
			params[i] = int64(i)
		}
		engine := EngineSQLite
		if pg {
			engine = EnginePostgreSQL
		}
		q, args, err := BindQuery(engine, query, params)
		if err != nil {
			if _, ok := err.(*ParamError); !ok {
				t.Fatalf("BindQuery(%q) error %T %v, want *ParamError", query, err, err)
			}
			return
		}
		if q == query {
			return // nothing rewritten: params pass through
		}
		if pg {
			for i := 1; i <= len(args); i++ {
				if !strings.Contains(q, "$"+strconv.Itoa(i)) {
					t.Fatalf("BindQuery(%q) = %q lacks $%d for %d args", query, q, i, len(args))
				}
			}
			return
		}
		placeholders := strings.Count(q, "?") - strings.Count(query, "?")
		if placeholders != len(args) {
			t.Fatalf("BindQuery(%q) = %q: %d new placeholders for %d args", query, q, placeholders, len(args))
		}
	})
}

// FuzzParseConnString must never panic and round-trips plain pairs.
func FuzzParseConnString(f *testing.F) {
	for _, s := range []string{"db=a.db timeout=2", "password='a b\\'c'", "=", "a", "a='", "host=1 ;port=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseConnString(s)
		if err == nil {
			for k := range m {
				if k == "" {
					t.Fatalf("ParseConnString(%q) produced an empty key", s)
				}
			}
		}
	})
}

// FuzzConfinePath: whatever a script passes, the result is inside the
// server folder or an error.
func FuzzConfinePath(f *testing.F) {
	for _, s := range []string{"a", "../a", "a/../../b", "/etc", "C:\\x", "a\\..\\..\\b", ".", "", "a/./b/../c", "..\\.."} {
		f.Add(s)
	}
	root := f.TempDir()
	realRoot, _ := filepath.EvalSymlinks(root)
	f.Fuzz(func(t *testing.T, p string) {
		got, err := ConfinePath(root, p)
		if err != nil {
			return
		}
		if !within(realRoot, got) {
			t.Fatalf("ConfinePath(%q) = %q, outside %q", p, got, realRoot)
		}
	})
}

// FuzzLuaConversion sends parsed JSON through Lua and back: pushValue and
// toValue must never panic or fail on anything JSON can describe, and the
// result must encode to JSON that parses again.
func FuzzLuaConversion(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}],"c":"d"}`, `[1,null,3]`, `{"1":"x","2":"y"}`, `{}`, `[[],{}]`, `"\u00e9"`, `-0.0`, `{"":1}`} {
		f.Add(s)
	}
	L, err := lua.New(lua.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer L.Close()
	var mu sync.Mutex
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseJSON(s)
		if err != nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		top := L.Top()
		pushValue(L, v)
		back, err := toValue(L, -1, "fuzz")
		L.SetTop(top)
		if err != nil {
			t.Fatalf("toValue of %q: %v", s, err)
		}
		out, err := EncodeJSON(back)
		if err != nil {
			return // an infinity from 1e999
		}
		if _, err := ParseJSON(out); err != nil {
			t.Fatalf("re-encoding of %q is not JSON: %q: %v", s, out, err)
		}
	})
}
