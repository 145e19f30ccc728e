package manifest

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Keys of each gen3 type table, in template order.
var sectionKeys = map[Kind][]string{
	KindScript:        {"force_no_map_package", "auto_cleanup", "load_level_entities", "compatibility_version", "packages_requirements", "assets_requirements", "compatible_game_modes"},
	KindGameMode:      {"force_no_map_package", "auto_cleanup", "load_level_entities", "compatibility_version", "packages_requirements", "assets_requirements", "compatible_maps"},
	KindMap:           {"auto_cleanup", "load_level_entities", "compatibility_version", "packages_requirements", "assets_requirements", "compatible_game_modes", "map_asset", "spawn_points", "enable_water_buoyancy"},
	KindLoadingScreen: {},
	KindCModule:       {"modules"},
}

// legacyTemplateKeys are the type keys of the generation 1 and 2 template,
// which was shared by every package type.
var legacyTemplateKeys = []string{"force_no_map_script", "force_no_map_package", "auto_cleanup", "load_level_entities", "compatibility_version", "packages_requirements", "assets_requirements", "compatible_maps", "compatible_game_modes"}

// mapTomlKeys are the [map] keys of the old Map.toml.
var mapTomlKeys = []string{"compatible_game_modes", "compatibility_version", "packages_requirements", "assets_requirements", "spawn_points", "map_asset", "auto_cleanup", "load_level_entities"}

// ParsePackage parses a Package.toml of any generation. file names the
// source in errors and warnings ("Packages/sandbox/Package.toml"). Syntax
// errors, known keys with the wrong type and impossible shapes (no type, two
// types) are returned as *ParseError; everything else, including unknown
// keys and a non-SemVer version, becomes a Warning.
func ParsePackage(data []byte, file string) (*Package, []Warning, error) {
	m, md, err := decodeTOML(data, file)
	if err != nil {
		return nil, nil, err
	}
	s := &issues{file: file, lines: locateKeys(data)}
	p := &Package{File: file}

	var typeSections []string
	for _, k := range Kinds {
		if _, ok := m[k.Section()]; ok {
			typeSections = append(typeSections, k.Section())
		}
	}
	_, hasMeta := m["meta"]
	_, hasLegacy := m["package"]
	switch {
	case hasMeta || len(typeSections) > 0:
		if hasLegacy {
			s.warn("package", "old [package] table next to the newer [meta] table: it is ignored; move its values to [meta] and remove it")
		}
		parseGen3(m, md, s, p, typeSections, hasMeta)
	case hasLegacy:
		parseLegacy(m, s, p)
	default:
		s.fail("", "no [meta] or [package] table: a Package.toml needs [meta] (title, author, version) and one of [script], [game_mode], [map], [loading_screen] or [c_module]")
	}
	sortWarnings(s.warns)
	if s.err != nil {
		return nil, s.warns, s.err
	}
	return p, s.warns, nil
}

// ParseMapToml parses the old map-package descriptor Map.toml ([map] with
// spawn points and requirements, [custom_data]) into a map Package. The old
// files have no map_asset: a map package's folder was named after its level,
// so the caller (LoadPackageDir) must fill MapAsset when converting.
func ParseMapToml(data []byte, file string) (*Package, []Warning, error) {
	m, md, err := decodeTOML(data, file)
	if err != nil {
		return nil, nil, err
	}
	s := &issues{file: file, lines: locateKeys(data)}
	p := &Package{File: file, Generation: Gen2, LegacyMap: true, Kind: KindMap, AutoCleanup: true}
	tbl, ok := table(m, "map", s)
	if !ok && s.err == nil {
		s.fail("", "no [map] table: a Map.toml declares [map] with spawn_points (and optionally [custom_data])")
	}
	if s.err == nil {
		readLuaKeys(tbl, "map", s, p, mapTomlKeys)
		s.unknownKeys(tbl, "map", mapTomlKeys)
		readCustomData(m, md, s, p)
		for k := range m {
			if k != "map" && k != "custom_data" && k != "meta" {
				s.warn(k, "unknown table [%s] in Map.toml; it is ignored", k)
			}
		}
		if meta, ok := table(m, "meta", s); ok {
			s.meta(meta, "Package", &p.Title, &p.Author, &p.Version, &p.Image)
		}
	}
	sortWarnings(s.warns)
	if s.err != nil {
		return nil, s.warns, s.err
	}
	return p, s.warns, nil
}

