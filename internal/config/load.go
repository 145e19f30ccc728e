package config

import (
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// notes writes the operator-facing log lines of one load, each prefixed with the file name.
type notes struct {
	log    *slog.Logger
	prefix string
}

func (n *notes) warn(format string, args ...any) {
	n.log.Warn(n.prefix + fmt.Sprintf(format, args...))
}

func (n *notes) info(format string, args ...any) {
	n.log.Info(n.prefix + fmt.Sprintf(format, args...))
}

// parse decodes Config.toml text and turns it into a Config of the newest schema: older layouts
// are migrated, missing keys take their defaults, wrong types and out-of-range values are reset
// and unknown keys are dropped, each with one log line. Only invalid TOML is an error.
func parse(data []byte, file string, n *notes) (*Config, error) {
	if off := checkNesting(string(data)); off >= 0 {
		return nil, nestingError(file, string(data), off)
	}
	raw := map[string]any{}
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		return nil, newParseError(err, file, string(data), 0)
	}
	c := fromRaw(raw, keyOrder(md), n)
	validate(c, n)
	return c, nil
}

// legacyKey says where a key of the 2020–2023 [server] and [world] sections went.
type legacyKey struct {
	to      string // newest key, "" when the key was removed
	removed string // why it was removed and what to do instead
}

var legacySections = map[string]map[string]legacyKey{
	"server": {
		"name":             {to: "name"},
		"description":      {to: "description"},
		"max_players":      {to: "max_players"},
		"password":         {to: "password"},
		"ip":               {to: "ip"},
		"port":             {to: "port"},
		"query_port":       {to: "query_port"},
		"announce":         {to: "announce"},
		"dedicated_server": {to: "dedicated_server"},
		"token":            {to: "token"},
		"tick_rate":        {to: "max_tick_rate"},
		"log_level":        {to: "log_level"},
		"logo":             {removed: "the server logo is now Server.jpg next to Config.toml, or --logo <url> for one run"},
		"http_port":        {removed: "the HTTP file server now shares the game port (TCP)"},
	},
	"world": {
		"packages":       {to: "packages"},
		"assets":         {to: "assets"},
		"map":            {to: "map"},
		"game_mode":      {to: "game_mode"},
		"loading_screen": {to: "loading_screen"},
		"token":          {to: "token"},
		"banned_ids":     {to: "banned_ids"},
		"banned_ips":     {removed: "bans are by account ID now: add the players' account IDs to [general] banned_ids"},
		"voip_setting":   {removed: "voice chat is configured by packages now"},
	},
}

// fromRaw maps decoded TOML onto the newest schema. order gives the file position of every key
// path so that log lines and custom settings follow the file.
func fromRaw(raw map[string]any, order *keyNode, n *notes) *Config {
	c := Default()
	// found holds the value given for each newest key, by key name (names are unique across
	// sections).
	found := map[string]any{}
	top := sortedKeys(raw, order)

	// Pass 1: keys in their proper place in the newest layout win over anything migrated.
	for _, sec := range top {
		table, ok := raw[sec].(map[string]any)
		if !ok || sec == "custom_settings" || legacySections[sec] != nil {
			continue
		}
		for _, name := range sortedKeys(table, order.child(sec)) {
			if k := keyByName(name); k != nil && k.section == sec {
				found[name] = table[name]
			}
		}
	}

	// Pass 2: custom settings, keys in the wrong section, legacy sections, unknown keys.
	var legacyEmptyPackages bool
	for _, sec := range top {
		value := raw[sec]
		if sec == "custom_settings" {
			if t, ok := value.(map[string]any); ok {
				c.CustomSettings = orderedTable(t, order.child("custom_settings"))
			} else {
				n.warn("custom_settings = %s is not a section, dropped: write [custom_settings] and the settings below it", formatValue(value))
			}
			continue
		}
		table, ok := value.(map[string]any)
		legacy, isLegacy := legacySections[sec]
		if !ok {
			if isLegacy || isSection(sec) {
				n.warn("%s = %s is not a section, dropped: write [%s] and its keys below it", sec, formatValue(value), sec)
			} else {
				n.warn("unknown key %s outside any section dropped", sec)
			}
			continue
		}
		if !isLegacy && !isSection(sec) {
			n.warn("unknown section [%s] dropped%s", sec, suggest(sec, sectionNames()))
			continue
		}
		for _, name := range sortedKeys(table, order.child(sec)) {
			v := table[name]
			where := "[" + sec + "] " + name
			if isLegacy {
				lk, known := legacy[name]
				switch {
				case !known:
					n.warn("unknown key %s dropped (this older layout had no such key)", where)
				case lk.removed != "":
					n.warn("%s = %s dropped: %s", where, formatValue(v), lk.removed)
				case found[lk.to] != nil:
					n.warn("%s dropped: %s is already set in [%s]", where, lk.to, keyByName(lk.to).section)
				default:
					if sec == "world" && name == "packages" {
						if l, ok := v.([]any); ok && len(l) == 0 {
							legacyEmptyPackages = true
						}
					}
					if name == "tick_rate" {
						v = tickRateFromMilliseconds(where, v, n)
					} else {
						n.info("%s moved to [%s] %s", where, keyByName(lk.to).section, lk.to)
					}
					found[lk.to] = v
				}
				continue
			}
			k := keyByName(name)
			switch {
			case k != nil && k.section == sec:
				// taken in pass 1
			case sec == "optimization" && name == "tick_rate":
				if found["max_tick_rate"] != nil {
					n.warn("%s dropped: max_tick_rate is already set", where)
					continue
				}
				found["max_tick_rate"] = tickRateFromMilliseconds(where, v, n)
			case k != nil && found[name] == nil:
				n.warn("%s is in the wrong section, moved to [%s] %s", where, k.section, name)
				found[name] = v
			case k != nil:
				n.warn("%s dropped: %s is already set in [%s]", where, name, k.section)
			default:
				n.warn("unknown key %s dropped%s", where, suggest(name, keyNames()))
			}
		}
	}

	if legacyEmptyPackages {
		n.warn("[world] packages = [] used to load every package in Packages/; an empty [game] packages now loads none: list the packages to load")
	}
	migrateMapReference(found, n)
	migrateRatesFromMegabytes(found, n)

	for _, k := range keys {
		v, ok := found[k.name]
		if !ok || v == nil {
			n.info("%s is missing, set to the default %s", k.name, formatValue(fieldValue(k, c)))
			continue
		}
		assign(c, k, v, n)
	}
	return c
}

