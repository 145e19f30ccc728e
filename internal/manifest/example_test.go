package manifest_test

import (
	"fmt"

	"github.com/nanoforge/nanoforge/internal/manifest"
)

func ExampleParsePackage() {
	old := []byte(`
[package]
    name = "Deathmatch"
    type = "game-mode"
    force_no_map_script = true
    packages_requirements = [ "default-weapons" ]
`)
	p, warns, err := manifest.ParsePackage(old, "Packages/deathmatch/Package.toml")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Generation, p.Kind, p.Title, p.ForceNoMapPackage, p.PackagesRequirements, len(warns))
	// Output: 2 game-mode Deathmatch true [default-weapons] 0
}

func ExampleParsePackage_error() {
	_, _, err := manifest.ParsePackage([]byte("[meta]\n[script]\nauto_cleanup = \"yes\"\n"), "Package.toml")
	fmt.Println(err)
	// Output: Package.toml:3:1: script.auto_cleanup: expected true or false, got string "yes"
}

func ExampleCompatVersion_Compare() {
	a := manifest.MustCompatVersion("1.100")
	b := manifest.MustCompatVersion("1.99")
	fmt.Println(a.Compare(b), a.AtLeast(manifest.MustCompatVersion("1.139")))
	// Output: 1 false
}

func ExampleEffectiveSettings() {
	decls := []manifest.CustomSetting{
		{Key: "max_props", Type: manifest.SettingInteger, Default: int64(1000)},
		{Key: "enable_pvp", Type: manifest.SettingBoolean, Default: true},
	}
	config := map[string]any{"max_props": int64(200)}
	cmdline, _ := manifest.ParseCustomSettingsArg("max_props = 50, enable_pvp = 'no'")
	values, warns := manifest.EffectiveSettings(decls, config, cmdline)
	fmt.Println(values["max_props"], values["enable_pvp"])
	for _, w := range warns {
		fmt.Println(w)
	}
	// Output:
	// 50 true
	// --custom_settings: enable_pvp: custom setting declared as boolean: expected a boolean (true or false), got string "no"; keeping boolean true
}

func ExampleParseVector() {
	v, _ := manifest.ParseVector("Vector(-2006, 8287, 200)")
	r, _ := manifest.ParseRotator("Rotator()")
	fmt.Println(v.X, v.Y, v.Z, r)
	// Output: -2006 8287 200 Rotator(0.000000, 0.000000, 0.000000)
}

func ExampleNewPackage() {
	p, err := manifest.NewPackage("my-loading-screen", "My Loading Screen", "me", manifest.KindLoadingScreen)
	if err != nil {
		panic(err)
	}
	fmt.Print(string(p.Render()))
	// Output:
	// # vault configurations
	// [meta]
	//     # friendly name
	//     title =                 "My Loading Screen"
	//     # contributors
	//     author =                "me"
	//     # version
	//     version =               "0.1.0"
	//
	// # loading-screen configurations
	// [loading_screen]
	//     # nothing here yet"
}