func parseGen3(m map[string]any, md toml.MetaData, s *issues, p *Package, typeSections []string, hasMeta bool) {
	p.Generation = Gen3
	switch len(typeSections) {
	case 0:
		for _, k := range Kinds {
			if _, ok := m[string(k)]; ok && string(k) != k.Section() {
				s.fail(string(k), "[%s] is not a package type table: section names use underscores, write [%s]", k, k.Section())
				return
			}
		}
		s.fail("meta", "no package type table: add exactly one of [script], [game_mode], [map], [loading_screen] or [c_module]")
		return
	case 1:
	default:
		s.fail(typeSections[1], "more than one package type table ([%s]): a package has exactly one type; keep one table and remove the others", strings.Join(typeSections, "], ["))
		return
	}
	p.Kind, _ = kindForSection(typeSections[0])
	if hasMeta {
		if meta, ok := table(m, "meta", s); ok {
			s.meta(meta, "Package", &p.Title, &p.Author, &p.Version, &p.Image)
		}
	} else {
		s.warn(typeSections[0], "no [meta] table: add [meta] with title, author and version")
	}
	sec := p.Kind.Section()
	tbl, ok := table(m, sec, s)
	if !ok {
		return
	}
	p.AutoCleanup = p.Kind.HasLua() // template default
	switch p.Kind {
	case KindCModule:
		if v, ok := tbl["binaries"]; ok {
			if _, has := tbl["modules"]; !has {
				s.warn(sec+".binaries", "binaries was renamed to modules; rename the key")
				tbl["modules"] = v
				s.lines[sec+".modules"] = s.lines[sec+".binaries"]
			}
			delete(tbl, "binaries")
		}
		s.strings(tbl, sec, "modules", &p.Modules)
	default:
		if p.Kind.HasLua() {
			if v, ok := tbl["force_no_map_script"]; ok && p.Kind != KindMap {
				s.warn(sec+".force_no_map_script", "force_no_map_script was renamed to force_no_map_package; rename the key")
				if _, has := tbl["force_no_map_package"]; !has {
					tbl["force_no_map_package"] = v
					s.lines[sec+".force_no_map_package"] = s.lines[sec+".force_no_map_script"]
				}
				delete(tbl, "force_no_map_script")
			}
			readLuaKeys(tbl, sec, s, p, sectionKeys[p.Kind])
		}
	}
	s.unknownKeys(tbl, sec, sectionKeys[p.Kind])

	for k := range m {
		switch k {
		case "meta", sec:
		case "custom_settings":
			if p.Kind != KindGameMode {
				s.warn(k, "[custom_settings] is only read for game-mode packages; it is ignored here")
			}
		case "custom_data":
			if p.Kind != KindMap {
				s.warn(k, "[custom_data] is only read for map packages; it is ignored here")
			}
		case "package":
		default:
			s.warn(k, "unknown top-level key or table %q; it is ignored", k)
		}
	}
	if p.Kind == KindGameMode {
		readCustomSettings(m, md, s, p)
	}
	if p.Kind == KindMap {
		readCustomData(m, md, s, p)
	}
}

// meta reads the [meta] table that Package.toml and Assets.toml share; base ("Package" or
// "Assets") names the manifest in the hint that replaces the old image URL.
func (s *issues) meta(meta map[string]any, base string, title, author, version, image *string) {
	s.str(meta, "meta", "title", title)
	s.str(meta, "meta", "author", author)
	s.str(meta, "meta", "version", version)
	if _, ok := meta["image"]; ok {
		s.str(meta, "meta", "image", image)
		s.warn("meta.image", "image URLs are no longer used; put a 300x150 %s.jpg beside %s.toml instead", base, base)
	}
	s.unknownKeys(meta, "meta", []string{"title", "author", "version", "image"})
	s.checkVersion("meta.version", *version)
}

