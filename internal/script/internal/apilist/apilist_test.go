package apilist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInScope(t *testing.T) {
	for _, tc := range []struct {
		fn, class string
		want      bool
	}{
		{"", "", true}, {"server", "", true}, {"both", "client", true}, {"client", "both", false},
		{"", "server", true}, {"", "client", false}, {"authority", "both", false},
	} {
		if got := inScope(tc.fn, tc.class); got != tc.want {
			t.Errorf("inScope(%q, %q) = %v, want %v", tc.fn, tc.class, got, tc.want)
		}
	}
}

// TestRun builds the list from a small API tree: authorities, methods, operators, the
// functions that need the world, duplicates, and a missing file.
func TestRun(t *testing.T) {
	api := t.TempDir()
	files := map[string]string{
		"StaticClasses/Server.json": `{"name": "Server", "authority": "server", "static_functions": [
			{"name": "GetName"}, {"name": "GetPlayersInRadius"}, {"name": "GetName"}]}`,
		"StaticClasses/Events.json": `{"name": "Events", "authority": "both", "static_functions": [
			{"name": "Call", "authority": "both"}, {"name": "CallRemote", "authority": "client"},
			{"name": "CallRemote", "authority": "server"}]}`,
		"Structs/Vector.json": `{"name": "Vector", "operators": [{"name": "+", "operator": "__add"}, {"name": "tostring", "operator": "tostring"}],
			"functions": [{"name": "Size"}]}`,
		"Classes/File.json": `{"name": "File", "authority": "both", "functions": [{"name": "Read", "authority": "client"}],
			"static_functions": [{"name": "Exists"}]}`,
	}
	for _, rel := range classes {
		if _, ok := files[rel]; !ok {
			files[rel] = `{"name": "` + strings.TrimSuffix(filepath.Base(rel), ".json") + `", "authority": "client", "static_functions": [{"name": "Nope"}]}`
		}
	}
	for rel, body := range files {
		p := filepath.Join(api, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := Generate(api)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(string(b), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			names = append(names, line)
		}
	}
	want := "Events.Call Events.CallRemote File.Exists Server.GetName Vector.__add Vector.__tostring Vector:Size"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("list = %q, want %q", got, want)
	}
	if err := os.Remove(filepath.Join(api, "Classes/File.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(api); err == nil || !strings.Contains(err.Error(), "nanos-world/api checkout") {
		t.Errorf("a missing file: %v", err)
	}
}

func TestEnums(t *testing.T) {
	dir := t.TempDir()
	src := `{"Zeta": {"description": "x", "enums": [{"key": "B", "value": "2"}, {"key": "A", "value": "1 << 3"}]},
	         "Alpha": {"enums": [{"key": "On", "value": "1"}]}}`
	if err := os.WriteFile(filepath.Join(dir, "Enums.json"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Enums(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := enumsHeader + "Alpha.On = 1\nZeta.B = 2\nZeta.A = 1 << 3\n"
	if string(got) != want {
		t.Errorf("Enums =\n%s\nwant\n%s", got, want)
	}
	if _, err := Enums(t.TempDir()); err == nil {
		t.Error("Enums of a folder without Enums.json succeeded")
	}
}
