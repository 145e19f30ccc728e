package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// hasWarning reports whether some warning contains every fragment.
func hasWarning(ws []Warning, fragments ...string) bool {
	for _, w := range ws {
		s := w.String()
		ok := true
		for _, f := range fragments {
			if !strings.Contains(s, f) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func TestParsePackageGenerations(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, p *Package)
		warns [][]string // each entry: fragments one warning must contain
		clean bool       // no warnings at all
	}{
		{
			file: "gen1-executable.toml",
			check: func(t *testing.T, p *Package) {
				want := &Package{File: "gen1-executable.toml", Generation: Gen1, Kind: KindScript, Title: "Inventory System", Author: "SomeModder",
					Version: "1.0.2", Image: "https://example.org/inventory.jpg", AutoCleanup: true, AssetsRequirements: []string{"inventory-icons"}}
				if !reflect.DeepEqual(p, want) {
					t.Errorf("got  %+v\nwant %+v", p, want)
				}
			},
			clean: true,
		},
		{
			file: "gen1-tabs-crlf.toml",
			check: func(t *testing.T, p *Package) {
				if p.Generation != Gen1 || p.Kind != KindScript || p.Title != "TTT" || !p.ForceNoMapPackage || p.AutoCleanup {
					t.Errorf("got %+v", p)
				}
				if !reflect.DeepEqual(p.AssetsRequirements, []string{"ttt-assets", "nanos-world"}) {
					t.Errorf("assets_requirements = %q", p.AssetsRequirements)
				}
			},
			clean: true,
		},
		{
			file: "gen1-library.toml",
			check: func(t *testing.T, p *Package) {
				if p.Generation != Gen1 || p.Kind != KindScript || !p.Library || p.Version != "0.2" {
					t.Errorf("got %+v", p)
				}
			},
			warns: [][]string{{"gen1-library.toml:5", "package.type", "library"}, {"package.version", `"0.2" is not SemVer`}},
		},
		{
			file: "gen2-game-mode.toml",
			check: func(t *testing.T, p *Package) {
				want := &Package{File: "gen2-game-mode.toml", Generation: Gen2, Kind: KindGameMode, Title: "Sandbox", Author: "nanos™", Version: "2.11.4",
					Image: "https://example.org/sandbox.jpg", AutoCleanup: true, PackagesRequirements: []string{"default-weapons"},
					CompatibleMaps: []string{"nanos-world::TestingMap"}}
				if !reflect.DeepEqual(p, want) {
					t.Errorf("got  %+v\nwant %+v", p, want)
				}
			},
			clean: true,
		},
		{
			file: "gen2-tabs-crlf.toml",
			check: func(t *testing.T, p *Package) {
				if p.Generation != Gen2 || p.Kind != KindGameMode || p.Title != "Among Us" || !p.ForceNoMapPackage ||
					p.CompatibilityVersion != (CompatVersion{1, 21}) || !reflect.DeepEqual(p.AssetsRequirements, []string{"among-us-assets"}) ||
					p.PackagesRequirements != nil {
					t.Errorf("got %+v", p)
				}
			},
			clean: true,
		},
		{
			file: "gen2-library.toml",
			check: func(t *testing.T, p *Package) {
				if p.Generation != Gen2 || p.Kind != KindScript || !p.Library || p.Title != "liblau" {
					t.Errorf("got %+v", p)
				}
			},
			warns: [][]string{{"library"}},
		},
		{
			file: "gen2-loading-screen.toml",
			check: func(t *testing.T, p *Package) {
				if p.Generation != Gen2 || p.Kind != KindLoadingScreen || p.Title != "Fancy Loading" {
					t.Errorf("got %+v", p)
				}
			},
			clean: true,
		},
		{
			file: "gen3-game-mode.toml",
			check: func(t *testing.T, p *Package) {
				if p.Generation != Gen3 || p.Kind != KindGameMode || p.CompatibilityVersion != (CompatVersion{1, 103}) {
					t.Errorf("got %+v", p)
				}
				want := []CustomSetting{
					{Key: "enable_pvp", Label: "pvp", Type: SettingBoolean, Description: "enable players to shoot themselves", Default: true},
					{Key: "max_props", Label: "max props", Type: SettingInteger, Description: "how many props each player can spawn", Default: int64(1000)},
					{Key: "gravity_scale", Label: "gravity", Type: SettingFloating, Description: "world gravity multiplier", Default: 1.55},
					{Key: "round_mode", Label: "round mode", Type: SettingSelect, Description: "how rounds end", Default: "timer", Options: []string{"timer", "score", "last-standing"}},
					{Key: "motd", Label: "message of the day", Type: SettingText, Description: "shown on join", Default: "welcome!"},
				}
				if !reflect.DeepEqual(p.CustomSettings, want) {
					t.Errorf("custom settings:\ngot  %+v\nwant %+v", p.CustomSettings, want)
				}
				if !reflect.DeepEqual(p.PackagesRequirements, []string{"default-weapons", "default-vehicles"}) || p.AssetsRequirements != nil {
					t.Errorf("requirements %q %q", p.PackagesRequirements, p.AssetsRequirements)
				}
			},
			clean: true,
		},
		{
			file: "gen3-game-mode-crlf.toml",
			check: func(t *testing.T, p *Package) {
				if p.Kind != KindGameMode || !p.ForceNoMapPackage || p.CompatibilityVersion != (CompatVersion{1, 143}) || p.Version != "0.9.0-beta.2" ||
					!reflect.DeepEqual(p.PackagesRequirements, []string{"nmrp-promise", "nmrp-locale"}) || p.CompatibleMaps != nil {
					t.Errorf("got %+v", p)
				}
				defaults := p.DefaultSettings()
				want := map[string]any{"language": "en", "salary_interval": int64(15), "tax_rate": 0.2, "whitelist": false, "server_name": "Los Nanos"}
				if !reflect.DeepEqual(defaults, want) || p.CustomSettings[0].Type != SettingSelect || len(p.CustomSettings[0].Options) != 3 {
					t.Errorf("settings %v %+v", defaults, p.CustomSettings)
				}
			},
			clean: true,
		},
		{
			file: "gen3-script-tabs.toml",
			check: func(t *testing.T, p *Package) {
				if p.Generation != Gen3 || p.Kind != KindScript || p.CompatibilityVersion != (CompatVersion{1, 99}) ||
					!reflect.DeepEqual(p.CompatibleGameModes, []string{"sandbox", "deathmatch"}) {
					t.Errorf("got %+v", p)
				}
			},
			clean: true,
		},
		{
			file: "gen3-map.toml",
			check: func(t *testing.T, p *Package) {
				if p.Kind != KindMap || p.MapAsset != "harbour-assets::Harbour" || !p.LoadLevelEntities || !p.EnableWaterBuoyancy {
					t.Errorf("got %+v", p)
				}
				wantSP := []SpawnPoint{
					{Vector{-140, -120, 100}, Rotator{0, -60, 0}},
					{Vector{2000, 8287, -15.5}, Rotator{}},
					{Vector{1000, 2, 3}, Rotator{}},
				}
				if !reflect.DeepEqual(p.SpawnPoints, wantSP) {
					t.Errorf("spawn points %+v", p.SpawnPoints)
				}
				if p.CustomData["time_of_day"] != int64(14) || p.CustomData["weather"] != "rain" || p.CustomData["fog_density"] != 0.25 {
					t.Errorf("custom data %+v", p.CustomData)
				}
				if lights, ok := p.CustomData["lights"].(map[string]any); !ok || lights["enabled"] != true {
					t.Errorf("custom data lights %+v", p.CustomData["lights"])
				}
				wantOrder := []string{"time_of_day", "weather", "fog_density", "shops", "lights", "opened"}
				if !reflect.DeepEqual(p.CustomDataOrder, wantOrder) {
					t.Errorf("custom data order %q", p.CustomDataOrder)
				}
			},
			clean: true,
		},
		{
			file: "gen3-loading-screen.toml",
			check: func(t *testing.T, p *Package) {
				if p.Kind != KindLoadingScreen || p.Title != "Simple Loading Screen" || p.AutoCleanup {
					t.Errorf("got %+v", p)
				}
			},
			clean: true,
		},
		{
			file: "gen3-c-module.toml",
			check: func(t *testing.T, p *Package) {
				if p.Kind != KindCModule || !reflect.DeepEqual(p.Modules, []string{"example", "lsqlite3"}) {
					t.Errorf("got %+v", p)
				}
			},
			clean: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p, warns, err := ParsePackage(readTestdata(t, "packages/"+tt.file), tt.file)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, p)
			if tt.clean && len(warns) > 0 {
				t.Errorf("unexpected warnings: %v", warns)
			}
			for _, frags := range tt.warns {
				if !hasWarning(warns, frags...) {
					t.Errorf("no warning with %q in %v", frags, warns)
				}
			}
		})
	}
}