func parseLegacy(m map[string]any, s *issues, p *Package) {
	tbl, ok := table(m, "package", s)
	if !ok {
		return
	}
	var typ string
	s.str(tbl, "package", "type", &typ)
	_, hasGen2Keys := tbl["packages_requirements"]
	for _, k := range []string{"compatibility_version", "compatible_maps"} {
		if _, ok := tbl[k]; ok {
			hasGen2Keys = true
		}
	}
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "executable":
		p.Generation, p.Kind = Gen1, KindScript
	case "library":
		p.Generation, p.Kind, p.Library = Gen2, KindScript, true
		if !hasGen2Keys {
			p.Generation = Gen1
		}
		s.warn("package.type", `"library" packages are converted to script packages`)
	case "":
		p.Generation, p.Kind = Gen1, KindScript
		if hasGen2Keys {
			p.Generation = Gen2
		}
		s.warn("package", "no type key in [package]; treated as a script package")
	default:
		k, err := ParseKind(typ)
		if err != nil {
			s.fail("package.type", "unknown package type %q: use script, game-mode, map, loading-screen, c-module (or the old executable, library)", typ)
			return
		}
		p.Generation, p.Kind = Gen2, k
	}
	s.str(tbl, "package", "name", &p.Title)
	if _, ok := tbl["title"]; ok {
		s.str(tbl, "package", "title", &p.Title)
	}
	s.str(tbl, "package", "author", &p.Author)
	s.str(tbl, "package", "version", &p.Version)
	s.str(tbl, "package", "image", &p.Image)
	if v, ok := tbl["force_no_map_script"]; ok {
		if _, has := tbl["force_no_map_package"]; !has {
			tbl["force_no_map_package"] = v
			s.lines["package.force_no_map_package"] = s.lines["package.force_no_map_script"]
		}
	}
	p.AutoCleanup = p.Kind.HasLua()
	if p.Kind.HasLua() {
		readLuaKeys(tbl, "package", s, p, sectionKeys[p.Kind])
	}
	// The old template had the same keys for every type; those that do not
	// apply to this type are dropped, with a warning only when they say
	// something (a non-empty list).
	for _, k := range legacyTemplateKeys {
		if containsString(sectionKeys[p.Kind], k) || k == "force_no_map_script" && containsString(sectionKeys[p.Kind], "force_no_map_package") {
			continue
		}
		if list, ok := tbl[k].([]any); ok && len(list) > 0 {
			s.warn("package."+k, "%s is not used by %s packages; it is dropped", k, p.Kind)
		}
	}
	known := append([]string{"name", "title", "author", "version", "image", "type"}, legacyTemplateKeys...)
	s.unknownKeys(tbl, "package", known)
	s.checkVersion("package.version", p.Version)
	for k := range m {
		if k != "package" {
			s.warn(k, "unknown table [%s] in an old-format Package.toml; it is ignored", k)
		}
	}
}

// readLuaKeys reads the keys shared by script, game-mode and map tables,
// restricted to those in allowed.
func readLuaKeys(tbl map[string]any, sec string, s *issues, p *Package, allowed []string) {
	for _, k := range allowed {
		switch k {
		case "force_no_map_package":
			s.boolean(tbl, sec, k, &p.ForceNoMapPackage)
		case "auto_cleanup":
			s.boolean(tbl, sec, k, &p.AutoCleanup)
		case "load_level_entities":
			s.boolean(tbl, sec, k, &p.LoadLevelEntities)
		case "enable_water_buoyancy":
			s.boolean(tbl, sec, k, &p.EnableWaterBuoyancy)
		case "compatibility_version":
			s.compat(tbl, sec, &p.CompatibilityVersion)
		case "packages_requirements":
			s.strings(tbl, sec, k, &p.PackagesRequirements)
		case "assets_requirements":
			s.strings(tbl, sec, k, &p.AssetsRequirements)
		case "compatible_game_modes":
			s.strings(tbl, sec, k, &p.CompatibleGameModes)
		case "compatible_maps":
			s.strings(tbl, sec, k, &p.CompatibleMaps)
		case "map_asset":
			s.str(tbl, sec, k, &p.MapAsset)
		case "spawn_points":
			readSpawnPoints(tbl, sec, s, p)
		}
	}
}

