package manifest

import (
	"bytes"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// AssetCategory is one [assets.<category>] table of an Assets.toml.
type AssetCategory string

// The asset categories, in template order. Their AssetType values in the
// scripting API are 2, 4, 8, 16, 32, 64, 128, 256 and 32768.
const (
	AssetMaps           AssetCategory = "maps"
	AssetStaticMeshes   AssetCategory = "static_meshes"
	AssetSkeletalMeshes AssetCategory = "skeletal_meshes"
	AssetSounds         AssetCategory = "sounds"
	AssetAnimations     AssetCategory = "animations"
	AssetParticles      AssetCategory = "particles"
	AssetMaterials      AssetCategory = "materials"
	AssetBlueprints     AssetCategory = "blueprints"
	AssetOthers         AssetCategory = "others"
)

// AssetCategories lists the known categories in template order.
var AssetCategories = []AssetCategory{AssetMaps, AssetStaticMeshes, AssetSkeletalMeshes, AssetSounds, AssetAnimations, AssetParticles, AssetMaterials, AssetBlueprints, AssetOthers}

// Valid reports whether c is a known category.
func (c AssetCategory) Valid() bool {
	for _, k := range AssetCategories {
		if c == k {
			return true
		}
	}
	return false
}

// Asset is one entry: `KEY = "path"` or `KEY = { path = "...", meta... }`.
type Asset struct {
	Key  string
	Path string
	// Meta holds every field but path (tags, category, thumbnail ...), which
	// scripts see through Assets.Get*(); nil for the plain string form.
	Meta map[string]any
}

// AssetPack generations.
const (
	AssetsGen1 Generation = 1 // [asset_pack] name, author, version, image, unreal_folder
	AssetsGen2 Generation = 2 // [meta] + [unreal] unreal_folder (single string)
	AssetsGen3 Generation = 3 // [meta] + [unreal] unreal_folders (list); current
)

// AssetPack is the model of an Assets.toml of any generation.
type AssetPack struct {
	// Name is the folder name (the "<pack>" of "<pack>::<key>"); empty from
	// ParseAssets, set by LoadAssetsDir.
	Name       string
	File       string
	Generation Generation

	Title   string
	Author  string
	Version string
	Image   string // old image URL; replaced by Assets.jpg

	AssetsRequirements []string
	UnrealFolders      []string
	UnrealVersion      string
	IsPluginContent    bool

	// Assets maps each category to its entries in file order. Categories
	// outside AssetCategories are kept (with a warning) under their name.
	Assets map[AssetCategory][]Asset
}

// NewAssetPack returns a manifest for a new asset pack with the template
// defaults and its folder name as the Unreal folder to mount.
func NewAssetPack(name, title, author string) (*AssetPack, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	if strings.TrimSpace(title) == "" {
		title = name
	}
	if strings.TrimSpace(author) == "" {
		author = "Contributor Names"
	}
	return &AssetPack{
		Name: name, File: "Assets.toml", Generation: AssetsGen3,
		Title: title, Author: author, Version: "0.1.0",
		UnrealFolders: []string{name}, UnrealVersion: "5.7.0",
		Assets: map[AssetCategory][]Asset{},
	}, nil
}

// Find returns the asset of a category by key.
func (a *AssetPack) Find(cat AssetCategory, key string) (Asset, bool) {
	for _, as := range a.Assets[cat] {
		if as.Key == key {
			return as, true
		}
	}
	return Asset{}, false
}

// Lookup finds an asset key in any category, in template order.
func (a *AssetPack) Lookup(key string) (AssetCategory, Asset, bool) {
	for _, c := range a.categories() {
		if as, ok := a.Find(c, key); ok {
			return c, as, true
		}
	}
	return "", Asset{}, false
}

// Count is the number of assets in all categories.
func (a *AssetPack) Count() int {
	n := 0
	for _, list := range a.Assets {
		n += len(list)
	}
	return n
}

// categories lists the known categories then any extra ones, sorted.
func (a *AssetPack) categories() []AssetCategory {
	out := append([]AssetCategory(nil), AssetCategories...)
	var extra []string
	for c := range a.Assets {
		if !c.Valid() {
			extra = append(extra, string(c))
		}
	}
	sort.Strings(extra)
	for _, c := range extra {
		out = append(out, AssetCategory(c))
	}
	return out
}

// ParseAssets parses an Assets.toml of any generation.
func ParseAssets(data []byte, file string) (*AssetPack, []Warning, error) {
	m, md, err := decodeTOML(data, file)
	if err != nil {
		return nil, nil, err
	}
	s := &issues{file: file, lines: locateKeys(data)}
	a := &AssetPack{File: file, Assets: map[AssetCategory][]Asset{}}

	meta, hasMeta := table(m, "meta", s)
	pack, hasPack := table(m, "asset_pack", s)
	unreal, hasUnreal := table(m, "unreal", s)
	if s.err != nil {
		return nil, s.warns, s.err
	}
	packKnown := []string{"assets_requirements"}
	switch {
	case hasMeta:
		a.Generation = AssetsGen3
		s.meta(meta, "Assets", &a.Title, &a.Author, &a.Version, &a.Image)
	case hasPack:
		a.Generation = AssetsGen1
		s.str(pack, "asset_pack", "name", &a.Title)
		s.str(pack, "asset_pack", "author", &a.Author)
		s.str(pack, "asset_pack", "version", &a.Version)
		s.str(pack, "asset_pack", "image", &a.Image)
		var folder string
		s.str(pack, "asset_pack", "unreal_folder", &folder)
		if folder != "" {
			a.UnrealFolders = []string{folder}
		}
		packKnown = append(packKnown, "name", "author", "version", "image", "unreal_folder")
		s.checkVersion("asset_pack.version", a.Version)
	default:
		s.fail("", "no [meta] or [asset_pack] table: an Assets.toml needs [meta] (title, author, version), [unreal] and [assets.*] tables")
		return nil, s.warns, s.err
	}
	if hasPack {
		s.strings(pack, "asset_pack", "assets_requirements", &a.AssetsRequirements)
		s.unknownKeys(pack, "asset_pack", packKnown)
	}
	if hasUnreal {
		if v, ok := unreal["unreal_folder"]; ok {
			if _, has := unreal["unreal_folders"]; !has {
				if str, ok := v.(string); ok {
					a.UnrealFolders = []string{str}
					if a.Generation == AssetsGen3 {
						a.Generation = AssetsGen2
					}
				} else {
					s.fail("unreal.unreal_folder", "expected a string, got %s", describe(v))
				}
			} else {
				s.warn("unreal.unreal_folder", "both unreal_folder and unreal_folders are set; unreal_folder is ignored")
			}
		}
		s.strings(unreal, "unreal", "unreal_folders", &a.UnrealFolders)
		s.str(unreal, "unreal", "unreal_version", &a.UnrealVersion)
		s.boolean(unreal, "unreal", "is_plugin_content", &a.IsPluginContent)
		s.unknownKeys(unreal, "unreal", []string{"unreal_folders", "unreal_folder", "unreal_version", "is_plugin_content"})
	} else if a.Generation == AssetsGen3 {
		s.warn("meta", "no [unreal] table: add [unreal] with unreal_folders, unreal_version and is_plugin_content")
	}
	if len(a.UnrealFolders) == 0 && s.err == nil {
		s.warn("unreal", "no Unreal folder to mount: set unreal_folders to the root folders inside Content/ used in Unreal")
	}
	if assets, ok := table(m, "assets", s); ok {
		readAssets(assets, md, s, a)
	}
	for k := range m {
		switch k {
		case "meta", "asset_pack", "unreal", "assets":
		default:
			s.warn(k, "unknown top-level key or table %q; it is ignored", k)
		}
	}
	if s.err != nil {
		return nil, s.warns, s.err
	}
	sortWarnings(s.warns)
	return a, s.warns, nil
}

func readAssets(assets map[string]any, md toml.MetaData, s *issues, a *AssetPack) {
	for _, catName := range orderedSubkeys(md, "assets", assets) {
		path := "assets." + catName
		entries, ok := assets[catName].(map[string]any)
		if !ok {
			s.fail(path, "expected a table [assets.%s] of KEY = \"path\" entries, got %s", catName, describe(assets[catName]))
			return
		}
		cat := AssetCategory(catName)
		if catName == "other" {
			s.warn(path, "category \"other\" is named \"others\"; its assets are read as others")
			cat = AssetOthers
		} else if !cat.Valid() {
			s.warn(path, "unknown asset category %q (known: maps, static_meshes, skeletal_meshes, sounds, animations, particles, materials, blueprints, others); its assets are kept as they are", catName)
		}
		// order keys as in the file
		var keys []string
		seen := map[string]bool{}
		for _, k := range md.Keys() {
			if len(k) >= 3 && k[0] == "assets" && k[1] == catName && !seen[k[2]] {
				if _, ok := entries[k[2]]; ok {
					seen[k[2]] = true
					keys = append(keys, k[2])
				}
			}
		}
		keys = append(keys, orderKeys(entries, keys)[len(keys):]...)
		for _, key := range keys {
			kp := path + "." + key
			switch v := entries[key].(type) {
			case string:
				a.Assets[cat] = append(a.Assets[cat], Asset{Key: key, Path: v})
			case map[string]any:
				p, ok := v["path"].(string)
				if !ok {
					s.fail(kp, "an asset with metadata needs a path string: %s = { path = \"Folder/Asset\", ... }", tomlKey(key))
					return
				}
				meta := make(map[string]any, len(v)-1)
				for mk, mv := range v {
					if mk != "path" {
						meta[mk] = mv
					}
				}
				if len(meta) == 0 {
					meta = nil
				}
				a.Assets[cat] = append(a.Assets[cat], Asset{Key: key, Path: p, Meta: meta})
			default:
				s.fail(kp, "expected \"path\" or { path = \"...\", ... }, got %s", describe(v))
				return
			}
		}
	}
}

// categoryComments are the template's heading and commented examples for
// each category; examples are written only for empty categories.
var categoryComments = map[AssetCategory][2]string{
	AssetMaps:           {"maps", "# MyMap = \"MyAssetPack/Maps/MyAwesomeMap\""},
	AssetStaticMeshes:   {"static meshes", "# SM_Flower_01 = \"MyAssetPack/Props/SM_Awesome_Flower_01\"\n        # SM_Rock_01 = { path = \"MyAnotherContentFolder/Props/SM_Rock_01\", my_tag = \"something\", thumbnail = \"Thumbnails/SM_Rock_01.jpg\" }"},
	AssetSkeletalMeshes: {"skeletal meshes", "# SK_Better_Man = \"MyAssetPack/Characters/SK_BetterMan_0\""},
	AssetSounds:         {"sounds", "# A_My_Sound = \"MyAnotherContentFolder/Sounds/A_My_Sound\""},
	AssetAnimations:     {"animations", "# A_Character_Jump = \"MyAssetPack/Animations/A_Character_Jump\""},
	AssetParticles:      {"particles", "# P_Big_Explosion = \"MyAnotherContentFolder/Particles/P_Big_Explosion\""},
	AssetMaterials:      {"materials", "# M_Red_Textured = \"MyAssetPack/Materials/M_Red_Textured\""},
	AssetBlueprints:     {"blueprints", "# BP_Blueprint = \"MyAnotherContentFolder/Blueprints/BP_Blueprint\""},
	AssetOthers:         {"other assets (for not yet categorized ones)", "# A_Audio_Rifle_Fire = \"MyAssetPack/Audios/A_Audio_Rifle_Fire\""},
}

// Render writes the asset pack in the newest Assets.toml format, with the
// comments and layout of the official template.
func (a *AssetPack) Render() []byte {
	var b bytes.Buffer
	renderMeta(&b, a.Title, a.Author, a.Version)
	b.WriteString("\n# asset pack configurations\n[asset_pack]\n")
	b.WriteString("    # asset packs requirements\n")
	b.WriteString("    assets_requirements = [\n")
	if len(a.AssetsRequirements) == 0 {
		b.WriteString("\n")
	}
	for _, r := range a.AssetsRequirements {
		b.WriteString("        " + quote(r) + ",\n")
	}
	b.WriteString("    ]\n")
	b.WriteString("\n# unreal engine configurations\n[unreal]\n")
	b.WriteString("    # unreal engine folders to mount - the exact name of the root folders inside Content/ or Plugin/ used in Unreal\n")
	b.WriteString("    unreal_folders = [\n")
	if len(a.UnrealFolders) == 0 {
		b.WriteString("\n")
	}
	for i, f := range a.UnrealFolders {
		b.WriteString("        " + quote(f))
		if i < len(a.UnrealFolders)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("    ]\n")
	b.WriteString("    # unreal engine version - unreal version this asset pack was compiled on\n")
	kv(&b, "unreal_version", quote(a.UnrealVersion))
	b.WriteString("    # whether this asset pack was created as a plugin content\"\n")
	kv(&b, "is_plugin_content", strconv.FormatBool(a.IsPluginContent))
	b.WriteString("\n# assets files\n[assets]\n")
	for i, c := range a.categories() {
		if i > 0 {
			b.WriteByte('\n')
		}
		comments, known := categoryComments[c]
		if !known {
			// the name goes into a comment, so only a plain one is echoed
			comments[0] = "more assets"
			if isBareKey(string(c)) {
				comments[0] = strings.ReplaceAll(string(c), "_", " ")
			}
		}
		b.WriteString("    # " + comments[0] + "\n")
		b.WriteString("    [assets." + tomlKey(string(c)) + "]\n")
		if len(a.Assets[c]) == 0 && known {
			b.WriteString("        " + comments[1] + "\n        # ...\n")
		}
		for _, as := range a.Assets[c] {
			b.WriteString("        " + tomlKey(as.Key) + " = ")
			if len(as.Meta) == 0 {
				b.WriteString(quote(as.Path))
			} else {
				b.WriteString("{ path = " + quote(as.Path))
				for _, k := range orderKeys(as.Meta, nil) {
					b.WriteString(", " + tomlKey(k) + " = ")
					writeValue(&b, as.Meta[k])
				}
				b.WriteString(" }")
			}
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// sortWarnings orders warnings by file position so output is stable.
func sortWarnings(w []Warning) {
	sort.SliceStable(w, func(i, j int) bool {
		if w[i].Line != w[j].Line {
			return w[i].Line < w[j].Line
		}
		return w[i].Key < w[j].Key
	})
}