// TestLegacyTemplateKeysAreQuiet: the old template wrote every key for every
// type, so empty keys that do not apply must not produce warnings.
func TestLegacyTemplateKeysAreQuiet(t *testing.T) {
	src := "[package]\nname = \"ls\"\ntype = \"loading-screen\"\nforce_no_map_script = false\nauto_cleanup = true\n" +
		"compatibility_version = \"1.21\"\npackages_requirements = []\nassets_requirements = []\ncompatible_maps = []\n"
	p, warns, err := ParsePackage([]byte(src), "f")
	if err != nil || len(warns) != 0 || p.Kind != KindLoadingScreen || p.AutoCleanup || !p.CompatibilityVersion.IsZero() {
		t.Errorf("%+v %v %v", p, warns, err)
	}
	// a legacy script keeps only the keys of the script template
	p, _, err = ParsePackage([]byte("[package]\ntype = \"script\"\ncompatible_maps = [\"m\"]\n"), "f")
	if err != nil || p.CompatibleMaps != nil {
		t.Errorf("%+v %v", p, err)
	}
}

func TestParseMapToml(t *testing.T) {
	p, warns, err := ParseMapToml(readTestdata(t, "packages/map-old.toml"), "Map.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	want := &Package{File: "Map.toml", Generation: Gen2, LegacyMap: true, Kind: KindMap, AutoCleanup: true,
		CompatibilityVersion: CompatVersion{1, 30}, CompatibleGameModes: []string{"sandbox", "deathmatch"},
		SpawnPoints: []SpawnPoint{{Vector{-2006, 8287, 200}, Rotator{}}, {Vector{1000, 2000, 300}, Rotator{0, 90, 0}}},
		CustomData:  map[string]any{"sun_angle": int64(45), "tags": []any{"urban", "night"}}, CustomDataOrder: []string{"sun_angle", "tags"}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got  %+v\nwant %+v", p, want)
	}
	if _, _, err := ParseMapToml([]byte("[custom_data]\na = 1\n"), "Map.toml"); err == nil || !strings.Contains(err.Error(), "no [map] table") {
		t.Errorf("Map.toml without [map]: err = %v", err)
	}
}

