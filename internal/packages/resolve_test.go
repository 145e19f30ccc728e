package packages

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/internal/scripthost"
)

// memSource is a Source over literal manifests: "name:kind:req1,req2".
type memSource struct {
	pkgs   map[string]*Info
	assets map[string][]string
	broken map[string]error
}

func mem(specs ...string) *memSource {
	s := &memSource{pkgs: map[string]*Info{}, assets: map[string][]string{}, broken: map[string]error{}}
	for _, spec := range specs {
		parts := strings.Split(spec, ":")
		info := &Info{Name: parts[0], Kind: scripthost.Kind(parts[1])}
		if len(parts) > 2 && parts[2] != "" {
			info.PackagesRequirements = strings.Split(parts[2], ",")
		}
		s.pkgs[info.Name] = info
	}
	return s
}

func (s *memSource) Package(name string) (*Info, error) {
	if err, ok := s.broken[name]; ok {
		return nil, err
	}
	if p, ok := s.pkgs[name]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("package '%s': %w (no folder Packages/%s)", name, ErrNotFound, name)
}

func (s *memSource) AssetPack(name string) ([]string, error) {
	if reqs, ok := s.assets[name]; ok {
		return reqs, nil
	}
	return nil, fmt.Errorf("asset pack '%s': %w", name, ErrNotFound)
}

func names(infos []*Info) []string {
	var out []string
	for _, i := range infos {
		out = append(out, i.Name)
	}
	return out
}