func readSpawnPoints(tbl map[string]any, sec string, s *issues, p *Package) {
	v, ok := tbl["spawn_points"]
	if !ok {
		return
	}
	key := sec + ".spawn_points"
	var items []map[string]any
	switch list := v.(type) {
	case []any:
		for i, it := range list {
			t, ok := it.(map[string]any)
			if !ok {
				s.fail(key, "entry %d is %s; each spawn point is { location = \"Vector(x, y, z)\", rotation = \"Rotator(p, y, r)\" }", i+1, describe(it))
				return
			}
			items = append(items, t)
		}
	case []map[string]any:
		items = list
	default:
		s.fail(key, "expected an array of { location = \"Vector(x, y, z)\", rotation = \"Rotator(p, y, r)\" }, got %s", describe(v))
		return
	}
	p.SpawnPoints = nil
	for i, t := range items {
		var loc, rot string
		for f, fv := range t {
			str, isStr := fv.(string)
			switch f {
			case "location", "rotation":
				if !isStr {
					s.fail(key, "entry %d: %s must be a string such as \"Vector(0, 0, 100)\", got %s", i+1, f, describe(fv))
					return
				}
				if f == "location" {
					loc = str
				} else {
					rot = str
				}
			default:
				s.warn(key, "entry %d: unknown field %q; only location and rotation are read", i+1, f)
			}
		}
		if loc == "" {
			loc = "Vector()"
			s.warn(key, "entry %d has no location; using Vector(0, 0, 0)", i+1)
		}
		sp, err := ParseSpawnPoint(loc, rot)
		if err != nil {
			s.fail(key, "entry %d: %v", i+1, err)
			return
		}
		p.SpawnPoints = append(p.SpawnPoints, sp)
	}
}

// orderedSubkeys lists the direct children of table name in file order.
func orderedSubkeys(md toml.MetaData, name string, m map[string]any) []string {
	var keys []string
	seen := map[string]bool{}
	for _, k := range md.Keys() {
		if len(k) >= 2 && k[0] == name && !seen[k[1]] {
			if _, ok := m[k[1]]; ok {
				seen[k[1]] = true
				keys = append(keys, k[1])
			}
		}
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...)
}

func readCustomSettings(m map[string]any, md toml.MetaData, s *issues, p *Package) {
	tbl, ok := table(m, "custom_settings", s)
	if !ok {
		return
	}
	for _, key := range orderedSubkeys(md, "custom_settings", tbl) {
		path := "custom_settings." + key
		decl, ok := tbl[key].(map[string]any)
		if !ok {
			s.warn(path, "a custom setting is declared as { label = \"...\", type = \"boolean\", description = \"...\", default = true }, got %s; it is ignored", describe(tbl[key]))
			continue
		}
		cs := CustomSetting{Key: key}
		var typ string
		for f, v := range decl {
			str, isStr := v.(string)
			switch f {
			case "label", "description", "type":
				if !isStr {
					s.warn(path, "%s must be a string, got %s", f, describe(v))
					continue
				}
				switch f {
				case "label":
					cs.Label = str
				case "description":
					cs.Description = str
				default:
					typ = str
				}
			case "options":
				list, ok := v.([]any)
				if !ok {
					s.warn(path, "options must be an array of strings, got %s", describe(v))
					continue
				}
				for _, o := range list {
					if os, ok := o.(string); ok {
						cs.Options = append(cs.Options, os)
					} else {
						s.warn(path, "options: %s is not a string; it is skipped", describe(o))
					}
				}
			case "default":
			default:
				s.warn(path, "unknown field %q in a custom setting; known fields are label, type, description, default, options", f)
			}
		}
		cs.Type = SettingType(strings.ToLower(typ))
		if !cs.Type.Valid() {
			s.warn(path, "unknown custom setting type %q: use boolean, integer, floating, select or text", typ)
			cs.Type = SettingType(typ)
			cs.Default = decl["default"]
		} else {
			if cs.Type == SettingSelect && len(cs.Options) == 0 {
				s.warn(path, "select setting without options: add options = [\"a\", \"b\"]")
			}
			if cs.Type != SettingSelect && len(cs.Options) > 0 {
				s.warn(path, "options are only used by select settings")
			}
			def, has := decl["default"]
			if !has {
				cs.Default = zeroFor(cs.Type, cs.Options)
				s.warn(path, "no default; using %s", describe(cs.Default))
			} else if v, err := coerceSetting(cs.Type, cs.Options, def); err != nil {
				cs.Default = zeroFor(cs.Type, cs.Options)
				s.warn(path, "default: %v; using %s", err, describe(cs.Default))
			} else {
				cs.Default = v
			}
		}
		p.CustomSettings = append(p.CustomSettings, cs)
	}
}