func TestParsePackageWarnings(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want [][]string
	}{
		{"unknown key with line", "[meta]\ntitle = \"x\"\nversion = \"1.0.0\"\n[script]\nauto_cleanup = true\nfancy = 3\n", [][]string{{"f:6:", "script.fancy", "unknown key", "known keys"}}},
		{"non semver version", "[meta]\nversion = \"1.0\"\n[script]\n", [][]string{{"f:2:", "meta.version", "not SemVer", `"1.0.0"`}}},
		{"v prefix", "[meta]\nversion = \"v1.2.3\"\n[script]\n", [][]string{{"without the leading v"}}},
		{"renamed force_no_map_script", "[meta]\n[script]\nforce_no_map_script = true\n", [][]string{{"f:3:", "renamed to force_no_map_package"}}},
		{"renamed binaries", "[meta]\n[c_module]\nbinaries = [\"a\"]\n", [][]string{{"binaries was renamed to modules"}}},
		{"image in meta", "[meta]\nimage = \"http://x\"\n[script]\n", [][]string{{"meta.image", "Package.jpg"}}},
		{"custom settings on a script", "[meta]\n[script]\n[custom_settings]\na = 1\n", [][]string{{"only read for game-mode"}}},
		{"custom data on a game mode", "[meta]\n[game_mode]\n[custom_data]\na = 1\n", [][]string{{"only read for map"}}},
		{"missing meta", "[script]\n", [][]string{{"no [meta] table"}}},
		{"unknown top-level table", "[meta]\n[script]\n[extra]\n", [][]string{{"f:3:", "extra"}}},
		{"legacy beside meta", "[meta]\n[script]\n[package]\nname = \"x\"\n", [][]string{{"old [package] table"}}},
		{"legacy no type", "[package]\nname = \"x\"\n", [][]string{{"no type key"}}},
		{"legacy key of another type", "[package]\ntype = \"script\"\ncompatible_maps = [\"m\"]\n", [][]string{{"f:3:", "package.compatible_maps", "not used by script packages"}}},
		{"legacy unknown key", "[package]\ntype = \"script\"\nsomething = 1\n", [][]string{{"f:3:", "package.something", "unknown key"}}},
		{"setting bad type", "[meta]\n[game_mode]\n[custom_settings]\na = { type = \"color\", default = 1 }\n", [][]string{{"f:4:", "custom_settings.a", "unknown custom setting type"}}},
		{"setting default mismatch", "[meta]\n[game_mode]\n[custom_settings]\na = { type = \"integer\", default = \"ten\" }\n", [][]string{{"custom_settings.a", "expected an integer", "integer 0"}}},
		{"setting no default", "[meta]\n[game_mode]\n[custom_settings]\na = { type = \"boolean\" }\n", [][]string{{"no default", "false"}}},
		{"select without options", "[meta]\n[game_mode]\n[custom_settings]\na = { type = \"select\", default = \"x\" }\n", [][]string{{"without options"}}},
		{"select default not an option", "[meta]\n[game_mode]\n[custom_settings]\na = { type = \"select\", default = \"z\", options = [\"x\", \"y\"] }\n", [][]string{{"not one of the options"}}},
		{"setting not a table", "[meta]\n[game_mode]\n[custom_settings]\na = 3\n", [][]string{{"custom_settings.a", "ignored"}}},
		{"setting unknown field", "[meta]\n[game_mode]\n[custom_settings]\na = { type = \"text\", default = \"\", colour = 1 }\n", [][]string{{"unknown field \"colour\""}}},
		{"spawn point extra field", "[meta]\n[map]\nspawn_points = [{ location = \"Vector()\", scale = 2 }]\n", [][]string{{"unknown field \"scale\""}}},
		{"spawn point without location", "[meta]\n[map]\nspawn_points = [{ rotation = \"Rotator(1)\" }]\n", [][]string{{"no location"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, warns, err := ParsePackage([]byte(tt.src), "f")
			if err != nil || p == nil {
				t.Fatalf("err = %v", err)
			}
			for _, frags := range tt.want {
				if !hasWarning(warns, frags...) {
					t.Errorf("no warning with %q in %v", frags, warns)
				}
			}
		})
	}
}