func TestResolveOrder(t *testing.T) {
	for _, tc := range []struct {
		name     string
		src      *memSource
		sel      Selection
		order    []string
		failures []string // substrings, one per failure, in order
	}{
		{
			name:  "game-mode, scripts in order, then map",
			src:   mem("gm:game-mode", "s1:script", "s2:script", "m:map"),
			sel:   Selection{GameMode: "gm", Packages: []string{"s2", "s1"}, Map: "m"},
			order: []string{"gm", "s2", "s1", "m"},
		},
		{
			name:  "chain: requirements first, recursively",
			src:   mem("gm:game-mode:a", "a:script:b", "b:script:c", "c:script"),
			sel:   Selection{GameMode: "gm"},
			order: []string{"c", "b", "a", "gm"},
		},
		{
			name:  "diamond loads the shared requirement once",
			src:   mem("top:script:l,r", "l:script:base", "r:script:base", "base:script"),
			sel:   Selection{Packages: []string{"top"}},
			order: []string{"base", "l", "r", "top"},
		},
		{
			name:  "a script listed after being required loads once, where first needed",
			src:   mem("gm:game-mode:u", "u:script", "s:script"),
			sel:   Selection{GameMode: "gm", Packages: []string{"s", "u"}},
			order: []string{"u", "gm", "s"},
		},
		{
			name:     "cycle fails its members and reports the whole cycle",
			src:      mem("a:script:b", "b:script:c", "c:script:a", "ok:script"),
			sel:      Selection{Packages: []string{"a", "ok"}},
			order:    []string{"ok"},
			failures: []string{"requirement cycle a -> b -> c -> a"},
		},
		{
			name:     "dependent of a cycle fails with the chain",
			src:      mem("x:script:a", "a:script:b", "b:script:a"),
			sel:      Selection{Packages: []string{"x"}},
			failures: []string{"package 'x' not loaded: requirement chain x -> a -> b -> a: requirement cycle a -> b -> a"},
		},
		{
			name:     "missing requirement fails the chain, the rest loads",
			src:      mem("gm:game-mode:a", "a:script:gone", "s:script"),
			sel:      Selection{GameMode: "gm", Packages: []string{"s"}},
			order:    []string{"s"},
			failures: []string{"package 'gm' not loaded: requirement chain gm -> a -> gone: package 'gone': not found"},
		},
		{
			name:     "requiring a non-script names both",
			src:      mem("s:script:m", "m:map", "t:script"),
			sel:      Selection{Packages: []string{"s", "t"}},
			order:    []string{"t"},
			failures: []string{"package 's' requires 'm', which is a map package; only script packages can be required"},
		},
		{
			name:     "requiring a c-module fails with the chain: this server cannot load one",
			src:      mem("s:script:cm", "cm:c-module", "t:script"),
			sel:      Selection{Packages: []string{"s", "t"}},
			order:    []string{"t"},
			failures: []string{"package 's' not loaded: requirement chain s -> cm: 'cm' is a c-module package, which this server cannot load"},
		},
		{
			name:     "requiring a game-mode names both",
			src:      mem("s:script:gm", "gm:game-mode"),
			sel:      Selection{GameMode: "gm", Packages: []string{"s"}},
			order:    []string{"gm"},
			failures: []string{"package 's' requires 'gm', which is a game-mode package"},
		},
		{
			name:     "second game-mode in packages is an error naming both",
			src:      mem("gm1:game-mode", "gm2:game-mode"),
			sel:      Selection{GameMode: "gm1", Packages: []string{"gm2"}},
			order:    []string{"gm1"},
			failures: []string{"only one game-mode can be loaded: 'gm1' (game_mode) and 'gm2' (in packages)"},
		},
		{
			name:     "two game-modes in packages: the first wins",
			src:      mem("gm1:game-mode", "gm2:game-mode"),
			sel:      Selection{Packages: []string{"gm1", "gm2"}},
			order:    []string{"gm1"},
			failures: []string{"only one game-mode can be loaded"},
		},
		{
			name:     "second loading-screen names both",
			src:      mem("ls1:loading-screen", "ls2:loading-screen"),
			sel:      Selection{LoadingScreen: "ls1", Packages: []string{"ls2"}},
			failures: []string{"only one loading-screen can be loaded: 'ls1' (loading_screen) and 'ls2' (in packages)"},
		},
		{
			name:     "game_mode naming a script package",
			src:      mem("s:script"),
			sel:      Selection{GameMode: "s"},
			failures: []string{"game_mode names 's', which is a script package, not a game-mode"},
		},
		{
			name:     "map listed in packages",
			src:      mem("m:map"),
			sel:      Selection{Packages: []string{"m"}},
			failures: []string{"'m' is a map package; set map = \"m\""},
		},
		{
			name:  "built-in map needs no package",
			src:   mem("s:script"),
			sel:   Selection{Packages: []string{"s"}, Map: "default-blank-map"},
			order: []string{"s"},
		},
		{
			name:     "missing map package",
			src:      mem(),
			sel:      Selection{Map: "my-map"},
			failures: []string{"package 'my-map': not found"},
		},
		{
			name:  "map requirements load before the map",
			src:   mem("m:map:mu", "mu:script"),
			sel:   Selection{Map: "m"},
			order: []string{"mu", "m"},
		},
		{
			name:     "map naming a script package",
			src:      mem("s:script"),
			sel:      Selection{Map: "s"},
			failures: []string{"map names 's', which is a script package, not a map"},
		},
		{
			name:     "self requirement",
			src:      mem("s:script:s"),
			sel:      Selection{Packages: []string{"s"}},
			failures: []string{"package 's' requires itself"},
		},
		{
			name:     "c-module cannot run",
			src:      mem("c:c-module"),
			sel:      Selection{Packages: []string{"c"}},
			failures: []string{"c-module package, which this server cannot load"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Resolve(tc.sel, tc.src)
			if got := names(p.Order); !slices.Equal(got, tc.order) {
				t.Errorf("order = %v, want %v", got, tc.order)
			}
			if len(p.Failures) != len(tc.failures) {
				t.Fatalf("failures = %v, want %d matching %q", p.Failures, len(tc.failures), tc.failures)
			}
			for i, want := range tc.failures {
				if got := p.Failures[i].Error(); !strings.Contains(got, want) {
					t.Errorf("failure %d = %q, want it to contain %q", i, got, want)
				}
			}
		})
	}
}

func TestResolveBrokenManifest(t *testing.T) {
	src := mem("gm:game-mode:bad")
	src.broken["bad"] = errors.New("Packages/bad/Package.toml:3:7: expected '=' after key")
	p := Resolve(Selection{GameMode: "gm"}, src)
	if p.GameMode != nil || len(p.Failures) != 1 {
		t.Fatalf("plan = %+v, want gm failed", p)
	}
	got := p.Failures[0].Error()
	want := "package 'gm' not loaded: requirement chain gm -> bad: Packages/bad/Package.toml:3:7: expected '=' after key"
	if got != want {
		t.Errorf("failure = %q\nwant      %q", got, want)
	}
}

