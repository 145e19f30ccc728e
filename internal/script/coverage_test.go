package script

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/internal/script/internal/apilist"
)

// apiFunctions reads testdata/api-functions.txt, the server-side functions of the official
// API in scope of this host (regenerate it with go generate, see gen.go).
func apiFunctions(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "api-functions.txt"))
	if err != nil {
		t.Fatalf("the API list is missing (go generate ./internal/script): %v", err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			names = append(names, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// coverageChecker is Lua run in a package's environment: given the names as arguments, it
// returns those that are not functions, joined by spaces. "Class.Name" is a static function,
// "Class:Name" a method of an instance, "Class.__op" a metamethod of an instance's metatable.
const coverageChecker = `
local instances = {
	Vector = Vector(1, 2, 3), Vector2D = Vector2D(1, 2), Rotator = Rotator(1, 2, 3),
	Quat = Quat(0, 0, 0, 1), Color = Color(1, 0, 0, 1),
	Database = Database(DatabaseEngine.SQLite, ":memory:"),
	File = File("api-coverage.txt", true),
}
local missing = {}
for _, name in ipairs({...}) do
	local class, sep, member = name:match("^([%w_]+)([.:])([%w_]+)$")
	local ok = false
	if class then
		local obj = instances[class]
		if sep == ":" then
			ok = obj ~= nil and type(obj[member]) == "function"
		elseif member:sub(1, 2) == "__" then
			local mt = obj ~= nil and getmetatable(obj)
			ok = type(mt) == "table" and type(rawget(mt, member)) == "function"
		else
			ok = type(_ENV[class]) == "table" and type(_ENV[class][member]) == "function"
		end
	end
	if not ok then missing[#missing + 1] = name end
end
instances.Database:Close()
instances.File:Close()
return table.concat(missing, " ")
`

// missingAPI runs coverageChecker in a fresh package over names.
func missingAPI(t *testing.T, names []string) []string {
	t.Helper()
	th := newTestHost(t, Options{})
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "Server"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Server", "Index.lua"), []byte("-- checked by coverage_test.go\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := testPackage("t-coverage")
	p.Dir = dir
	p.CompatibilityVersion = "1.143"
	if err := th.LoadPackage(p); err != nil {
		t.Fatal(err)
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "'" + n + "'"
	}
	code := "return (load(" + luaQuote(coverageChecker) + ", 'coverage', 't', _ENV))(" + strings.Join(quoted, ", ") + ")"
	out := th.run("t-coverage", code)
	if errs := th.log.matching("Lua Error"); len(errs) > 0 {
		t.Fatalf("coverage check failed:\n%s", errs[0].Msg)
	}
	return strings.Fields(out)
}

func luaQuote(s string) string {
	return "[==[" + s + "]==]"
}

// TestAPICoverage checks that every server-side function of the official API in scope
// (Package, Events, Timer, Console, Server without players, Assets, HTTP, JSON, TOML, the
// Nanos utilities, the structs, Database and File) is a function in the server's Lua state.
func TestAPICoverage(t *testing.T) {
	names := apiFunctions(t)
	if len(names) < 200 {
		t.Fatalf("testdata/api-functions.txt lists %d functions; expected the full list (over 200)", len(names))
	}
	if missing := missingAPI(t, names); len(missing) > 0 {
		t.Errorf("%d of %d API functions are missing from the server's Lua state:\n%s", len(missing), len(names), strings.Join(missing, "\n"))
	}
}

// TestAPICoverageDetectsMissing proves the checker reports absent names of every form.
func TestAPICoverageDetectsMissing(t *testing.T) {
	got := missingAPI(t, []string{"Package.Export", "Package.NoSuchFunction", "Vector:NoSuchMethod", "Vector.__idiv", "NoSuchClass.Call", "Vector:Size", "Vector.__add"})
	want := "Package.NoSuchFunction Vector:NoSuchMethod Vector.__idiv NoSuchClass.Call"
	if strings.Join(got, " ") != want {
		t.Errorf("missing = %q, want %q", strings.Join(got, " "), want)
	}
}

// TestAPIListUpToDate regenerates the list from the API definitions when a checkout sits
// beside the repository (NANOFORGE_API_DIR, or ../shared/nanos-api from the repository root)
// and compares it with testdata/api-functions.txt.
func TestAPIListUpToDate(t *testing.T) {
	dir := os.Getenv("NANOFORGE_API_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "nanos-api")
	}
	if _, err := os.Stat(filepath.Join(dir, "APIFiles.json")); err != nil {
		t.Skipf("no nanos-world/api checkout at %s (set NANOFORGE_API_DIR): cannot check the list is current", dir)
	}
	want, err := apilist.Generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("testdata", "api-functions.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("testdata/api-functions.txt is out of date with %s: run go generate ./internal/script", dir)
	}
}
