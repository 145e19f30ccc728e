package manifest

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func addTestdataSeeds(f *testing.F, pattern string) {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files for %s", pattern)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzParsePackage checks that no input panics and that whatever parses
// renders to a file that parses again into the same model and renders
// identically.
func FuzzParsePackage(f *testing.F) {
	addTestdataSeeds(f, "testdata/packages/*.toml")
	addTestdataSeeds(f, "testdata/templates/*.toml")
	for _, s := range []string{
		"", "[meta]", "[package]\ntype = 1", "[meta]\n[script]\n[map]\n",
		"[meta]\n[map]\nspawn_points = [{ location = \"Vector(1e308, -1e308, 5e-324)\" }]\n",
		"[meta]\n[game_mode]\n[custom_settings]\n\"a b\" = { type = \"floating\", default = nan }\nx = { type = \"Select\", options = [1, \"a\"] }\n",
		"[meta]\n[map]\n[custom_data]\n\"\" = { \"x.y\" = [[1], {a = 1979-05-27T07:32:00Z}], t = 07:32:00, d = 1979-05-27, ld = 1979-05-27T07:32:00 }\n",
		"[[meta]]\n[script]\n", "meta.title = \"x\"\nscript.auto_cleanup = false\n",
		"[meta]\ntitle = '''\nmulti\nline'''\n[script]\n",
		"[meta]\n[c_module]\nbinaries = [\"a\"]\nmodules = [\"b\"]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func([]byte, string) (*Package, []Warning, error){ParsePackage, ParseMapToml} {
			p, _, err := parse(data, "fuzz")
			if err != nil {
				if _, ok := err.(*ParseError); !ok {
					t.Fatalf("error is %T, want *ParseError: %v", err, err)
				}
				continue
			}
			r1 := p.Render()
			q, _, err := ParsePackage(r1, "rendered")
			if err != nil {
				t.Fatalf("rendered file does not parse: %v\n%s", err, r1)
			}
			if r2 := q.Render(); string(r1) != string(r2) {
				t.Fatalf("render not stable:\n%s\n---\n%s", r1, r2)
			}
			// NaN never equals itself, so models holding one are compared
			// through their rendering only (checked above).
			if !bytes.Contains(r1, []byte("nan")) {
				if a, b := normalized(p), normalized(q); !reflect.DeepEqual(a, b) {
					t.Fatalf("model changed:\n%+v\n%+v\n%s", a, b, r1)
				}
			}
		}
	})
}

// FuzzParseAssets checks Assets.toml parsing never panics and round-trips.
func FuzzParseAssets(f *testing.F) {
	addTestdataSeeds(f, "testdata/assets/*.toml")
	for _, s := range []string{
		"", "[meta]", "[asset_pack]\nunreal_folder = 1\n", "[meta]\n[assets]\nmaps = 1\n",
		"[meta]\n[assets.static_meshes]\n\"a.b\" = { path = \"x\", n = nan, i = inf, l = [1, [2]] }\n",
		"[meta]\n[assets.static_meshes.SM]\npath = \"p\"\ntag = \"t\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, _, err := ParseAssets(data, "fuzz")
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error is %T, want *ParseError: %v", err, err)
			}
			return
		}
		r1 := a.Render()
		b, _, err := ParseAssets(r1, "rendered")
		if err != nil {
			t.Fatalf("rendered file does not parse: %v\n%s", err, r1)
		}
		if r2 := b.Render(); string(r1) != string(r2) {
			t.Fatalf("render not stable:\n%s\n---\n%s", r1, r2)
		}
		if !bytes.Contains(r1, []byte("nan")) {
			if x, y := normalizedAssets(a), normalizedAssets(b); !reflect.DeepEqual(x, y) {
				t.Fatalf("model changed:\n%+v\n%+v\n%s", x, y, r1)
			}
		}
	})
}

// FuzzSpawnPoint checks Vector/Rotator strings never panic and that what
// parses prints back to the same value.
func FuzzSpawnPoint(f *testing.F) {
	for _, s := range []string{
		"Vector(-140.000000, -120.000000, 100.000000)", "Vector(-2006, 8287, 200)", "Rotator()", "Vector(5)",
		" vector ( 1 , 2 ) ", "Vector(1e400, 0, 0)", "Vector(,)", "Vector((1))", "Rotator(-0, 1e-320, 3)", "Vector(1,2,3", "Vector",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := ParseVector(s); err == nil {
			back, err := ParseVector(v.String())
			if err != nil || back != v {
				t.Fatalf("%q -> %v -> %q -> %v (%v)", s, v, v.String(), back, err)
			}
		}
		if r, err := ParseRotator(s); err == nil {
			back, err := ParseRotator(r.String())
			if err != nil || back != r {
				t.Fatalf("%q -> %v -> %q -> %v (%v)", s, r, r.String(), back, err)
			}
		}
		_, _ = ParseSpawnPoint(s, s)
	})
}

// FuzzParseCustomSettingsArg checks the command-line parser never panics
// and that values it accepts merge without panicking.
func FuzzParseCustomSettingsArg(f *testing.F) {
	for _, s := range []string{"", "a = 1, b = 'x'", "a = { b = 1 }", "a = [1, 'x']", "}", "a = 1 }, b = {", "a.b = 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseCustomSettingsArg(s)
		if err != nil {
			return
		}
		EffectiveSettings(sandboxDecls(), nil, m)
	})
}

// FuzzCompatVersion checks parsing never panics and String round-trips.
func FuzzCompatVersion(f *testing.F) {
	for _, s := range []string{"1.25", "1.100", "0.0", "1.", "99999999999.1", "1.2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseCompatVersion(s)
		if err != nil || v.IsZero() {
			return
		}
		back, err := ParseCompatVersion(v.String())
		if err != nil || back != v || back.Compare(v) != 0 {
			t.Fatalf("%q -> %v -> %v (%v)", s, v, back, err)
		}
	})
}