func TestResolveForceNoMapAndLevelEntities(t *testing.T) {
	src := mem("gm:game-mode", "s:script", "m:map")
	src.pkgs["s"].ForceNoMapPackage = true
	src.pkgs["gm"].LoadLevelEntities = true
	p := Resolve(Selection{GameMode: "gm", Packages: []string{"s"}, Map: "m"}, src)
	if p.Map != nil || p.Loaded("m") {
		t.Errorf("map loaded although 's' sets force_no_map_package")
	}
	if p.MapSkippedBy != "s" {
		t.Errorf("MapSkippedBy = %q, want s", p.MapSkippedBy)
	}
	if !p.LoadLevelEntities {
		t.Error("LoadLevelEntities off although gm turns it on")
	}

	src.pkgs["s"].ForceNoMapPackage = false
	src.pkgs["gm"].LoadLevelEntities = false
	p = Resolve(Selection{GameMode: "gm", Packages: []string{"s"}, Map: "m"}, src)
	if p.Map == nil || p.Map.Name != "m" || p.LoadLevelEntities {
		t.Errorf("plan = %+v, want map m loaded and level entities off", p)
	}
}

func TestResolveAssets(t *testing.T) {
	src := mem("gm:game-mode", "s:script")
	src.pkgs["gm"].AssetsRequirements = []string{"pack-a", "nanos-world"}
	src.pkgs["s"].AssetsRequirements = []string{"pack-missing", "pack-a"}
	src.assets["pack-a"] = []string{"pack-b"}
	src.assets["pack-b"] = nil
	src.assets["extra"] = nil
	p := Resolve(Selection{GameMode: "gm", Packages: []string{"s"}, Assets: []string{"extra", "cfg-missing"}}, src)
	if want := []string{"extra", "pack-a", "pack-b", "nanos-world"}; !slices.Equal(p.AssetPacks, want) {
		t.Errorf("asset packs = %v, want %v", p.AssetPacks, want)
	}
	if len(p.AssetErrors) != 2 {
		t.Fatalf("asset errors = %v, want 2", p.AssetErrors)
	}
	if got := p.AssetErrors[0].Error(); !strings.Contains(got, "asset pack 'cfg-missing' required by Config.toml assets is missing") {
		t.Errorf("asset error 0 = %q", got)
	}
	if got := p.AssetErrors[1].Error(); !strings.Contains(got, "asset pack 'pack-missing' required by package 's' is missing") {
		t.Errorf("asset error 1 = %q", got)
	}
	// Missing asset packs are reported but do not stop the package from loading.
	if !p.Loaded("s") {
		t.Error("package 's' not loaded because of a missing asset pack")
	}
}

// The map's asset pack (from map_asset) loads before Config.toml's packs; a missing one names
// the map.
func TestResolveMapAssetPack(t *testing.T) {
	src := mem("m:map", "s:script")
	src.pkgs["m"].MapAsset = "island-pack::Island"
	src.pkgs["s"].AssetsRequirements = []string{"island-pack"}
	src.assets["island-pack"] = []string{"rocks"}
	src.assets["rocks"] = nil
	src.assets["extra"] = nil
	p := Resolve(Selection{Map: "m", Packages: []string{"s"}, Assets: []string{"extra"}}, src)
	if want := []string{"island-pack", "rocks", "extra"}; !slices.Equal(p.AssetPacks, want) {
		t.Errorf("asset packs = %v, want %v", p.AssetPacks, want)
	}
	src.pkgs["m"].MapAsset = "gone-pack::Island"
	p = Resolve(Selection{Map: "m"}, src)
	if len(p.AssetErrors) != 1 || !strings.Contains(p.AssetErrors[0].Error(), "asset pack 'gone-pack' required by map package 'm' (map_asset) is missing") {
		t.Errorf("asset errors = %v", p.AssetErrors)
	}
	if p.Map == nil || !slices.Equal(p.MissingAssets, []string{"gone-pack"}) {
		t.Errorf("map %v, missing assets %v: the map still loads and the pack is listed for --auto_download", p.Map, p.MissingAssets)
	}
	// A map kept out by force_no_map_package brings no asset pack.
	src.pkgs["s"].ForceNoMapPackage = true
	src.pkgs["s"].AssetsRequirements = nil
	p = Resolve(Selection{Map: "m", Packages: []string{"s"}}, src)
	if len(p.AssetPacks) != 0 || len(p.AssetErrors) != 0 {
		t.Errorf("skipped map: asset packs %v, errors %v", p.AssetPacks, p.AssetErrors)
	}
}