func TestParsePackageErrors(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int
		key       string
		fragments []string
	}{
		{"invalid toml", "[meta]\ntitle = \"x\n[script]\n", 2, 11, "", []string{"invalid TOML"}},
		{"duplicate key", "[meta]\ntitle = \"a\"\ntitle = \"b\"\n[script]\n", 3, 0, "", []string{"invalid TOML"}},
		{"empty file", "", 0, 0, "", []string{"no [meta] or [package] table"}},
		{"no type", "[meta]\ntitle = \"a\"\n", 1, 1, "meta", []string{"no package type table"}},
		{"hyphenated section", "[meta]\n[game-mode]\n", 2, 1, "game-mode", []string{"write [game_mode]"}},
		{"two types", "[meta]\n[script]\n[game_mode]\n", 3, 1, "game_mode", []string{"more than one package type", "[script], [game_mode]"}},
		{"bool as string", "[meta]\n[script]\n  auto_cleanup = \"yes\"\n", 3, 3, "script.auto_cleanup", []string{"expected true or false", `string "yes"`}},
		{"title as number", "[meta]\ntitle = 5\n[script]\n", 2, 1, "meta.title", []string{"expected a string", "integer 5"}},
		{"requirements not a list", "[meta]\n[script]\npackages_requirements = \"a\"\n", 3, 1, "script.packages_requirements", []string{"array of strings"}},
		{"requirement not a string", "[meta]\n[script]\npackages_requirements = [\"a\", 2]\n", 3, 1, "script.packages_requirements", []string{"entry 2", "integer 2"}},
		{"compat as float", "[meta]\n[script]\ncompatibility_version = 1.25\n", 3, 1, "script.compatibility_version", []string{"quoted", "1.1 from 1.10"}},
		{"compat malformed", "[meta]\n[script]\ncompatibility_version = \"1.x\"\n", 3, 1, "script.compatibility_version", []string{"major.minor"}},
		{"legacy unknown type", "[package]\ntype = \"plugin\"\n", 2, 1, "package.type", []string{"unknown package type \"plugin\""}},
		{"type table not a table", "meta = 1\nscript = 2\n", 1, 1, "meta", []string{"expected a table [meta]"}},
		{"bad spawn point", "[meta]\n[map]\nspawn_points = [{ location = \"Vector(1, a, 3)\" }]\n", 3, 1, "map.spawn_points", []string{"entry 1", "not a finite number"}},
		{"spawn point not a table", "[meta]\n[map]\nspawn_points = [\"Vector()\"]\n", 3, 1, "map.spawn_points", []string{"entry 1"}},
		{"spawn location not a string", "[meta]\n[map]\nspawn_points = [{ location = [1, 2, 3] }]\n", 3, 1, "map.spawn_points", []string{"must be a string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParsePackage([]byte(tt.src), "Packages/x/Package.toml")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want *ParseError", err, err)
			}
			if pe.File != "Packages/x/Package.toml" || pe.Line != tt.line || (tt.col != 0 && pe.Column != tt.col) || pe.Key != tt.key {
				t.Errorf("position = %s:%d:%d key %q, want line %d col %d key %q (%v)", pe.File, pe.Line, pe.Column, pe.Key, tt.line, tt.col, tt.key, err)
			}
			for _, f := range tt.fragments {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("error %q does not contain %q", err, f)
				}
			}
		})
	}
}

