package lib

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nanoforge/nanoforge/internal/lua"
	"github.com/nanoforge/nanoforge/internal/manifest"
)

// AssetType is the AssetType enum.
type AssetType int

// The AssetType enum values.
const (
	AssetMap          AssetType = 2
	AssetStaticMesh   AssetType = 4
	AssetSkeletalMesh AssetType = 8
	AssetSound        AssetType = 16
	AssetAnimation    AssetType = 32
	AssetParticle     AssetType = 64
	AssetMaterial     AssetType = 128
	AssetBlueprint    AssetType = 256
	AssetOther        AssetType = 32768
)

// assetCategories ties each Assets.GetX function to its type and to the
// Assets.toml section ([assets.maps], ...).
var assetCategories = []struct {
	fn      string
	section string
	typ     AssetType
}{
	{"GetMaps", "maps", AssetMap},
	{"GetStaticMeshes", "static_meshes", AssetStaticMesh},
	{"GetSkeletalMeshes", "skeletal_meshes", AssetSkeletalMesh},
	{"GetSounds", "sounds", AssetSound},
	{"GetAnimations", "animations", AssetAnimation},
	{"GetParticles", "particles", AssetParticle},
	{"GetMaterials", "materials", AssetMaterial},
	{"GetBlueprints", "blueprints", AssetBlueprint},
	{"GetOthers", "others", AssetOther},
}

// AssetSection returns the Assets.toml section name of an asset type
// ("static_meshes"), or "" for an unknown type.
func AssetSection(t AssetType) string {
	for _, c := range assetCategories {
		if c.typ == t {
			return c.section
		}
	}
	return ""
}

// Asset is one entry of an asset pack: its key, the path written in
// Assets.toml, and any extra metadata the entry carries.
type Asset struct {
	Key  string
	Path string
	Meta map[string]any // extra fields (scalars); may be nil
}

// AssetPack is a loaded asset pack as the Assets class shows it.
type AssetPack struct {
	// Path is the pack's folder name under Assets/, which scripts use to
	// refer to it ("nanos-world").
	Path    string
	Name    string // title from the manifest
	Author  string
	Version string
	// Assets maps the Assets.toml section ("maps", "static_meshes", ...)
	// to its entries.
	Assets map[string][]Asset
}

// Precached is an asset a script asked to preload with Assets.Precache.
type Precached struct {
	Path string
	Type AssetType
}

// CompatHost is an optional extension of Host: the compatibility_version
// ("major.minor") of the package whose code is running on s, or "" when
// unknown. With it, Assets.GetX keep their pre-1.55 result format for
// packages that declare an older version.
type CompatHost interface {
	CompatibilityVersion(s *lua.State) string
}

// legacyAssets reports whether the running package predates 1.55.
func (l *Libs) legacyAssets(s *lua.State) bool {
	ch, ok := l.host.(CompatHost)
	if !ok {
		return false
	}
	return VersionBefore(ch.CompatibilityVersion(s), 1, 55)
}

// VersionBefore reports whether a "major.minor" compatibility version is
// older than major.minor, comparing numerically (1.103 > 1.99). An empty
// or malformed version is not older: it gets the current behaviour.
func VersionBefore(v string, major, minor int) bool {
	ma, mi, ok := strings.Cut(strings.TrimSpace(v), ".")
	if !ok {
		return false
	}
	a, err1 := strconv.Atoi(ma)
	b, err2 := strconv.Atoi(mi)
	if err1 != nil || err2 != nil || a < 0 || b < 0 {
		return false
	}
	return a < major || (a == major && b < minor)
}

// Precached returns the assets scripts asked to preload, in call order,
// without duplicates.
func (l *Libs) Precached() []Precached {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.precache)
}

func (l *Libs) findPack(path string) (AssetPack, bool) {
	for _, p := range l.host.AssetPacks() {
		if p.Path == path {
			return p, true
		}
	}
	return AssetPack{}, false
}

