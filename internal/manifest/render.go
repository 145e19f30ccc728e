package manifest

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// listIndent is where the official server writes array entries: the value
// column of the templates.
const listIndent = "                            "

// Render writes the package in the newest format (generation 3): the
// official template of its kind with the same comments, section order and
// column layout, filled with the package's values. Rendering then parsing
// gives back an equal model (apart from File, Generation, Image, LegacyMap
// and Library, which describe where the model came from).
func (p *Package) Render() []byte {
	var b bytes.Buffer
	renderMeta(&b, p.Title, p.Author, p.Version)
	b.WriteString("\n")

	switch p.Kind {
	case KindGameMode:
		b.WriteString("# game-mode configurations\n[game_mode]\n")
		p.renderLuaKeys(&b, true)
		b.WriteString("    # compatible maps - maps to be highlighted when starting a new game through main menu\n")
		list(&b, "compatible_maps", p.CompatibleMaps)
		b.WriteString("\n# game-mode custom settings configurations\n")
		b.WriteString("# those settings can be configured through new game menu, Config.toml and server command line\n")
		b.WriteString("# and can be accessed through Server.GetCustomSettings() method from any package\n")
		b.WriteString("[custom_settings]\n")
		if len(p.CustomSettings) == 0 {
			b.WriteString("    # my_toggle = { label = \"awesome toggle\", type = \"boolean\", description = \"press this!\", default = true }\n")
		}
		for _, cs := range p.CustomSettings {
			b.WriteString("    ")
			b.WriteString(tomlKey(cs.Key))
			b.WriteString(" = ")
			b.WriteString(renderSetting(cs))
			b.WriteByte('\n')
		}
	case KindMap:
		b.WriteString("# map configurations\n[map]\n")
		p.renderLuaKeys(&b, false)
		b.WriteString("    # compatible game modes\n")
		list(&b, "compatible_game_modes", p.CompatibleGameModes)
		b.WriteString("    # map asset\n")
		kv(&b, "map_asset", quote(p.MapAsset))
		b.WriteString("    # list of spawn points\n")
		b.WriteString("    spawn_points = [\n")
		if len(p.SpawnPoints) == 0 {
			b.WriteString("\n")
		}
		for i, sp := range p.SpawnPoints {
			fmt.Fprintf(&b, "%s{ location = %s, rotation = %s }", listIndent, quote(sp.Location.String()), quote(sp.Rotation.String()))
			if i < len(p.SpawnPoints)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString("    ]\n")
		b.WriteString("    # whether to enable water buoyancy components on Actors if you map uses Water Plugin - disable it for additional performance on maps that don't need it\n")
		kv(&b, "enable_water_buoyancy", strconv.FormatBool(p.EnableWaterBuoyancy))
		b.WriteString("\n# map custom data\n")
		b.WriteString("# those data can be accessed through Server.GetMapConfig() method from any package\n")
		b.WriteString("[custom_data]\n")
		if len(p.CustomData) == 0 {
			b.WriteString("    # something = 123\n")
		}
		for _, k := range orderKeys(p.CustomData, p.CustomDataOrder) {
			b.WriteString("    ")
			b.WriteString(tomlKey(k))
			b.WriteString(" = ")
			writeValue(&b, p.CustomData[k])
			b.WriteByte('\n')
		}
	case KindLoadingScreen:
		b.WriteString("# loading-screen configurations\n[loading_screen]\n")
		b.WriteString("    # nothing here yet\"\n")
	case KindCModule:
		b.WriteString("# c module configurations\n[c_module]\n")
		b.WriteString("    # list of modules to load (without file extension)\n")
		b.WriteString("    modules = [\n")
		if len(p.Modules) == 0 {
			b.WriteString(listIndent + "# \"example\",\n")
		}
		for _, m := range p.Modules {
			b.WriteString(listIndent + quote(m) + ",\n")
		}
		b.WriteString("    ]\n")
	default: // script, and anything unexpected is safest as a script
		b.WriteString("# script configurations\n[script]\n")
		p.renderLuaKeys(&b, true)
		b.WriteString("    # compatible game modes\n")
		list(&b, "compatible_game_modes", p.CompatibleGameModes)
	}
	return b.Bytes()
}

func (p *Package) renderLuaKeys(b *bytes.Buffer, forceNoMap bool) {
	if forceNoMap {
		b.WriteString("    # whether to force the custom map package to do not load\n")
		kv(b, "force_no_map_package", strconv.FormatBool(p.ForceNoMapPackage))
	}
	b.WriteString("    # auto destroy all entities spawned by this package when it unloads\n")
	kv(b, "auto_cleanup", strconv.FormatBool(p.AutoCleanup))
	b.WriteString("    # whether to load all level entities on client - only enable it if your package needs to use level static meshes entities\n")
	kv(b, "load_level_entities", strconv.FormatBool(p.LoadLevelEntities))
	b.WriteString("    # the game version (major.minor) at the time this package was created, for granting compatibility between breaking changes\n")
	kv(b, "compatibility_version", quote(p.CompatibilityVersion.String()))
	b.WriteString("    # packages requirements\n")
	list(b, "packages_requirements", p.PackagesRequirements)
	b.WriteString("    # asset packs requirements\n")
	list(b, "assets_requirements", p.AssetsRequirements)
}

// kv writes `    key =<pad>value` with the value in the template's column.
func kv(b *bytes.Buffer, key, value string) {
	fmt.Fprintf(b, "    %-24s%s\n", key+" =", value)
}

// list writes a multi-line string array the way the templates do.
func list(b *bytes.Buffer, key string, items []string) {
	b.WriteString("    " + key + " = [\n")
	if len(items) == 0 {
		b.WriteString("\n")
	}
	for _, it := range items {
		b.WriteString(listIndent + quote(it) + ",\n")
	}
	b.WriteString("    ]\n")
}

func renderSetting(cs CustomSetting) string {
	var b bytes.Buffer
	b.WriteString("{ label = ")
	b.WriteString(quote(cs.Label))
	b.WriteString(", type = ")
	b.WriteString(quote(string(cs.Type)))
	b.WriteString(", description = ")
	b.WriteString(quote(cs.Description))
	if cs.Default != nil {
		b.WriteString(", default = ")
		writeValue(&b, cs.Default)
	}
	if len(cs.Options) > 0 {
		b.WriteString(", options = [")
		for i, o := range cs.Options {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quote(o))
		}
		b.WriteString("]")
	}
	b.WriteString(" }")
	return b.String()
}