func TestParseErrorString(t *testing.T) {
	e := &ParseError{File: "Package.toml", Line: 3, Column: 7, Key: "script.auto_cleanup", Reason: "expected true or false"}
	if got, want := e.Error(), "Package.toml:3:7: script.auto_cleanup: expected true or false"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	w := Warning{File: "Package.toml", Line: 3, Key: "meta.version", Message: "bad"}
	if got, want := w.String(), "Package.toml:3: meta.version: bad"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
	w = Warning{File: "Packages/x/server", Message: "miscased"}
	if got, want := w.String(), "Packages/x/server: miscased"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

// normalized strips the fields that describe where a model came from, so
// models of different generations can be compared.
func normalized(p *Package) Package {
	c := *p
	c.File, c.Generation, c.Image, c.LegacyMap, c.Library, c.Generated, c.Backup = "", 0, "", false, false, false, ""
	return c
}

func TestRoundTripAllGenerations(t *testing.T) {
	files, err := filepath.Glob("testdata/packages/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data := readTestdata(t, "packages/"+filepath.Base(f))
			parse := ParsePackage
			if strings.HasPrefix(filepath.Base(f), "map-") {
				parse = ParseMapToml
			}
			p1, _, err := parse(data, f)
			if err != nil {
				t.Fatal(err)
			}
			r1 := p1.Render()
			p2, warns, err := ParsePackage(r1, "rendered")
			if err != nil {
				t.Fatalf("rendered file does not parse: %v\n%s", err, r1)
			}
			if p2.Generation != Current {
				t.Errorf("rendered generation %d", p2.Generation)
			}
			for _, w := range warns {
				if !strings.Contains(w.Message, "SemVer") { // a legacy "0.2" version stays as written
					t.Errorf("rendered file has warning %v", w)
				}
			}
			if a, b := normalized(p1), normalized(p2); !reflect.DeepEqual(a, b) {
				t.Errorf("round trip changed the model:\nbefore %+v\nafter  %+v\n%s", a, b, r1)
			}
			if r2 := p2.Render(); string(r1) != string(r2) {
				t.Errorf("rendering is not stable:\n%s\n---\n%s", r1, r2)
			}
		})
	}
}

