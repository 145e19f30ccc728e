package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/internal/packages/packagestest"
)

// writeFiles creates files (path relative to root → content).
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Every old manifest generation loads, is rewritten in the newest format and keeps its original
// beside it; a miscased folder is warned about; then the console loads a folder without a
// Package.toml (one is generated), unloads a requirement with its dependents named, and reloads.
func TestOldManifestsAndPackageCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gen1 := "[package]\r\n\tname = \"Gen One\"\r\n\tauthor = \"me\"\r\n\tversion = \"1.0.0\"\r\n\timage = \"x.jpg\"\r\n\ttype = \"executable\"\r\n"
	gen2 := "[package]\nname = \"Gen Two\"\nauthor = \"me\"\nversion = \"1.0.0\"\ntype = \"library\"\ncompatibility_version = \"1.21\"\npackages_requirements = [\"gen1\"]\n"
	mapToml := "[map]\ncompatibility_version = \"1.100\"\nspawn_points = [ { location = \"Vector(1, 2, 3)\", rotation = \"Rotator(0, 90, 0)\" } ]\n[custom_data]\nweather = \"rain\"\n"
	oldAssets := "[asset_pack]\nname = \"Old Pack\"\nauthor = \"me\"\nversion = \"1.0.0\"\nunreal_folder = \"OldPack\"\n[assets.maps]\nM = \"OldPack/M\"\n"
	writeFiles(t, dir, map[string]string{
		"Packages/gen1/Package.toml":     gen1,
		"Packages/gen1/server/Index.lua": "Console.Log('gen1 ran')\n",
		"Packages/gen2/Package.toml":     gen2,
		"Packages/gen2/Server/Index.lua": "Console.Log('gen2 ran')\n",
		"Packages/old-map/Map.toml":      mapToml,
		"Packages/old-map/Server/Index.lua": "local sp = Server.GetMapSpawnPoints()\n" +
			"Console.Log('spawn ' .. #sp .. ' ' .. Server.GetMapConfig().weather)\n",
		"Packages/bare/Server/Index.lua": "Console.Log('bare ran')\n",
		"Assets/old-pack/Assets.toml":    oldAssets,
	})
	packagestest.MustWrite(t, dir, packagestest.Spec{Name: "user", Requires: []string{"gen2"}, Assets: []string{"old-pack"}})

	p := start(t, dir, "--packages", "user", "--map", "old-map")
	p.waitOutput("Server started")
	out := p.stdout.String()
	for _, want := range []string{
		"gen1 ran", "gen2 ran", "spawn 1 rain",
		`folder "server" must be named "Server"`,
		"Loading asset packs: [old-pack]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("start-up output lacks %q:\n%s", want, out)
		}
	}
	for old, backup := range map[string]string{
		"Packages/gen1/Package.toml": gen1, "Packages/gen2/Package.toml": gen2,
		"Packages/old-map/Map.toml": mapToml, "Assets/old-pack/Assets.toml": oldAssets,
	} {
		kept, err := os.ReadFile(filepath.Join(dir, old+".old"))
		if err != nil || string(kept) != backup {
			t.Errorf("%s.old = %q, %v; want the original kept byte for byte", old, kept, err)
		}
	}
	for _, f := range []string{"Packages/gen1/Package.toml", "Packages/gen2/Package.toml", "Packages/old-map/Package.toml"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || !strings.Contains(string(data), "[meta]") || strings.Contains(string(data), "[package]") {
			t.Errorf("%s not in the newest format (%v):\n%s", f, err, data)
		}
	}

	p.send("package load bare")
	p.waitOutput("Package 'bare' loaded.")
	if !strings.Contains(p.stdout.String(), "bare ran") {
		t.Errorf("bare package's Server/Index.lua did not run:\n%s", p.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "Packages/bare/Package.toml")); err != nil {
		t.Errorf("package load of a folder without Package.toml generated none: %v", err)
	}
	p.send("package unload gen1")
	p.waitOutput("Package 'gen1' unloaded.")
	for _, want := range []string{"Unloading 'user' too: it requires 'gen1'", "Unloading 'gen2' too: it requires 'gen1'"} {
		if !strings.Contains(p.stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, p.stdout)
		}
	}
	p.send("package load user")
	p.waitOutput("Package 'user' loaded.")
	p.send("package reload all")
	p.waitOutput("Reloaded 5 packages")
	p.send("package frobnicate x")
	p.waitOutput(`package: unknown action "frobnicate"`)
	p.stopByConsole()
}
