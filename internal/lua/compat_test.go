package lua

import (
	"os"
	"path/filepath"
	"testing"
)

// Lua 5.4 behaviour that nanos world packages rely on, checked through the binding. Each
// script asserts its own expectations and returns true.
func TestLua54Features(t *testing.T) {
	cases := map[string]string{
		"const": `
			local limit <const> = 10
			local ok = load("local x <const> = 1; x = 2")
			assert(ok == nil, "assigning a const must not compile")
			return limit == 10`,
		"close": `
			local log = {}
			local function closer(name) return setmetatable({}, {__close = function(_, err) log[#log+1] = name .. ":" .. tostring(err) end}) end
			do
				local a <close> = closer("a")
				local b <close> = closer("b")
			end
			local ok = pcall(function() local c <close> = closer("c") error("E", 0) end)
			assert(not ok)
			assert(table.concat(log, ",") == "b:nil,a:nil,c:E", table.concat(log, ","))
			return true`,
		"integer division and floats": `
			assert(7 // 2 == 3 and math.type(7 // 2) == "integer")
			assert(7.0 // 2 == 3.0 and math.type(7.0 // 2) == "float")
			assert(-7 // 2 == -4 and 7 % -3 == -2)
			assert(tostring(3.0) == "3.0" and tostring(10 / 2) == "5.0" and tostring(2^53) == "9.007199254741e+15")
			assert(tostring(-0.0) == "-0.0" and tostring(1e100) == "1e+100")
			assert(math.maxinteger + 1 == math.mininteger, "integer wraparound")
			assert(2^53 + 1 == 2^53 and (1 << 53) + 1 == 9007199254740993)
			assert(string.format("%d", 3.0) == "3" and not pcall(string.format, "%d", 3.5))
			assert(math.tointeger(3.0) == 3 and math.tointeger(3.5) == nil and math.ult(1, -1))
			assert(tostring(1e15) == "1e+15" and tostring(123456789012) == "123456789012")
			return true`,
		"bitwise": `
			assert(5 & 3 == 1 and 5 | 3 == 7 and 5 ~ 3 == 6 and ~0 == -1)
			assert(1 << 62 == 4611686018427387904 and 1 << 64 == 0 and -1 >> 63 == 1)
			assert(not pcall(function() return 1.5 & 1 end))
			assert("3" + 0 == 3 and not pcall(function() return "3" | 0 end))
			return true`,
		"goto": `
			local n = 0
			for i = 1, 3 do
				for j = 1, 3 do
					if j == 2 then goto continue end
					n = n + 1
					::continue::
				end
			end
			do goto skip; n = 100; ::skip:: end
			return n == 6`,
		"string.pack": `
			local p = string.pack("<i4 d s1 z", -2, 1.5, "ab", "cd")
			assert(#p == 4 + 8 + 3 + 3)
			local a, b, c, d, nxt = string.unpack("<i4 d s1 z", p)
			assert(a == -2 and b == 1.5 and c == "ab" and d == "cd" and nxt == #p + 1)
			assert(string.packsize("i8 h") == 10)
			return true`,
		"utf8": `
			local s = "héllo wörld ✓"
			assert(utf8.len(s) == 13 and #s == 17)
			assert(utf8.char(72, 233, 10003) == "Hé✓")
			local cps = {}
			for _, c in utf8.codes("aé✓") do cps[#cps+1] = c end
			assert(table.concat(cps, ",") == "97,233,10003")
			assert(utf8.codepoint(s, utf8.offset(s, 2)) == 233)
			assert(utf8.len("\xff") == nil)
			return true`,
		"coroutines": `
			local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
			local _, x = coroutine.resume(co, 1)
			local _, y = coroutine.resume(co, 10)
			assert(x == 2 and y == 20 and coroutine.status(co) == "dead")
			local pending = coroutine.create(function() local t <close> = setmetatable({}, {__close = function() CLOSED = true end}) coroutine.yield() end)
			coroutine.resume(pending)
			assert(coroutine.close(pending) and CLOSED and coroutine.status(pending) == "dead")
			local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
			assert(gen() + gen() + gen() == 6)
			assert(coroutine.isyieldable() == false and coroutine.running())
			local ok, err = coroutine.resume(coroutine.create(function() error("in co") end))
			assert(not ok and err:find("in co"))
			local w = coroutine.wrap(function() error({code = 7}) end)
			local ok2, e2 = pcall(w)
			assert(not ok2 and e2.code == 7)
			return true`,
		"misc": `
			assert(table.unpack({1, 2, 3}, 2) == 2 and select("#", table.unpack({1, nil, 3}, 1, 3)) == 3)
			assert(table.concat(table.move({1, 2, 3}, 1, 3, 2, {}), ",", 2, 4) == "1,2,3")
			assert(math.type(1) == "integer" and math.type(1.0) == "float" and math.type("1") == nil)
			local env = {x = 5}
			local f = load("return x", "chunk", "t", env)
			assert(f() == 5)
			local function sandboxed() local _ENV = {y = 7}; return y end
			assert(sandboxed() == 7)
			warn("@off")
			assert(("%5.1f|%-3s|%q"):format(3.14159, "a", "q\n") == "  3.1|a  |\"q\\\n\"")
			assert(next({}) == nil and rawlen({1, 2}) == 2 and rawequal("a", "a"))
			assert(("ab"):rep(3, ",") == "ab,ab,ab" and (""):rep(1e9) == "" and ("x"):rep(0) == "" and ("x"):rep(-1) == "")
			assert(("x"):rep(1, "sep") == "x" and (""):rep(3, "-") == "--" and ("x"):rep(2, "") == "xx")
			assert(not pcall(string.rep, "x", "y") and not pcall(string.rep))
			return true`,
	}
	s := newState(t, Options{})
	for name, code := range cases {
		t.Run(name, func(t *testing.T) {
			got := run(t, s, code)
			if len(got) != 1 || got[0] != true {
				t.Fatalf("returned %v", got)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	var got []string
	s := newState(t, Options{OnWarn: func(msg string) { got = append(got, msg) }})
	run(t, s, `warn("@on") warn("one ", "two") warn("three")
		setmetatable({}, {__gc = function() error("finalizer failed") end}) collectgarbage()`)
	if len(got) < 3 || got[0] != "one two" || got[1] != "three" {
		t.Fatalf("warnings %q", got)
	}
	found := false
	for _, w := range got {
		if w != "" && contains(w, "finalizer failed") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no warning for the failing finalizer: %q", got)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// referenceCompat is where the engine comparison's Lua 5.4 checks live on the build machine:
// reference material read at test time, never copied into the repository.
const referenceCompat = "/work/shared/research/luabench/compat"

// TestReferenceCompatScripts runs each reference check (a chunk returning true) through the
// binding in the sandboxed configuration, when the material is present.
func TestReferenceCompatScripts(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(referenceCompat, "*.lua"))
	if len(files) == 0 {
		t.Skipf("no reference checks in %s (reference material of the build machine)", referenceCompat)
	}
	s := newState(t, Options{})
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			top := s.Top()
			if err := s.LoadBuffer(mustRead(t, path), filepath.Base(path)); err != nil {
				t.Fatal(err)
			}
			if err := s.Call(0, 1); err != nil {
				t.Fatal(err)
			}
			if !s.ToBoolean(-1) || s.Type(-1) != TypeBoolean {
				str, _ := s.Stringify(-1)
				t.Fatalf("returned %s, want true", str)
			}
			s.SetTop(top)
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
