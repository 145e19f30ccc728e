package packages

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

// Folder names inside the server folder.
const (
	PackagesDir = "Packages"
	AssetsDir   = "Assets"
)

// DirSource reads packages from `<Root>/Packages/<name>` and asset packs from
// `<Root>/Assets/<name>` with internal/manifest. Old manifests are converted on disk as the
// manifest package does, unless ReadOnly is set. It holds no cache: every call reads the
// folder again, so `package reload` sees edits.
type DirSource struct {
	Root     string
	ReadOnly bool
}

// Package reads the named package's manifest.
func (d *DirSource) Package(name string) (*Info, error) {
	if err := checkFolderName(name); err != nil {
		return nil, err
	}
	dir := filepath.Join(d.Root, PackagesDir, name)
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) || err == nil && !st.IsDir() {
		return nil, fmt.Errorf("package '%s': %w (no folder %s; install it or fix the name)", name, ErrNotFound, filepath.Join(PackagesDir, name))
	}
	if err != nil {
		return nil, fmt.Errorf("package '%s': %w", name, err)
	}
	p, warns, err := manifest.LoadPackageDir(dir, manifest.LoadOptions{ReadOnly: d.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("package '%s': %w", name, err)
	}
	info := FromManifest(p, dir)
	for _, w := range warns {
		info.Warnings = append(info.Warnings, w.String())
	}
	return info, nil
}

// AssetPack reads the named asset pack's requirements.
func (d *DirSource) AssetPack(name string) ([]string, error) {
	reqs, _, err := d.AssetPackNotes(name)
	return reqs, err
}

// AssetPackNotes reads the named asset pack's requirements and its manifest's warnings, each
// naming the file (an old Assets.toml converted, with the original kept beside it).
func (d *DirSource) AssetPackNotes(name string) ([]string, []string, error) {
	if err := checkFolderName(name); err != nil {
		return nil, nil, err
	}
	dir := filepath.Join(d.Root, AssetsDir, name)
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) || err == nil && !st.IsDir() {
		return nil, nil, fmt.Errorf("asset pack '%s': %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("asset pack '%s': %w", name, err)
	}
	a, warns, err := manifest.LoadAssetsDir(dir, manifest.LoadOptions{ReadOnly: d.ReadOnly})
	if err != nil {
		return nil, nil, err
	}
	notes := make([]string, 0, len(warns))
	for _, w := range warns {
		notes = append(notes, w.String())
	}
	return slices.Clone(a.AssetsRequirements), notes, nil
}

// checkFolderName rejects names that would leave the Packages or Assets folder.
func checkFolderName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return fmt.Errorf("%q is not a package name: use the package's folder name", name)
	}
	return nil
}

// requirementNames drops the version pins (name@^1.2) that a manifest may
// carry for the Store: locally a requirement is found by its folder name alone.
func requirementNames(reqs []string) []string {
	names := make([]string, 0, len(reqs))
	for _, req := range reqs {
		name, _ := manifest.SplitRequirement(req)
		names = append(names, name)
	}
	return names
}

// FromManifest converts a parsed manifest of the package in dir.
func FromManifest(p *manifest.Package, dir string) *Info {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	info := &Info{
		Name: p.Name, Title: p.Title, Author: p.Author, Version: p.Version,
		Kind: scripthost.Kind(p.Kind), Dir: dir,
		PackagesRequirements: requirementNames(p.PackagesRequirements),
		AssetsRequirements:   requirementNames(p.AssetsRequirements),
		ForceNoMapPackage:    p.ForceNoMapPackage,
		LoadLevelEntities:    p.LoadLevelEntities,
		CustomData:           p.CustomData,
		MapAsset:             p.MapAsset,
		Manifest:             p,
	}
	if info.Name == "" {
		info.Name = filepath.Base(dir)
	}
	if !p.CompatibilityVersion.IsZero() {
		info.CompatibilityVersion = p.CompatibilityVersion.String()
	}
	for _, sp := range p.SpawnPoints {
		info.SpawnPoints = append(info.SpawnPoints, scripthost.SpawnPoint{
			Location: scripthost.Vector3{X: sp.Location.X, Y: sp.Location.Y, Z: sp.Location.Z},
			Rotation: scripthost.Vector3{X: sp.Rotation.Pitch, Y: sp.Rotation.Yaw, Z: sp.Rotation.Roll},
		})
	}
	return info
}

// Discover lists the package and asset pack folders of the server folder root, sorted. Hidden
// folders (`.data`, `.cache`) are skipped. Missing folders give empty lists.
func Discover(root string) (pkgs, assets []string, err error) {
	list := func(sub string) ([]string, error) {
		entries, err := os.ReadDir(filepath.Join(root, sub))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", filepath.Join(root, sub), err)
		}
		var out []string
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				out = append(out, e.Name())
			}
		}
		return out, nil
	}
	if pkgs, err = list(PackagesDir); err != nil {
		return nil, nil, err
	}
	if assets, err = list(AssetsDir); err != nil {
		return nil, nil, err
	}
	return pkgs, assets, nil
}

// EffectiveSettings computes the game-mode's custom settings as scripts see them: declared
// defaults < Config.toml < command line. gameMode may be nil (no declarations: values pass
// through). The warnings name each value that did not match its declared type.
func EffectiveSettings(gameMode *Info, config, cmdline map[string]any) (map[string]any, []string) {
	var decls []manifest.CustomSetting
	if gameMode != nil {
		if m, ok := gameMode.Manifest.(*manifest.Package); ok {
			decls = m.CustomSettings
		}
	}
	values, warns := manifest.EffectiveSettings(decls, config, cmdline)
	var out []string
	for _, w := range warns {
		out = append(out, w.String())
	}
	return values, out
}