func isSection(name string) bool {
	for _, s := range sections {
		if s.name == name {
			return true
		}
	}
	return false
}

func sectionNames() []string {
	out := make([]string, len(sections))
	for i, s := range sections {
		out[i] = s.name
	}
	return out
}

func keyNames() []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.name
	}
	return out
}

// suggest returns " (did you mean x?)" when a known name is close to the unknown one.
func suggest(name string, known []string) string {
	best, dist := closest(name, known)
	if best == "" || dist > 2 && dist*3 > len(name) {
		return ""
	}
	return " (did you mean " + best + "?)"
}

// tickRateFromMilliseconds converts the tick_rate of files written before 2025-05-28, which was
// a tick interval in milliseconds, into a frequency in Hz.
func tickRateFromMilliseconds(where string, v any, n *notes) any {
	var ms float64
	switch x := v.(type) {
	case int64:
		ms = float64(x)
	case float64:
		ms = x
	default:
		return v // reported as a wrong type when assigned
	}
	if !(ms > 0) || math.IsInf(ms, 0) {
		n.warn("%s = %s (milliseconds) is not a positive interval, dropped", where, formatValue(v))
		return nil
	}
	hz := int64(math.Round(1000 / ms))
	n.info("%s = %s (milliseconds per tick) converted to max_tick_rate = %d (ticks per second)", where, formatValue(v), hz)
	return hz
}

// builtinMaps maps the built-in map assets of 2020–2023 files (NanosWorld::BlankMap,
// nanos-world::TestingMap) to the map packages that replaced them on 2023-03-27.
var builtinMaps = map[string]string{
	"blankmap":   "default-blank-map",
	"emptymap":   "default-empty-map",
	"oceanmap":   "default-ocean-map",
	"testingmap": "default-testing-map",
}

// migrateMapReference converts map = "nanos-world::BlankMap"-style references of older
// Config.toml files to the map package that replaced them, so old servers keep their map.
func migrateMapReference(found map[string]any, n *notes) {
	s, ok := found["map"].(string)
	if !ok {
		return
	}
	if to, ok := builtinMapPackage(s); ok {
		n.info("map = %q is a built-in map asset of older versions, converted to the map package %q", s, to)
		found["map"] = to
	}
}

// builtinMapPackage returns the map package that replaced a built-in map asset reference.
func builtinMapPackage(ref string) (string, bool) {
	pack, asset, ok := strings.Cut(ref, "::")
	if !ok {
		return "", false
	}
	if p := strings.ToLower(pack); p != "nanosworld" && p != "nanos-world" {
		return "", false
	}
	to, ok := builtinMaps[strings.ToLower(asset)]
	return to, ok
}

// migrateRatesFromMegabytes converts the send rates of files written between 2025-11-06 and
// 2026-03-12, which were in MB/s (1–64). Those files predate distance_optimization, which is how
// they are told apart from a newer file with a too-small KB/s value.
func migrateRatesFromMegabytes(found map[string]any, n *notes) {
	if _, newer := found["distance_optimization"]; newer {
		return
	}
	for _, name := range []string{"max_send_rate", "max_file_transfer_rate"} {
		v, ok := found[name].(int64)
		if !ok || v < 1 || v > 64 {
			continue
		}
		n.info("%s = %d (MB/s, written before 2026-03-12) converted to %d KB/s", name, v, v*1024)
		found[name] = v * 1024
	}
}

// fieldValue returns the current value of key k in c.
func fieldValue(k *keyDef, c *Config) any {
	switch p := k.field(c).(type) {
	case *string:
		return *p
	case *int:
		return *p
	case *bool:
		return *p
	case *[]string:
		return *p
	}
	return nil
}