func readCustomData(m map[string]any, md toml.MetaData, s *issues, p *Package) {
	tbl, ok := table(m, "custom_data", s)
	if !ok {
		return
	}
	if len(tbl) == 0 {
		return // an empty table and no table are the same
	}
	p.CustomData = tbl
	p.CustomDataOrder = orderedSubkeys(md, "custom_data", tbl)
}

// table returns m[name] as a table; a non-table value is an error.
func table(m map[string]any, name string, s *issues) (map[string]any, bool) {
	v, ok := m[name]
	if !ok {
		return nil, false
	}
	t, ok := v.(map[string]any)
	if !ok {
		s.fail(name, "expected a table [%s], got %s", name, describe(v))
		return nil, false
	}
	return t, true
}

// typed reads tbl[key] as a T. An absent key gives ok false quietly; a value of another type is
// reported at sec.key as "expected <want>, got <what it is>" and gives ok false too, so that the
// caller keeps its default.
func typed[T any](s *issues, tbl map[string]any, sec, key, want string) (t T, ok bool) {
	v, ok := tbl[key]
	if !ok {
		return t, false
	}
	if t, ok = v.(T); !ok {
		s.fail(sec+"."+key, "expected %s, got %s", want, describe(v))
	}
	return t, ok
}

func (s *issues) str(tbl map[string]any, sec, key string, dst *string) {
	if v, ok := typed[string](s, tbl, sec, key, "a string in quotes"); ok {
		*dst = v
	}
}

func (s *issues) boolean(tbl map[string]any, sec, key string, dst *bool) {
	if v, ok := typed[bool](s, tbl, sec, key, "true or false"); ok {
		*dst = v
	}
}

func (s *issues) strings(tbl map[string]any, sec, key string, dst *[]string) {
	list, ok := typed[[]any](s, tbl, sec, key, `an array of strings such as ["a", "b"]`)
	if !ok {
		return
	}
	if len(list) == 0 {
		*dst = nil // one representation for "none": absent and [] are equal
		return
	}
	out := make([]string, 0, len(list))
	for i, it := range list {
		str, ok := it.(string)
		if !ok {
			s.fail(sec+"."+key, "entry %d is %s; every entry must be a string in quotes", i+1, describe(it))
			return
		}
		out = append(out, str)
	}
	*dst = out
}

func (s *issues) compat(tbl map[string]any, sec string, dst *CompatVersion) {
	key := sec + ".compatibility_version"
	v, ok := tbl["compatibility_version"]
	if !ok {
		return
	}
	str, ok := v.(string)
	if !ok {
		s.fail(key, "expected a quoted \"major.minor\" string such as \"1.25\", got %s (a bare number cannot tell 1.1 from 1.10)", describe(v))
		return
	}
	if strings.TrimSpace(str) == "" {
		return
	}
	cv, err := ParseCompatVersion(str)
	if err != nil {
		s.fail(key, "%v", err)
		return
	}
	*dst = cv
}

func (s *issues) checkVersion(key, v string) {
	if v == "" {
		return
	}
	if err := CheckVersion(v); err != nil {
		s.warn(key, "%v", err)
	}
}

// unknownKeys warns about keys of tbl that are not in known.
func (s *issues) unknownKeys(tbl map[string]any, sec string, known []string) {
	var extra []string
	for k := range tbl {
		if !slices.Contains(known, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		hint := "it is ignored"
		if len(known) > 0 {
			hint = fmt.Sprintf("it is ignored (known keys: %s)", strings.Join(known, ", "))
		}
		s.warn(sec+"."+k, "unknown key in [%s]; %s", sec, hint)
	}
}
