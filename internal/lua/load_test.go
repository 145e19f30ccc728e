package lua

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadErrors(t *testing.T) {
	s := newState(t, Options{})
	cases := []struct {
		name, code, chunk string
		kind              ErrorKind
		wantMsg           string
		wantChunk         string
		wantLine          int
	}{
		{"syntax", "local x = \n\n = 1", "my-package/Server/Index.lua", SyntaxError,
			"my-package/Server/Index.lua:3: unexpected symbol near '='", "my-package/Server/Index.lua", 3},
		{"runtime", "\nerror('boom')", "my-package/Shared/Index.lua", RuntimeError,
			"my-package/Shared/Index.lua:2: boom", "my-package/Shared/Index.lua", 2},
		{"string chunk kept", "error('x')", "=console", RuntimeError, "console:1: x", "console", 1},
		{"const assignment", "local x <const> = 1; x = 2", "c.lua", SyntaxError,
			"c.lua:1: attempt to assign to const variable 'x'", "c.lua", 1},
		{"no position", "error('plain', 0)", "p.lua", RuntimeError, "plain", "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.DoString(c.code, c.chunk)
			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("error %T %v", err, err)
			}
			if le.Kind != c.kind || le.Message != c.wantMsg || le.Chunk != c.wantChunk || le.Line != c.wantLine {
				t.Fatalf("got kind %v msg %q chunk %q line %d", le.Kind, le.Message, le.Chunk, le.Line)
			}
			if c.kind == RuntimeError && !strings.HasPrefix(le.Traceback, "stack traceback:") {
				t.Fatalf("traceback %q", le.Traceback)
			}
			if s.Top() != 0 {
				t.Fatalf("top %d", s.Top())
			}
		})
	}
}

func TestSplitPosition(t *testing.T) {
	cases := []struct {
		msg   string
		chunk string
		line  int
	}{
		{"a.lua:12: x", "a.lua", 12},
		{"my-package/Server/Index.lua:3: attempt to call a nil value", "my-package/Server/Index.lua", 3},
		{"[string \"x\"]:1: y", "[string \"x\"]", 1},
		{"C:/dir/f.lua:7: z", "C:/dir/f.lua", 7},
		{"no position here", "", 0},
		{":5: empty chunk", "", 0},
		{"x.lua:: no line", "", 0},
		{"x.lua:12 no colon", "", 0},
		{"first line\nsecond.lua:3: later", "", 0},
		{"", "", 0},
	}
	for _, c := range cases {
		chunk, line := splitPosition(c.msg)
		if chunk != c.chunk || line != c.line {
			t.Errorf("splitPosition(%q) = %q, %d; want %q, %d", c.msg, chunk, line, c.chunk, c.line)
		}
	}
}

func TestBytecodeRejected(t *testing.T) {
	s := newState(t, Options{Unsafe: true})
	if got := run(t, s, "return string.dump"); got[0] != nil {
		t.Fatal("string.dump is available")
	}
	// A binary chunk starts with ESC "Lua".
	bin := "\x1bLua\x54\x00\x19\x93\r\n\x1a\n\x04\x08\x08xV\x00\x00\x00"
	err := s.LoadString(bin, "bin.lua")
	if err == nil || !strings.Contains(err.Error(), "attempt to load a binary chunk (mode is 't')") {
		t.Fatalf("LoadString(binary) = %v", err)
	}
	if err := s.LoadBuffer([]byte(bin), "bin.lua"); err == nil {
		t.Fatal("LoadBuffer(binary) succeeded")
	}
	s.PushString(bin)
	s.SetGlobal("BIN")
	for _, code := range []string{
		"return load(BIN)",
		"return load(BIN, 'x', 'b')",
		"return load(BIN, 'x', 'bt', {})",
		"return load(function() local c = BIN; BIN = nil; return c end)",
	} {
		got := run(t, s, code)
		if got[0] != nil || !strings.Contains(got[1].(string), "binary chunk") {
			t.Errorf("%s = %v", code, got)
		}
		s.PushString(bin) // the reader case consumed it
		s.SetGlobal("BIN")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "bin.luac")
	os.WriteFile(path, []byte(bin), 0o600)
	s.PushString(path)
	s.SetGlobal("PATH")
	if got := run(t, s, "return loadfile(PATH)"); got[0] != nil || !strings.Contains(got[1].(string), "binary chunk") {
		t.Errorf("loadfile(binary) = %v", got)
	}
	if err := s.DoString("dofile(PATH)", "d.lua"); err == nil || !strings.Contains(err.Error(), "binary chunk") {
		t.Errorf("dofile(binary) = %v", err)
	}
	// Text still loads through every path.
	src := filepath.Join(dir, "ok.lua")
	os.WriteFile(src, []byte("return 7, ..."), 0o600)
	s.PushString(src)
	s.SetGlobal("SRC")
	if got := run(t, s, "return load('return 1')(), loadfile(SRC)(), dofile(SRC), load('return x', 'n', 't', {x = 5})()"); len(got) != 4 || got[0] != int64(1) || got[1] != int64(7) || got[2] != int64(7) || got[3] != int64(5) {
		t.Errorf("text loading: %v", got)
	}
	if got := run(t, s, "local f = load('return x', 'n', 't', nil) return pcall(f)"); got[0] != false {
		t.Errorf("load with an explicit nil env should give a nil _ENV: %v", got)
	}
}