// assign stores a decoded value in c, resetting values of the wrong type to the default.
func assign(c *Config, k *keyDef, v any, n *notes) {
	wrong := func() {
		n.warn("%s = %s is not %s, reset to %s", k.name, formatValue(v), k.kind, formatValue(fieldValue(k, c)))
	}
	switch p := k.field(c).(type) {
	case *string:
		s, ok := v.(string)
		if !ok {
			wrong()
			return
		}
		*p = s
	case *bool:
		b, ok := v.(bool)
		if !ok {
			wrong()
			return
		}
		*p = b
	case *int:
		i, ok := v.(int64)
		if !ok {
			wrong()
			return
		}
		// Clamp before narrowing so that huge values report their real size.
		lo, hi, note := k.bounds(c)
		if i < int64(lo) || i > int64(hi) {
			to := lo
			if i > int64(hi) {
				to = hi
			}
			n.warn("%s = %d is out of range %d..%d%s, reset to %d", k.name, i, lo, hi, note, to)
			i = int64(to)
		}
		*p = int(i)
	case *[]string:
		list, ok := v.([]any)
		if !ok {
			if s, isString := v.(string); isString {
				*p = splitList(s)
				n.warn("%s = %s is a string, not a list, read as %s", k.name, formatValue(v), formatValue(*p))
				return
			}
			wrong()
			return
		}
		out := make([]string, 0, len(list))
		for _, e := range list {
			switch e := e.(type) {
			case string:
				out = append(out, e)
			case int64:
				out = append(out, fmt.Sprint(e))
				n.warn("%s entry %d is a number, kept as the string %q", k.name, e, fmt.Sprint(e))
			default:
				n.warn("%s entry %s is not a string, dropped", k.name, formatValue(e))
			}
		}
		*p = out
	}
}

// splitList splits a comma-separated list, trimming blanks around entries and dropping empty ones.
func splitList(s string) []string {
	out := []string{}
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// validate resets every value that breaks a rule of the newest schema to the nearest valid value,
// with one log line each. Keys are checked in template order, so a limit that depends on another
// key (max_sync_rate on max_tick_rate) sees the already-valid value.
func validate(c *Config, n *notes) {
	for _, k := range keys {
		switch p := k.field(c).(type) {
		case *int:
			lo, hi, note := k.bounds(c)
			if *p < lo || *p > hi {
				to := min(max(*p, lo), hi)
				n.warn("%s = %d is out of range %d..%d%s, reset to %d", k.name, *p, lo, hi, note, to)
				*p = to
			}
			if k.name == "query_port" && *p == c.Discover.Port {
				to := *p + 1
				if to > k.max {
					to = *p - 1
				}
				n.warn("query_port = %d must differ from port = %d, reset to %d", *p, c.Discover.Port, to)
				*p = to
			}
		case *string:
			if !utf8.ValidString(*p) {
				fixed := strings.ToValidUTF8(*p, "\uFFFD")
				n.warn("%s is not valid UTF-8, invalid bytes replaced", k.name)
				*p = fixed
			}
			if k.maxLen > 0 && utf8.RuneCountInString(*p) > k.maxLen {
				cut := []rune(*p)[:k.maxLen]
				n.warn("%s is %d characters long, more than the %d allowed, cut to %q", k.name, utf8.RuneCountInString(*p), k.maxLen, string(cut))
				*p = string(cut)
			}
			if k.name == "language" && !validLanguage(*p) {
				to := "global"
				if l := strings.ToLower(strings.TrimSpace(*p)); validLanguage(l) {
					to = l
				}
				n.warn("language = %q is not a two-letter country code (br, us, de...) or \"global\", reset to %q", *p, to)
				*p = to
			}
			if k.name == "ip" {
				if _, err := netip.ParseAddr(*p); err != nil {
					n.warn("ip = %q is not an IP address, reset to \"0.0.0.0\" (all interfaces)", *p)
					*p = "0.0.0.0"
				}
			}
		case *[]string:
			*p = cleanList(k.name, *p, n)
		}
	}
}

// cleanList trims entries and drops empty and repeated ones, keeping the first occurrence so that
// the load order stays as written.
func cleanList(name string, list []string, n *notes) []string {
	out := make([]string, 0, len(list))
	seen := make(map[string]bool, len(list))
	for _, e := range list {
		t := strings.TrimSpace(e)
		if !utf8.ValidString(t) {
			t = strings.ToValidUTF8(t, "\uFFFD")
		}
		switch {
		case t == "":
			n.warn("%s has an empty entry, dropped", name)
			continue
		case seen[t]:
			n.warn("%s lists %q more than once, kept the first", name, t)
			continue
		case t != e:
			n.warn("%s entry %q has blanks around it, trimmed to %q", name, e, t)
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// validLanguage reports whether s is "global" or a lower-case two-letter country code, the
// values the server list shows a flag for.
func validLanguage(s string) bool {
	if s == "global" {
		return true
	}
	return len(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}