// registerAssets defines the Assets static functions.
func (l *Libs) registerAssets(s *lua.State) error {
	cls, err := newClass(s, "Assets")
	if err != nil {
		return err
	}
	setStatic(s, cls, "GetAssetPacks", func(s *lua.State) (int, error) {
		packs := l.host.AssetPacks()
		s.CreateTable(len(packs), 0)
		for i, p := range packs {
			s.CreateTable(0, 4)
			for _, kv := range [][2]string{{"Name", p.Name}, {"Path", p.Path}, {"Author", p.Author}, {"Version", p.Version}} {
				s.PushString(kv[1])
				s.RawSetField(-2, kv[0])
			}
			s.RawSetI(-2, int64(i+1))
		}
		return 1, nil
	})
	for _, c := range assetCategories {
		section := c.section
		fnName := c.fn
		setStatic(s, cls, fnName, func(s *lua.State) (int, error) {
			packPath, err := argString(s, 1, "", false)
			if err != nil {
				return 0, err
			}
			pack, ok := l.findPack(packPath)
			if !ok {
				l.log.Warn(fmt.Sprintf("Assets.%s: no asset pack %q is loaded", fnName, packPath))
				s.NewTable()
				return 1, nil
			}
			assets := slices.Clone(pack.Assets[section])
			slices.SortFunc(assets, func(a, b Asset) int { return strings.Compare(a.Key, b.Key) })
			s.CreateTable(len(assets), 0)
			if l.legacyAssets(s) {
				// Before 1.55 the lists held the keys as plain strings.
				for i, a := range assets {
					s.PushString(a.Key)
					s.RawSetI(-2, int64(i+1))
				}
				return 1, nil
			}
			for i, a := range assets {
				s.CreateTable(0, 2+len(a.Meta))
				for k, v := range a.Meta {
					pushValue(s, v)
					s.RawSetField(-2, k)
				}
				s.PushString(a.Key)
				s.RawSetField(-2, "key")
				s.PushString(a.Path)
				s.RawSetField(-2, "path")
				s.RawSetI(-2, int64(i+1))
			}
			return 1, nil
		})
	}
	setStatic(s, cls, "GetAssetPath", func(s *lua.State) (int, error) {
		ref, err := argString(s, 1, "", false)
		if err != nil {
			return 0, err
		}
		typ, err := argInt(s, 2, 0)
		if err != nil {
			return 0, err
		}
		packPath, key, ok := strings.Cut(ref, "::")
		if !ok {
			return 0, &lua.ArgError{Arg: 1, Msg: fmt.Sprintf("asset reference %q must be written \"asset-pack::AssetKey\"", ref)}
		}
		section := AssetSection(AssetType(typ))
		if section == "" {
			return 0, &lua.ArgError{Arg: 2, Msg: fmt.Sprintf("unknown AssetType %d", typ)}
		}
		if pack, ok := l.findPack(packPath); ok {
			for _, a := range pack.Assets[section] {
				if a.Key == key {
					s.PushString(a.Path)
					return 1, nil
				}
			}
		}
		s.PushString("")
		return 1, nil
	})
	setStatic(s, cls, "Precache", func(s *lua.State) (int, error) {
		p, err := argString(s, 1, "", false)
		if err != nil {
			return 0, err
		}
		typ, err := argInt(s, 2, int64(AssetOther))
		if err != nil {
			return 0, err
		}
		if AssetSection(AssetType(typ)) == "" {
			return 0, &lua.ArgError{Arg: 2, Msg: fmt.Sprintf("unknown AssetType %d", typ)}
		}
		item := Precached{Path: p, Type: AssetType(typ)}
		l.mu.Lock()
		if !slices.Contains(l.precache, item) {
			l.precache = append(l.precache, item)
		}
		l.mu.Unlock()
		return 0, nil
	})
	s.Pop(1)
	return nil
}

// AssetPackFromManifest converts a loaded Assets.toml (manifest.LoadAssetsDir)
// into what the Assets class shows: the folder name is the pack's Path,
// the title its Name.
func AssetPackFromManifest(m *manifest.AssetPack) AssetPack {
	p := AssetPack{Path: m.Name, Name: m.Title, Author: m.Author, Version: m.Version, Assets: map[string][]Asset{}}
	if p.Name == "" {
		p.Name = m.Name
	}
	for cat, entries := range m.Assets {
		list := make([]Asset, 0, len(entries))
		for _, e := range entries {
			list = append(list, Asset{Key: e.Key, Path: e.Path, Meta: e.Meta})
		}
		p.Assets[string(cat)] = list
	}
	return p
}