// orderKeys returns m's keys: first those in order (if present), then the
// rest sorted.
func orderKeys(m map[string]any, order []string) []string {
	out := make([]string, 0, len(m))
	seen := make(map[string]bool, len(m))
	for _, k := range order {
		if _, ok := m[k]; ok && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// tomlKey writes a key bare when possible and quoted otherwise.
func tomlKey(k string) string {
	if isBareKey(k) {
		return k
	}
	return quote(k)
}

// quote writes a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// formatFloat writes a TOML float that reads back to exactly f.
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return formatFixed(f)
}

// renderMeta writes the [meta] table as the official templates of Package.toml and Assets.toml
// both have it.
func renderMeta(b *bytes.Buffer, title, author, version string) {
	b.WriteString("# vault configurations\n[meta]\n")
	b.WriteString("    # friendly name\n")
	kv(b, "title", quote(title))
	b.WriteString("    # contributors\n")
	kv(b, "author", quote(author))
	b.WriteString("    # version\n")
	kv(b, "version", quote(version))
}

// writeArray writes a TOML array on one line; the decoder hands arrays over as []any, but a
// model's own lists are typed slices.
func writeArray[T any](b *bytes.Buffer, items []T) {
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		writeValue(b, it)
	}
	b.WriteByte(']')
}

// writeValue writes any decoded TOML value on one line (tables inline).
func writeValue(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(quote(x))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		b.WriteString(formatFloat(x))
	case time.Time:
		switch x.Location().String() {
		case "datetime-local":
			b.WriteString(x.Format("2006-01-02T15:04:05.999999999"))
		case "date-local":
			b.WriteString(x.Format("2006-01-02"))
		case "time-local":
			b.WriteString(x.Format("15:04:05.999999999"))
		default:
			b.WriteString(x.Format(time.RFC3339Nano))
		}
	case []any:
		writeArray(b, x)
	case []map[string]any:
		writeArray(b, x)
	case []string:
		writeArray(b, x)
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{ ")
		for i, k := range orderKeys(x, nil) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tomlKey(k))
			b.WriteString(" = ")
			writeValue(b, x[k])
		}
		b.WriteString(" }")
	default:
		b.WriteString(quote(fmt.Sprint(v)))
	}
}
