package manifest

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// SettingType is the declared type of a game-mode custom setting.
type SettingType string

// The five custom-setting types.
const (
	SettingBoolean  SettingType = "boolean"  // checkbox; Go value bool
	SettingInteger  SettingType = "integer"  // Go value int64
	SettingFloating SettingType = "floating" // Go value float64
	SettingSelect   SettingType = "select"   // dropdown of Options; Go value string
	SettingText     SettingType = "text"     // text box; Go value string
)

// Valid reports whether t is one of the five types.
func (t SettingType) Valid() bool {
	switch t {
	case SettingBoolean, SettingInteger, SettingFloating, SettingSelect, SettingText:
		return true
	}
	return false
}

// CustomSetting is one game-mode [custom_settings] declaration:
//
//	key = { label = "...", type = "integer", description = "...", default = 10 }
type CustomSetting struct {
	Key         string
	Label       string
	Type        SettingType
	Description string
	// Default has the Go type of Type (bool, int64, float64 or string); it is
	// nil only when the declaration has an unknown type.
	Default any
	// Options lists the choices of a select setting.
	Options []string
}

// zeroFor is the value used when a declaration has no usable default.
func zeroFor(t SettingType, options []string) any {
	switch t {
	case SettingBoolean:
		return false
	case SettingInteger:
		return int64(0)
	case SettingFloating:
		return float64(0)
	case SettingSelect:
		if len(options) > 0 {
			return options[0]
		}
		return ""
	case SettingText:
		return ""
	}
	return nil
}

// coerceSetting converts v to the Go type of t. Integers are accepted for
// floating settings, and integral floats for integer settings, because
// command lines and hand-written Config.toml files mix them up.
func coerceSetting(t SettingType, options []string, v any) (any, error) {
	v = normalizeNumber(v)
	switch t {
	case SettingBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, fmt.Errorf("expected a boolean (true or false), got %s", describe(v))
	case SettingInteger:
		switch n := v.(type) {
		case int64:
			return n, nil
		case float64:
			if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
				return int64(n), nil
			}
		}
		return nil, fmt.Errorf("expected an integer, got %s", describe(v))
	case SettingFloating:
		switch n := v.(type) {
		case float64:
			return n, nil
		case int64:
			return float64(n), nil
		}
		return nil, fmt.Errorf("expected a number, got %s", describe(v))
	case SettingSelect:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("expected one of the options as a string, got %s", describe(v))
		}
		if len(options) > 0 && !slices.Contains(options, s) {
			return nil, fmt.Errorf("%q is not one of the options %s", s, quoteList(options))
		}
		return s, nil
	case SettingText:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, fmt.Errorf("expected a string, got %s", describe(v))
	}
	return v, nil // unknown declared type: keep whatever was given
}

// normalizeNumber turns any Go number into int64 or float64, the types a
// TOML decoder produces, so values from other decoders compare alike.
func normalizeNumber(v any) any {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int8:
		return int64(n)
	case int16:
		return int64(n)
	case int32:
		return int64(n)
	case uint8:
		return int64(n)
	case uint16:
		return int64(n)
	case uint32:
		return int64(n)
	case uint:
		if uint64(n) <= math.MaxInt64 {
			return int64(n)
		}
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n)
		}
	case float32:
		return float64(n)
	}
	return v
}

// describe names a TOML value for error messages: `string "abc"`.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("string %q", x)
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case int64:
		return fmt.Sprintf("integer %d", x)
	case float64:
		return fmt.Sprintf("float %s", formatFloat(x))
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// SettingsSource names one layer of custom-setting values in warnings
// ("Config.toml", "--custom_settings").
type SettingsSource struct {
	Name   string
	Values map[string]any
}

// EffectiveSettings computes the table Server.GetCustomSettings() returns:
// each declaration's default, overridden by Config.toml's [custom_settings]
// values, overridden by --custom_settings values. A value whose type does not
// match its declaration is skipped with a warning naming the key, so the
// previous layer's value stays. Keys nobody declared are passed through
// unchanged (packages read them too). Either map may be nil.
func EffectiveSettings(decls []CustomSetting, config, cmdline map[string]any) (map[string]any, []Warning) {
	return MergeSettings(decls,
		SettingsSource{Name: "Config.toml", Values: config},
		SettingsSource{Name: "--custom_settings", Values: cmdline})
}