func TestDoFile(t *testing.T) {
	s := newState(t, Options{})
	dir := t.TempDir()
	path := filepath.Join(dir, "Index.lua")
	os.WriteFile(path, []byte("Loaded = true\nerror('at line 2')"), 0o600)
	err := s.DoFile(path, "my-package/Server/Index.lua")
	var le *Error
	if !errors.As(err, &le) || le.Message != "my-package/Server/Index.lua:2: at line 2" {
		t.Fatalf("DoFile = %v", err)
	}
	if got := run(t, s, "return Loaded"); got[0] != true {
		t.Fatal("file did not run")
	}
	if err := s.DoFile(filepath.Join(dir, "missing.lua"), ""); err == nil || !strings.Contains(err.Error(), "missing.lua") {
		t.Fatalf("DoFile(missing) = %v", err)
	}
	os.WriteFile(path, []byte("return"), 0o600)
	if err := s.DoFile(path, ""); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte(""), 0o600)
	if err := s.DoFile(path, ""); err != nil {
		t.Fatalf("empty file: %v", err)
	}
}

func TestEnvironmentIsolation(t *testing.T) {
	s := newState(t, Options{})
	// Shared globals with an API function; each package gets an _ENV falling back to them.
	run(t, s, "Shared = 'api'")
	newEnv := func() int {
		s.NewTable()
		s.NewTable()
		s.PushGlobalTable()
		s.SetField(-2, "__index")
		s.SetMetatable(-2)
		return s.AbsIndex(-1)
	}
	envA := newEnv()
	envB := newEnv()
	if err := s.LoadStringEnv("Mine = 'a'; Seen = Shared; function Hello() return Mine end", "a/Server/Index.lua", envA); err != nil {
		t.Fatal(err)
	}
	if err := s.Call(0, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.LoadStringEnv("Mine = 'b'; return Mine, Hello, Seen, Shared", "b/Server/Index.lua", envB); err != nil {
		t.Fatal(err)
	}
	if err := s.Call(0, 4); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.ToString(-4); v != "b" || !s.IsNil(-3) || !s.IsNil(-2) {
		t.Fatalf("package b sees a's globals: %v %v %v", v, s.Type(-3), s.Type(-2))
	}
	if v, _ := s.ToString(-1); v != "api" {
		t.Fatalf("package b cannot see shared globals: %q", v)
	}
	s.Pop(4)
	if s.RawGetField(envA, "Mine") != TypeString || s.RawGetField(envA, "Seen") != TypeString {
		t.Fatal("a's globals not in a's env")
	}
	s.Pop(2)
	if got := run(t, s, "return Mine, Hello"); got[0] != nil || got[1] != nil {
		t.Fatalf("package globals leaked into the shared table: %v", got)
	}
	// SetEnv on an already loaded function.
	if err := s.LoadString("return Mine", "c.lua"); err != nil {
		t.Fatal(err)
	}
	s.PushValue(envA)
	if !s.SetEnv(-2) {
		t.Fatal("SetEnv")
	}
	if err := s.Call(0, 1); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.ToString(-1); v != "a" {
		t.Fatalf("SetEnv: Mine = %q", v)
	}
	s.Pop(1)
	// A function without upvalues has no _ENV to set.
	top := s.Top()
	run(t, s, "function NoUp() return 1 end")
	s.GetGlobal("NoUp")
	s.NewTable()
	if s.SetEnv(-2) {
		t.Fatal("SetEnv on a function without upvalues succeeded")
	}
	if s.Top() != top+1 {
		t.Fatalf("top %d", s.Top())
	}
}
