package packages_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/internal/packages"
	"github.com/nanoforge/nanoforge/internal/packages/packagestest"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

func TestDirSourceResolvesFromDisk(t *testing.T) {
	root := t.TempDir()
	packagestest.MustWrite(t, root,
		packagestest.Spec{Name: "gm", Kind: manifest.KindGameMode, Requires: []string{"utils"}, Assets: []string{"pack"},
			Edit: func(p *manifest.Package) {
				p.CustomSettings = []manifest.CustomSetting{
					{Key: "max_props", Type: manifest.SettingInteger, Default: int64(100)},
					{Key: "pvp", Type: manifest.SettingBoolean, Default: true},
				}
			}},
		packagestest.Spec{Name: "utils"},
		packagestest.Spec{Name: "extra"},
		packagestest.Spec{Name: "island", Kind: manifest.KindMap, Edit: func(p *manifest.Package) {
			p.CustomData = map[string]any{"weather": "rain"}
		}},
	)
	if err := packagestest.WriteAssetPack(root, "pack", "base-pack"); err != nil {
		t.Fatal(err)
	}
	if err := packagestest.WriteAssetPack(root, "base-pack"); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "Packages", ".data"), 0o755); err != nil {
		t.Fatal(err)
	}

	pkgs, assets, err := packages.Discover(root)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"extra", "gm", "island", "utils"}; !slices.Equal(pkgs, want) {
		t.Errorf("Discover packages = %v, want %v (hidden .data skipped)", pkgs, want)
	}
	if want := []string{"base-pack", "pack"}; !slices.Equal(assets, want) {
		t.Errorf("Discover assets = %v, want %v", assets, want)
	}

	src := &packages.DirSource{Root: root}
	plan := packages.Resolve(packages.Selection{GameMode: "gm", Packages: []string{"extra"}, Map: "island"}, src)
	var order []string
	for _, i := range plan.Order {
		order = append(order, i.Name)
	}
	if want := []string{"utils", "gm", "extra", "island"}; !slices.Equal(order, want) {
		t.Errorf("order = %v, want %v (failures %v)", order, want, plan.Failures)
	}
	// The map's default map_asset is nanos-world::BlankMap: the built-in pack comes first.
	if want := []string{"nanos-world", "pack", "base-pack"}; !slices.Equal(plan.AssetPacks, want) {
		t.Errorf("asset packs = %v, want %v (errors %v)", plan.AssetPacks, want, plan.AssetErrors)
	}
	if plan.Map == nil || len(plan.Map.SpawnPoints) != 1 || plan.Map.CustomData["weather"] != "rain" {
		t.Fatalf("map = %+v, want one spawn point and custom data weather=rain", plan.Map)
	}
	sp := plan.Map.SpawnPoints[0]
	if sp.Location != (scripthost.Vector3{X: -140, Y: -120, Z: 100}) || sp.Rotation.Y != -60 {
		t.Errorf("spawn point = %+v", sp)
	}
	gm := plan.GameMode
	if gm.Dir != filepath.Join(root, "Packages", "gm") || gm.CompatibilityVersion != "1.25" {
		t.Errorf("game-mode info = %+v", gm)
	}
	if sp := gm.ScriptPackage(); sp.Kind != scripthost.KindGameMode || !slices.Equal(sp.Requirements, []string{"utils"}) {
		t.Errorf("ScriptPackage = %+v", sp)
	}

	settings, warns := packages.EffectiveSettings(gm,
		map[string]any{"max_props": int64(5), "pvp": "yes", "free": "x"},
		map[string]any{"max_props": int64(7)})
	if settings["max_props"] != int64(7) || settings["pvp"] != true || settings["free"] != "x" {
		t.Errorf("settings = %v, want max_props 7 (command line), pvp true (bad type kept default), free x", settings)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "pvp") {
		t.Errorf("warnings = %v, want one naming pvp", warns)
	}
}

func TestDirSourceErrors(t *testing.T) {
	root := t.TempDir()
	src := &packages.DirSource{Root: root}
	if _, err := src.Package("nope"); !errors.Is(err, packages.ErrNotFound) || !strings.Contains(err.Error(), "Packages/nope") {
		t.Errorf("missing package error = %v, want ErrNotFound naming Packages/nope", err)
	}
	if _, err := src.Package("../x"); err == nil {
		t.Error("a name with a slash was accepted")
	}
	if _, err := src.AssetPack("nope"); !errors.Is(err, packages.ErrNotFound) {
		t.Errorf("missing asset pack error = %v", err)
	}
	dir := filepath.Join(root, "Packages", "bad")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Package.toml"), []byte("[meta]\ntitle = \"x\"\nbroken line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := src.Package("bad")
	if err == nil || !strings.Contains(err.Error(), "Package.toml:3") {
		t.Errorf("broken manifest error = %v, want file:line", err)
	}
	plan := packages.Resolve(packages.Selection{Packages: []string{"bad"}}, src)
	if len(plan.Failures) != 1 || !strings.Contains(plan.Failures[0].Error(), "package 'bad' not loaded") {
		t.Errorf("failures = %v", plan.Failures)
	}
}

// A requirement pinned for the Store (name@^1.2) is found locally by its folder name.
func TestFromManifestDropsVersionPins(t *testing.T) {
	p := &manifest.Package{Name: "gm", Kind: manifest.KindGameMode,
		PackagesRequirements: []string{"utils@^1.2", "extra"},
		AssetsRequirements:   []string{"pack@1.0.0"}}
	info := packages.FromManifest(p, t.TempDir())
	if want := []string{"utils", "extra"}; !slices.Equal(info.PackagesRequirements, want) {
		t.Errorf("PackagesRequirements = %v, want %v", info.PackagesRequirements, want)
	}
	if want := []string{"pack"}; !slices.Equal(info.AssetsRequirements, want) {
		t.Errorf("AssetsRequirements = %v, want %v", info.AssetsRequirements, want)
	}
}

// AssetPackNotes returns the manifest's warnings with the requirements; read-only sources
// convert nothing on disk.
func TestDirSourceAssetPackNotes(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "Assets", "old")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := "[asset_pack]\nname = \"Old\"\nauthor = \"me\"\nversion = \"1.0.0\"\nunreal_folder = \"Old\"\nassets_requirements = [\"base\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Assets.toml"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	ro := &packages.DirSource{Root: root, ReadOnly: true}
	reqs, notes, err := ro.AssetPackNotes("old")
	if err != nil || !slices.Equal(reqs, []string{"base"}) {
		t.Fatalf("AssetPackNotes = %v, %v", reqs, err)
	}
	if len(notes) == 0 || !strings.Contains(notes[0], filepath.Join(dir, "Assets.toml")) {
		t.Errorf("notes = %q, want the conversion named with the file", notes)
	}
	if _, err := os.Stat(filepath.Join(dir, "Assets.toml.old")); err == nil {
		t.Error("a read-only source converted the file")
	}
	rw := &packages.DirSource{Root: root}
	if _, notes, err = rw.AssetPackNotes("old"); err != nil || !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, "Assets.toml.old") }) {
		t.Errorf("notes = %q, %v: want the kept original named", notes, err)
	}
	if _, _, err := rw.AssetPackNotes("missing"); !errors.Is(err, packages.ErrNotFound) {
		t.Errorf("missing pack: %v", err)
	}
	var _ packages.AssetPackNoter = rw
}
