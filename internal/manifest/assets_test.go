package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseAssetsGenerations(t *testing.T) {
	t.Run("old [asset_pack]", func(t *testing.T) {
		a, warns, err := ParseAssets(readTestdata(t, "assets/old-asset-pack.toml"), "Assets.toml")
		if err != nil {
			t.Fatal(err)
		}
		if len(warns) != 0 {
			t.Errorf("warnings %v", warns)
		}
		if a.Generation != AssetsGen1 || a.Title != "Ware Assets" || a.Author != "Sebihunter" || a.Version != "1.0.0" ||
			a.Image != "https://example.org/ware.jpg" || !reflect.DeepEqual(a.UnrealFolders, []string{"ware"}) {
			t.Errorf("got %+v", a)
		}
		want := map[AssetCategory][]Asset{
			AssetMaps:         {{Key: "WareMap", Path: "Maps/WareMap"}},
			AssetStaticMeshes: {{Key: "SM_Platform", Path: "Meshes/SM_Platform"}, {Key: "SM_Ball", Path: "Meshes/SM_Ball"}},
			AssetSounds:       {{Key: "A_Win", Path: "Sounds/A_Win"}},
			AssetParticles:    {{Key: "P_Confetti", Path: "Particles/P_Confetti"}},
			AssetMaterials:    {{Key: "M_Floor", Path: "Materials/M_Floor"}},
			AssetOthers:       {{Key: "T_Logo", Path: "Textures/T_Logo"}},
		}
		if !reflect.DeepEqual(a.Assets, want) {
			t.Errorf("assets %+v", a.Assets)
		}
		if a.Count() != 7 {
			t.Errorf("count %d", a.Count())
		}
	})
	t.Run("[meta] with unreal_folder, tabs and CRLF", func(t *testing.T) {
		a, warns, err := ParseAssets(readTestdata(t, "assets/gen2-tabs-crlf.toml"), "Assets.toml")
		if err != nil {
			t.Fatal(err)
		}
		if len(warns) != 0 {
			t.Errorf("warnings %v", warns)
		}
		if a.Generation != AssetsGen2 || a.Title != "Polygons" || !reflect.DeepEqual(a.UnrealFolders, []string{"FalaxirPolygons"}) || a.UnrealVersion != "5.1.1" {
			t.Errorf("got %+v", a)
		}
		if got := a.Assets[AssetStaticMeshes]; len(got) != 2 || got[0].Key != "SM_Tree_01" || got[1].Path != "Environment/SM_Rock_01" {
			t.Errorf("static meshes %+v", got)
		}
	})
	t.Run("newest with metadata", func(t *testing.T) {
		a, warns, err := ParseAssets(readTestdata(t, "assets/new-asset-pack.toml"), "Assets.toml")
		if err != nil {
			t.Fatal(err)
		}
		if len(warns) != 0 {
			t.Errorf("warnings %v", warns)
		}
		if a.Generation != AssetsGen3 || !reflect.DeepEqual(a.AssetsRequirements, []string{"base-materials"}) ||
			!reflect.DeepEqual(a.UnrealFolders, []string{"NanosWorld", "NanosWorldExtra"}) || a.UnrealVersion != "5.7.0" || a.IsPluginContent {
			t.Errorf("got %+v", a)
		}
		sm := a.Assets[AssetStaticMeshes]
		want := []Asset{
			{Key: "SM_Cube", Path: "NanosWorld/Meshes/SM_Cube", Meta: map[string]any{"category": "basic"}},
			{Key: "SM_Chair", Path: "NanosWorld/Meshes/SM_Chair", Meta: map[string]any{"category": "furniture", "thumbnail": "Thumbnails/SM_Chair.jpg", "tags": []any{"seat", "wood"}}},
			{Key: "SM Rock.01", Path: "NanosWorldExtra/Props/SM_Rock_01"},
		}
		if !reflect.DeepEqual(sm, want) {
			t.Errorf("static meshes\n%+v\nwant %+v", sm, want)
		}
		if as, ok := a.Find(AssetBlueprints, "BP_Door"); !ok || as.Meta["interactive"] != true || as.Meta["weight"] != 12.5 {
			t.Errorf("BP_Door %+v %v", as, ok)
		}
		if cat, as, ok := a.Lookup("BlankMap"); !ok || cat != AssetMaps || as.Path != "NanosWorld/Maps/BlankMap" {
			t.Errorf("lookup %v %+v %v", cat, as, ok)
		}
		if _, _, ok := a.Lookup("Nope"); ok {
			t.Error("lookup of a missing key")
		}
	})
}

