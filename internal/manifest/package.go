package manifest

import (
	"fmt"
	"strings"
)

// Generation identifies the shape a Package.toml was written in.
type Generation int

// The Package.toml generations; see the package documentation.
const (
	Gen1 Generation = 1 // [package] with type = "executable" | "library"
	Gen2 Generation = 2 // [package] with type = script | game-mode | loading-screen | library
	Gen3 Generation = 3 // [meta] + one type table; the current format
)

// Current is the generation Render writes.
const Current = Gen3

// Package is the model of a package descriptor of any generation. Fields
// that do not apply to the package's Kind are left at their zero values.
type Package struct {
	// Name is the package identifier: the folder name. ParsePackage leaves it
	// empty (a file does not know its folder); LoadPackageDir fills it.
	Name string
	// File is the path or name the manifest was read from, for messages.
	File string
	// Generation is the shape of the file as read, before any conversion.
	Generation Generation
	// LegacyMap is set when the model was read from an old Map.toml.
	LegacyMap bool
	// Library is set when an old "library" package was converted to script.
	Library bool
	// Generated is set by LoadPackageDir when the folder had no descriptor
	// and one was made up from its content.
	Generated bool
	// Backup is where LoadPackageDir kept the original of a converted old
	// file ("Package.toml.old"); empty when nothing was converted on disk.
	Backup string

	Kind    Kind
	Title   string // [meta] title; [package] name in old generations
	Author  string
	Version string // SemVer X.Y.Z for the Store; see CheckVersion
	// Image is the old image URL key; the newest format drops it in favour
	// of a Package.jpg beside Package.toml.
	Image string

	ForceNoMapPackage    bool
	AutoCleanup          bool
	LoadLevelEntities    bool
	CompatibilityVersion CompatVersion // zero when not declared
	PackagesRequirements []string
	AssetsRequirements   []string
	CompatibleGameModes  []string // script and map
	CompatibleMaps       []string // game-mode

	// CustomSettings are the game-mode [custom_settings] declarations in file
	// order.
	CustomSettings []CustomSetting

	// Map packages.
	MapAsset            string // "<asset-pack>::<asset-key>"
	SpawnPoints         []SpawnPoint
	EnableWaterBuoyancy bool
	// CustomData is the map's free-form [custom_data] table.
	CustomData map[string]any
	// CustomDataOrder keeps the file order of CustomData's keys so rendering
	// does not reshuffle them; keys missing from it are written sorted.
	CustomDataOrder []string

	// Modules lists a c-module's binaries without extension.
	Modules []string
}

// NewPackage returns a manifest for a new package with the template
// defaults: version 0.1.0, auto_cleanup on, the template's compatibility
// version, and for maps the blank map with one spawn point. It validates
// name and kind so the CLI can report bad input before writing anything.
func NewPackage(name, title, author string, kind Kind) (*Package, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	if !kind.Valid() {
		return nil, fmt.Errorf("new package %q: unknown type %q: use one of script, game-mode, map, loading-screen, c-module", name, kind)
	}
	if strings.TrimSpace(title) == "" {
		title = name
	}
	if strings.TrimSpace(author) == "" {
		author = "Contributor Names"
	}
	p := &Package{
		Name:       name,
		File:       "Package.toml",
		Generation: Current,
		Kind:       kind,
		Title:      title,
		Author:     author,
		Version:    "0.1.0",
	}
	if kind.HasLua() {
		p.AutoCleanup = true
		p.CompatibilityVersion = DefaultCompatVersion
	}
	if kind == KindMap {
		p.MapAsset = "nanos-world::BlankMap"
		p.SpawnPoints = []SpawnPoint{{Location: Vector{-140, -120, 100}, Rotation: Rotator{0, -60, 0}}}
	}
	return p, nil
}

// EffectiveCompatVersion is the compatibility version the runtime should
// apply: the declared one, or 1.0 (the oldest behaviour) when the manifest
// predates compatibility versions.
func (p *Package) EffectiveCompatVersion() CompatVersion {
	if p.CompatibilityVersion.IsZero() {
		return CompatVersion{Major: 1, Minor: 0}
	}
	return p.CompatibilityVersion
}

// DefaultSettings returns each declared custom setting's default value.
func (p *Package) DefaultSettings() map[string]any {
	out := make(map[string]any, len(p.CustomSettings))
	for _, s := range p.CustomSettings {
		if s.Default != nil {
			out[s.Key] = s.Default
		}
	}
	return out
}
