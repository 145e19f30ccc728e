package manifest

import (
	"strings"
	"testing"
)

func TestSplitAssetRef(t *testing.T) {
	pack, key, err := SplitAssetRef("nanos-world::BlankMap")
	if err != nil || pack != "nanos-world" || key != "BlankMap" {
		t.Errorf("%q %q %v", pack, key, err)
	}
	for _, bad := range []string{"", "BlankMap", "::x", "x::", "a::b::c"} {
		if _, _, err := SplitAssetRef(bad); err == nil {
			t.Errorf("SplitAssetRef(%q) accepted", bad)
		}
	}
}

func TestSplitRequirement(t *testing.T) {
	for in, want := range map[string][2]string{
		"default-weapons":       {"default-weapons", ""},
		"default-weapons@1.2.0": {"default-weapons", "1.2.0"},
		" nmrp-rpc @ ^1.2 ":     {"nmrp-rpc", "^1.2"},
		"x@":                    {"x", ""},
	} {
		if n, p := SplitRequirement(in); n != want[0] || p != want[1] {
			t.Errorf("SplitRequirement(%q) = %q, %q", in, n, p)
		}
	}
	p, _ := NewPackage("pkg", "", "", KindScript)
	p.PackagesRequirements = []string{"a@1.2.0", "b@^2", "c@>=1.0, <2.0"}
	if err := p.Validate(); err != nil {
		t.Errorf("pinned requirements: %v", err)
	}
	p.PackagesRequirements = []string{"a@", "b@not a version", "a@1.0.0"}
	err := p.Validate()
	for _, frag := range []string{`"a@": the version after '@'`, `"b@not a version"`, `"a" is listed twice`} {
		if err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("error lacks %q: %v", frag, err)
		}
	}
}

func TestPackageValidate(t *testing.T) {
	for _, k := range Kinds {
		p, err := NewPackage("my-package", "", "", k)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("new %s package invalid: %v", k, err)
		}
	}
	p := &Package{
		File: "Package.toml", Name: "Bad", Kind: KindMap, Version: "1.0",
		PackagesRequirements: []string{"a", "a", "Bad", "x y"},
		AssetsRequirements:   []string{"ok-pack"},
		MapAsset:             "BlankMap",
		CustomSettings:       []CustomSetting{{Key: "s", Type: SettingSelect}, {Key: "c", Type: "color"}},
		Modules:              []string{"libexample.so"},
	}
	err := p.Validate()
	if err == nil {
		t.Fatal("invalid package accepted")
	}
	for _, frag := range []string{
		`Package.toml: package name "Bad"`, "meta.title is empty", `meta.version: version "1.0"`,
		`map.packages_requirements: "a" is listed twice`, "cannot require itself", `"x y"`,
		"map.map_asset", "custom_settings.s: a select setting needs options", `custom_settings.c: unknown type "color"`,
		`"libexample.so" must be a bare module name`,
	} {
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("error lacks %q:\n%v", frag, err)
		}
	}
	if err := (&Package{Kind: KindScript, Title: "t", Version: "1.0.0"}).Validate(); err == nil || !strings.Contains(err.Error(), "name unknown") {
		t.Errorf("nameless: %v", err)
	}
}

func TestAssetPackValidate(t *testing.T) {
	a, err := NewAssetPack("my-assets", "", "")
	if err != nil {
		t.Fatal(err)
	}
	a.Assets[AssetMaps] = []Asset{{Key: "Map", Path: "my-assets/Maps/Map"}}
	if err := a.Validate(); err != nil {
		t.Errorf("valid pack: %v", err)
	}
	a.Version = "x"
	a.UnrealFolders = nil
	a.AssetsRequirements = []string{"my-assets"}
	a.Assets[AssetMaps] = append(a.Assets[AssetMaps], Asset{Key: "Map", Path: "p"}, Asset{Key: "Empty"}, Asset{Key: " ", Path: "p"})
	err = a.Validate()
	for _, frag := range []string{"meta.version", "unreal_folders is empty", "cannot require itself", "assets.maps.Map: duplicate key", "assets.maps.Empty: empty path", "empty key"} {
		if err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("error lacks %q: %v", frag, err)
		}
	}
}