// TestRenderMatchesTemplates checks that a new package of every kind renders
// byte for byte as the official template of that kind.
func TestRenderMatchesTemplates(t *testing.T) {
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) {
			p, err := NewPackage("my-package", "My Awesome Package", "Contributor Names", k)
			if err != nil {
				t.Fatal(err)
			}
			want := readTestdata(t, "templates/"+string(k)+".toml")
			if got := p.Render(); string(got) != string(want) {
				t.Errorf("render differs from the template:\n%s\n--- want ---\n%s", got, want)
			}
			// and the template itself parses into the same model
			q, warns, err := ParsePackage(want, "template")
			if err != nil || len(warns) > 0 {
				t.Fatalf("template: %v %v", err, warns)
			}
			q.Name = p.Name
			if a, b := normalized(p), normalized(q); !reflect.DeepEqual(a, b) {
				t.Errorf("template model\n%+v\nwant %+v", b, a)
			}
		})
	}
}

func TestNewPackageRejectsBadInput(t *testing.T) {
	if _, err := NewPackage("My Package", "", "", KindScript); err == nil || !strings.Contains(err.Error(), `"my-package"`) {
		t.Errorf("bad name: %v", err)
	}
	if _, err := NewPackage("ok", "", "", Kind("gamemode")); err == nil || !strings.Contains(err.Error(), "unknown type") {
		t.Errorf("bad kind: %v", err)
	}
	p, err := NewPackage("ok", "", "", KindGameMode)
	if err != nil || p.Title != "ok" || p.Author == "" {
		t.Errorf("defaults: %+v %v", p, err)
	}
}

func TestRenderEscapesAndCustomData(t *testing.T) {
	p, _ := NewPackage("x", "Quote \" and \\ and\ttab\nnewline", "ünïcode ✓", KindMap)
	p.CustomData = map[string]any{
		"z key":  "v",
		"nested": map[string]any{"list": []any{int64(1), 2.5, "s", true}, "empty": map[string]any{}},
		"b":      []map[string]any{{"x": int64(1)}},
	}
	p.CustomDataOrder = []string{"nested"}
	out := p.Render()
	q, warns, err := ParsePackage(out, "r")
	if err != nil || len(warns) > 0 {
		t.Fatalf("%v %v\n%s", err, warns, out)
	}
	if q.Title != p.Title || q.Author != p.Author {
		t.Errorf("title %q author %q", q.Title, q.Author)
	}
	want := map[string]any{
		"z key":  "v",
		"nested": map[string]any{"list": []any{int64(1), 2.5, "s", true}, "empty": map[string]any{}},
		"b":      []any{map[string]any{"x": int64(1)}},
	}
	if !reflect.DeepEqual(q.CustomData, want) {
		t.Errorf("custom data %#v", q.CustomData)
	}
	if !reflect.DeepEqual(q.CustomDataOrder, []string{"nested", "b", "z key"}) {
		t.Errorf("order %q", q.CustomDataOrder)
	}
}

func TestKinds(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Kind
	}{{"script", KindScript}, {"game_mode", KindGameMode}, {"Game-Mode", KindGameMode}, {"loading_screen", KindLoadingScreen}, {" c-module ", KindCModule}, {"map", KindMap}} {
		if got, err := ParseKind(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseKind(%q) = %q, %v", tt.in, got, err)
		}
	}
	if _, err := ParseKind("executable"); err == nil {
		t.Error("executable accepted")
	}
	if KindGameMode.Section() != "game_mode" || !KindCModule.Requirable() || KindMap.Requirable() || KindLoadingScreen.HasLua() {
		t.Error("kind helpers")
	}
}