// MergeSettings is EffectiveSettings with any number of named layers, lowest
// precedence first.
func MergeSettings(decls []CustomSetting, layers ...SettingsSource) (map[string]any, []Warning) {
	out := make(map[string]any, len(decls))
	byKey := make(map[string]CustomSetting, len(decls))
	for _, d := range decls {
		byKey[d.Key] = d
		if d.Default != nil {
			out[d.Key] = d.Default
		}
	}
	var warns []Warning
	for _, layer := range layers {
		keys := make([]string, 0, len(layer.Values))
		for k := range layer.Values {
			keys = append(keys, k)
		}
		sort.Strings(keys) // deterministic warning order
		for _, k := range keys {
			v := layer.Values[k]
			d, declared := byKey[k]
			if !declared || !d.Type.Valid() {
				out[k] = v
				continue
			}
			cv, err := coerceSetting(d.Type, d.Options, v)
			if err != nil {
				warns = append(warns, Warning{File: layer.Name, Key: k, Message: fmt.Sprintf(
					"custom setting declared as %s: %v; keeping %s", d.Type, err, describe(out[k]))})
				continue
			}
			out[k] = cv
		}
	}
	return out, warns
}

// ParseCustomSettingsArg parses the --custom_settings argument: the body of
// a TOML inline table without braces, `k1 = v1, k2 = 'text', k3 = 1.5`. As
// the docs write the flag with bare words ("var1 = value1"), a value that is
// not valid TOML is taken as a string (`mode = ffa` gives "ffa"). An empty
// argument yields an empty map.
func ParseCustomSettingsArg(arg string) (map[string]any, error) {
	if strings.TrimSpace(arg) == "" {
		return map[string]any{}, nil
	}
	if strings.ContainsAny(arg, "\r\n") {
		return nil, fmt.Errorf("--custom_settings %q: must be one line of key = value pairs separated by commas", arg)
	}
	var wrap struct {
		V map[string]any `toml:"v"`
	}
	if _, err := toml.Decode("v = { "+arg+" }", &wrap); err == nil {
		if wrap.V == nil {
			wrap.V = map[string]any{}
		}
		return wrap.V, nil
	}
	return parseSettingsLenient(arg)
}

// parseSettingsLenient splits the argument at top-level commas and reads
// each `key = value` on its own, keeping values that are not TOML as text.
func parseSettingsLenient(arg string) (map[string]any, error) {
	out := map[string]any{}
	pairs, ok := splitTopLevel(arg)
	if !ok {
		return nil, fmt.Errorf("--custom_settings %q: unbalanced quotes, brackets or braces", arg)
	}
	for _, pair := range pairs {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		key := strings.TrimSpace(k)
		if !ok || key == "" {
			return nil, fmt.Errorf("--custom_settings %q: %q is not key = value; separate pairs with commas, e.g. \"max_props = 100, mode = 'ffa'\"", arg, strings.TrimSpace(pair))
		}
		if parts := splitDotted(key); len(parts) == 1 {
			key = parts[0]
		} else {
			return nil, fmt.Errorf("--custom_settings %q: %q is not a setting name (letters, digits, _ and -)", arg, key)
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("--custom_settings %q: %q is set twice", arg, key)
		}
		val := strings.TrimSpace(v)
		var one struct {
			V any `toml:"v"`
		}
		if _, err := toml.Decode("v = "+val, &one); err == nil && one.V != nil {
			out[key] = one.V
		} else {
			out[key] = val
		}
	}
	return out, nil
}

// splitTopLevel splits s at commas outside quotes, brackets and braces; ok
// is false when those do not balance.
func splitTopLevel(s string) (parts []string, ok bool) {
	depth, start := 0, 0
	var quote rune
	for i, c := range s {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
			if depth < 0 {
				return nil, false
			}
		case c == ',' && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:]), quote == 0 && depth == 0
}