func TestResolveDuplicatesNoted(t *testing.T) {
	p := Resolve(Selection{Packages: []string{"s", "s"}}, mem("s:script"))
	if !slices.Equal(names(p.Order), []string{"s"}) || len(p.Notes) != 1 {
		t.Errorf("order %v notes %v, want s once and one note", names(p.Order), p.Notes)
	}
}

func TestResolveGameModeFromPackages(t *testing.T) {
	p := Resolve(Selection{Packages: []string{"gm"}}, mem("gm:game-mode"))
	if p.GameMode == nil || p.GameMode.Name != "gm" || len(p.Failures) != 0 {
		t.Errorf("plan = %+v, want gm taken as the game-mode", p)
	}
}

func TestResolveLoad(t *testing.T) {
	src := mem("gm:game-mode", "gm2:game-mode", "a:script:b", "b:script:c", "c:script", "ls:loading-screen", "cyc:script:cyc2", "cyc2:script:cyc")
	loaded := []*Info{src.pkgs["gm"], src.pkgs["c"]}
	got, err := ResolveLoad("a", loaded, src)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names(got), []string{"b", "a"}) {
		t.Errorf("ResolveLoad(a) = %v, want [b a] (c is loaded)", names(got))
	}
	for _, tc := range []struct{ name, want string }{
		{"gm2", "only one game-mode can be loaded: 'gm' is loaded, so 'gm2' cannot be"},
		{"c", "already loaded"},
		{"ls", "loading-screen package, which has no scripts"},
		{"nope", "not found"},
		{"cyc", "requirement cycle cyc -> cyc2 -> cyc"},
	} {
		if _, err := ResolveLoad(tc.name, loaded, src); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ResolveLoad(%s) error = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestDependents(t *testing.T) {
	src := mem("c:script", "b:script:c", "a:script:b", "x:script", "y:script:x,c")
	loaded := []*Info{src.pkgs["c"], src.pkgs["b"], src.pkgs["x"], src.pkgs["a"], src.pkgs["y"]}
	if got := Dependents("c", loaded); !slices.Equal(got, []string{"y", "a", "b"}) {
		t.Errorf("Dependents(c) = %v, want [y a b]", got)
	}
	if got := Dependents("x", loaded); !slices.Equal(got, []string{"y"}) {
		t.Errorf("Dependents(x) = %v, want [y]", got)
	}
	if got := Dependents("y", loaded); len(got) != 0 {
		t.Errorf("Dependents(y) = %v, want none", got)
	}
}

// FuzzResolve builds random requirement graphs and checks the invariants: every package loads
// at most once and after all its requirements; nothing panics.
func FuzzResolve(f *testing.F) {
	f.Add([]byte{1, 2, 3, 0, 2, 1})
	f.Add([]byte{0, 0, 1, 1, 2, 2, 3, 3})
	f.Add([]byte{5, 4, 3, 2, 1, 0, 9, 200})
	f.Fuzz(func(t *testing.T, data []byte) {
		const n = 8
		src := &memSource{pkgs: map[string]*Info{}, assets: map[string][]string{}, broken: map[string]error{}}
		kinds := []scripthost.Kind{scripthost.KindScript, scripthost.KindScript, scripthost.KindScript, scripthost.KindGameMode, scripthost.KindMap}
		for i := range n {
			name := fmt.Sprintf("p%d", i)
			k := scripthost.KindScript
			if i < len(data) {
				k = kinds[int(data[i])%len(kinds)]
			}
			src.pkgs[name] = &Info{Name: name, Kind: k}
		}
		for i := 0; i+1 < len(data); i += 2 {
			from := fmt.Sprintf("p%d", int(data[i])%(n+1)) // p8 does not exist: a dangling requirement
			to := fmt.Sprintf("p%d", int(data[i+1])%(n+1))
			if info, ok := src.pkgs[from]; ok {
				info.PackagesRequirements = append(info.PackagesRequirements, to)
			}
		}
		var sel Selection
		for i := range n {
			sel.Packages = append(sel.Packages, fmt.Sprintf("p%d", i))
		}
		sel.Map = "p4"
		sel.GameMode = "p3"
		p := Resolve(sel, src)
		pos := map[string]int{}
		for i, info := range p.Order {
			if _, dup := pos[info.Name]; dup {
				t.Fatalf("%s loaded twice: %v", info.Name, names(p.Order))
			}
			pos[info.Name] = i
		}
		for _, info := range p.Order {
			for _, req := range info.PackagesRequirements {
				j, ok := pos[req]
				if !ok || j >= pos[info.Name] {
					t.Fatalf("%s loaded at %d but its requirement %s at %d (present %v): %v", info.Name, pos[info.Name], req, j, ok, names(p.Order))
				}
			}
		}
		for _, fl := range p.Failures {
			if _, ok := pos[fl.Package]; ok && fl.Package != "" {
				// A package may be reported (e.g. a second game-mode) only if it did not load.
				t.Fatalf("%s both loaded and failed: %v", fl.Package, fl)
			}
		}
	})
}

// BenchmarkResolve50 resolves 50 in-memory packages whose requirements form a DAG: the graph
// work alone, without reading files.
func BenchmarkResolve50(b *testing.B) {
	var specs []string
	var sel Selection
	for i := 1; i < 50; i++ {
		var reqs []string
		for _, j := range []int{i + 1, i + 7} {
			if j < 50 {
				reqs = append(reqs, fmt.Sprintf("p%02d", j))
			}
		}
		specs = append(specs, fmt.Sprintf("p%02d:script:%s", i, strings.Join(reqs, ",")))
		sel.Packages = append(sel.Packages, fmt.Sprintf("p%02d", i))
	}
	specs = append(specs, "gm:game-mode:p01")
	sel.GameMode = "gm"
	src := mem(specs...)
	for b.Loop() {
		if p := Resolve(sel, src); len(p.Order) != 50 {
			b.Fatalf("order has %d packages", len(p.Order))
		}
	}
}

func TestResolveMissingLists(t *testing.T) {
	src := mem("gm:game-mode:a,gone1", "a:script:gone2", "s:script:gone1")
	src.pkgs["s"].AssetsRequirements = []string{"pack-gone"}
	p := Resolve(Selection{GameMode: "gm", Packages: []string{"s", "not-here"}, Map: "map-gone", Assets: []string{"cfg-pack"}}, src)
	if want := []string{"gone2", "gone1", "not-here", "map-gone"}; !slices.Equal(p.MissingPackages, want) {
		t.Errorf("MissingPackages = %v, want %v", p.MissingPackages, want)
	}
	if want := []string{"cfg-pack"}; !slices.Equal(p.MissingAssets, want) {
		// s failed (gone1 missing), so its asset requirement is not needed.
		t.Errorf("MissingAssets = %v, want %v", p.MissingAssets, want)
	}
}

func TestBuiltinMapAsset(t *testing.T) {
	for _, m := range BuiltinMaps {
		a := BuiltinMapAsset(m)
		if !strings.HasPrefix(a, BuiltinAssetPack+"::") || len(a) == len(BuiltinAssetPack)+2 {
			t.Errorf("BuiltinMapAsset(%q) = %q, want a level of the %s pack", m, a, BuiltinAssetPack)
		}
	}
	for _, n := range []string{"", "my-map", "nanos-world::BlankMap"} {
		if a := BuiltinMapAsset(n); a != "" {
			t.Errorf("BuiltinMapAsset(%q) = %q, want \"\" for a name that is no built-in map", n, a)
		}
	}
}