func TestParseAssetsWarningsAndErrors(t *testing.T) {
	warnCases := []struct {
		name string
		src  string
		want []string
	}{
		{"unknown category kept", "[meta]\n[unreal]\nunreal_folders = [\"x\"]\n[assets.vehicles]\nV = \"p\"\n", []string{"f:4:", "unknown asset category \"vehicles\""}},
		{"other is others", "[meta]\n[unreal]\nunreal_folders = [\"x\"]\n[assets.other]\nT = \"p\"\n", []string{"\"others\""}},
		{"no unreal table", "[meta]\ntitle = \"x\"\n", []string{"no [unreal] table"}},
		{"both folder keys", "[meta]\n[unreal]\nunreal_folder = \"a\"\nunreal_folders = [\"b\"]\n", []string{"unreal_folder is ignored"}},
		{"unknown key", "[meta]\n[unreal]\nunreal_folders = [\"x\"]\nengine = 5\n", []string{"f:4:", "unreal.engine", "unknown key"}},
		{"bad version", "[meta]\nversion = \"1\"\n[unreal]\nunreal_folders = [\"x\"]\n", []string{"meta.version", "SemVer"}},
		{"unknown top level", "[meta]\n[unreal]\nunreal_folders = [\"x\"]\n[extra]\n", []string{"extra"}},
		{"image in meta", "[meta]\nimage = \"http://x\"\n[unreal]\nunreal_folders = [\"x\"]\n", []string{"f:2:", "meta.image", "Assets.jpg beside Assets.toml"}},
		{"unknown meta key", "[meta]\nlicense = \"MIT\"\n[unreal]\nunreal_folders = [\"x\"]\n", []string{"meta.license", "unknown key"}},
	}
	for _, tt := range warnCases {
		t.Run(tt.name, func(t *testing.T) {
			a, warns, err := ParseAssets([]byte(tt.src), "f")
			if err != nil || a == nil {
				t.Fatal(err)
			}
			if !hasWarning(warns, tt.want...) {
				t.Errorf("no warning %q in %v", tt.want, warns)
			}
		})
	}
	a, _, err := ParseAssets([]byte("[meta]\n[unreal]\nunreal_folders = [\"x\"]\n[assets.other]\nT = \"p\"\n[assets.vehicles]\nV = \"q\"\n"), "f")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Find(AssetOthers, "T"); !ok {
		t.Error("other not read as others")
	}
	if _, ok := a.Find("vehicles", "V"); !ok {
		t.Error("unknown category dropped")
	}
	// the unknown category survives rendering
	b, _, err := ParseAssets(a.Render(), "r")
	if err != nil || !reflect.DeepEqual(a.Assets, b.Assets) {
		t.Errorf("render lost assets: %v\n%s", err, a.Render())
	}

	errCases := []struct {
		name, src string
		line      int
		want      string
	}{
		{"empty", "", 0, "no [meta] or [asset_pack] table"},
		{"syntax", "[meta]\ntitle = = 1\n", 2, "invalid TOML"},
		{"entry without path", "[meta]\n[assets.maps]\nM = { category = \"x\" }\n", 3, "needs a path string"},
		{"entry of wrong type", "[meta]\n[assets.maps]\nM = 3\n", 3, "integer 3"},
		{"category not a table", "[meta]\n[assets]\nmaps = \"x\"\n", 3, "expected a table [assets.maps]"},
		{"folders not a list", "[meta]\n[unreal]\nunreal_folders = \"x\"\n", 3, "array of strings"},
		{"old folder not a string", "[meta]\n[unreal]\nunreal_folder = 1\n", 3, "expected a string"},
		{"plugin flag", "[meta]\n[unreal]\nis_plugin_content = \"no\"\n", 3, "true or false"},
	}
	for _, tt := range errCases {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseAssets([]byte(tt.src), "Assets/x/Assets.toml")
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tt.line || !strings.Contains(err.Error(), tt.want) || pe.File != "Assets/x/Assets.toml" {
				t.Errorf("err = %v, want line %d %q", err, tt.line, tt.want)
			}
		})
	}
}

func normalizedAssets(a *AssetPack) AssetPack {
	c := *a
	c.File, c.Generation, c.Image = "", 0, ""
	return c
}

func TestAssetsRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/assets/*.toml")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			a, _, err := ParseAssets(readTestdata(t, "assets/"+filepath.Base(f)), f)
			if err != nil {
				t.Fatal(err)
			}
			r1 := a.Render()
			b, warns, err := ParseAssets(r1, "rendered")
			if err != nil || len(warns) != 0 || b.Generation != AssetsGen3 {
				t.Fatalf("%v %v\n%s", err, warns, r1)
			}
			if x, y := normalizedAssets(a), normalizedAssets(b); !reflect.DeepEqual(x, y) {
				t.Errorf("round trip changed the model:\n%+v\n%+v\n%s", x, y, r1)
			}
			if r2 := b.Render(); string(r1) != string(r2) {
				t.Errorf("render not stable:\n%s\n---\n%s", r1, r2)
			}
		})
	}
}

// TestAssetsRenderMatchesTemplate checks the rendering of the template's
// own values is the official Assets.toml template byte for byte.
func TestAssetsRenderMatchesTemplate(t *testing.T) {
	want := readTestdata(t, "templates/assets.toml")
	a, warns, err := ParseAssets(want, "template")
	if err != nil || len(warns) != 0 {
		t.Fatalf("template: %v %v", err, warns)
	}
	if a.Count() != 0 || !reflect.DeepEqual(a.UnrealFolders, []string{"MyAssetPack", "MyAnotherContentFolder"}) {
		t.Errorf("template model %+v", a)
	}
	if got := a.Render(); string(got) != string(want) {
		t.Errorf("render differs from the template:\n%s", got)
	}
	n, err := NewAssetPack("my-asset-pack", "My Awesome Asset Pack", "Contributor Names")
	if err != nil {
		t.Fatal(err)
	}
	n.UnrealFolders = []string{"MyAssetPack", "MyAnotherContentFolder"}
	if got := n.Render(); string(got) != string(want) {
		t.Errorf("new pack differs from the template:\n%s", got)
	}
}

func TestNewAssetPack(t *testing.T) {
	a, err := NewAssetPack("my-assets", "", "")
	if err != nil {
		t.Fatal(err)
	}
	out := string(a.Render())
	for _, frag := range []string{"# vault configurations\n[meta]\n    # friendly name\n    title =                 \"my-assets\"\n", "[asset_pack]\n    # asset packs requirements\n    assets_requirements = [\n\n    ]\n",
		"unreal_folders = [\n        \"my-assets\"\n    ]\n", "    unreal_version =        \"5.7.0\"\n", "    is_plugin_content =     false\n", "    # maps\n    [assets.maps]\n", "    [assets.others]\n"} {
		if !strings.Contains(out, frag) {
			t.Errorf("render lacks %q:\n%s", frag, out)
		}
	}
	b, warns, err := ParseAssets([]byte(out), "x")
	if err != nil || len(warns) != 0 || b.Title != "my-assets" || b.Version != "0.1.0" {
		t.Errorf("%+v %v %v", b, warns, err)
	}
	if _, err := NewAssetPack("Bad Name", "", ""); err == nil {
		t.Error("bad name accepted")
	}
}

func TestLoadAssetsDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ware")
	orig := readTestdata(t, "assets/old-asset-pack.toml")
	mkfiles(t, dir, map[string]string{"Assets.toml": string(orig)})
	a, warns, err := LoadAssetsDir(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "ware" || a.Generation != AssetsGen1 || !hasWarning(warns, "Assets.toml.old") {
		t.Errorf("%+v %v", a, warns)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "Assets.toml.old")); err != nil || string(b) != string(orig) {
		t.Errorf("original not kept: %v", err)
	}
	a2, warns, err := LoadAssetsDir(dir, LoadOptions{})
	if err != nil || len(warns) != 0 || a2.Generation != AssetsGen3 {
		t.Errorf("second load %v %v", warns, err)
	}
	if x, y := normalizedAssets(a), normalizedAssets(a2); !reflect.DeepEqual(x, y) {
		t.Errorf("converted file differs:\n%+v\n%+v", x, y)
	}

	ro := filepath.Join(t.TempDir(), "ro")
	mkfiles(t, ro, map[string]string{"Assets.toml": string(orig)})
	if _, _, err := LoadAssetsDir(ro, LoadOptions{ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(ro); len(entries) != 1 {
		t.Errorf("read-only load wrote files")
	}

	none := filepath.Join(t.TempDir(), "none")
	mkfiles(t, none, map[string]string{"x.uasset": ""})
	if _, _, err := LoadAssetsDir(none, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "no Assets.toml") {
		t.Errorf("err = %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad")
	mkfiles(t, bad, map[string]string{"Assets.toml": "[meta\n"})
	if _, _, err := LoadAssetsDir(bad, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "bad/Assets.toml:") || !strings.Contains(err.Error(), "invalid TOML") {
		t.Errorf("err = %v", err)
	}
}
