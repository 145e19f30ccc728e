package config

import (
	"bytes"
	"math"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// Setting is one [custom_settings] entry. Value is one of string, int64, float64, bool, time.Time
// (including TOML local dates and times), []any of those, or CustomSettings for a table.
type Setting struct {
	Key   string
	Value any
}

// CustomSettings is the [custom_settings] section in file order. Values keep the type they were
// written with, so a value written as 1.0 stays a float and "1" stays a string.
type CustomSettings []Setting

// Get returns the value of key and whether it is present.
func (cs CustomSettings) Get(key string) (any, bool) {
	for _, s := range cs {
		if s.Key == key {
			return s.Value, true
		}
	}
	return nil, false
}

// Set replaces the value of key in place, or appends the key when it is new.
func (cs *CustomSettings) Set(key string, value any) {
	for i := range *cs {
		if (*cs)[i].Key == key {
			(*cs)[i].Value = value
			return
		}
	}
	*cs = append(*cs, Setting{Key: key, Value: value})
}

// Delete removes key and reports whether it was present.
func (cs *CustomSettings) Delete(key string) bool {
	for i := range *cs {
		if (*cs)[i].Key == key {
			*cs = append((*cs)[:i:i], (*cs)[i+1:]...)
			return true
		}
	}
	return false
}

// Merge sets every entry of other in cs, keeping the position of keys cs already has.
func (cs *CustomSettings) Merge(other CustomSettings) {
	for _, s := range other {
		cs.Set(s.Key, cloneValue(s.Value))
	}
}

// Map returns the settings as a plain map (nested tables become maps too), for callers that do
// not care about order.
func (cs CustomSettings) Map() map[string]any {
	m := make(map[string]any, len(cs))
	for _, s := range cs {
		m[s.Key] = plainValue(s.Value)
	}
	return m
}

// Clone returns a deep copy.
func (cs CustomSettings) Clone() CustomSettings {
	if cs == nil {
		return nil
	}
	out := make(CustomSettings, len(cs))
	for i, s := range cs {
		out[i] = Setting{Key: s.Key, Value: cloneValue(s.Value)}
	}
	return out
}

// cloneValue copies arrays and nested tables so that a clone shares nothing a caller could
// change; scalars are immutable and returned as they are.
func cloneValue(v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	case CustomSettings:
		return v.Clone()
	}
	return v
}

// plainValue turns nested CustomSettings into maps for Map, whose callers want plain Go values
// (e.g. to hand to Lua) and do not care about key order.
func plainValue(v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = plainValue(e)
		}
		return out
	case CustomSettings:
		return v.Map()
	}
	return v
}

// keyNode records where each key of a decoded document first appears: the decoder reports keys in
// file order, but the values come back as maps. It is a tree over key paths so that looking a key
// up costs the same however deep its table is.
type keyNode struct {
	pos  int
	kids map[string]*keyNode
}

// child returns the node of key k below n, or nil. It is safe on a nil node.
func (n *keyNode) child(k string) *keyNode {
	if n == nil {
		return nil
	}
	return n.kids[k]
}

// position returns the file position of n, or MaxInt for keys the decoder did not report.
func (n *keyNode) position() int {
	if n == nil {
		return math.MaxInt
	}
	return n.pos
}

// keyOrder builds the key tree of a decoded document.
func keyOrder(md toml.MetaData) *keyNode {
	root := &keyNode{}
	for i, k := range md.Keys() {
		n := root
		for _, part := range k {
			next := n.kids[part]
			if next == nil {
				if n.kids == nil {
					n.kids = map[string]*keyNode{}
				}
				next = &keyNode{pos: i}
				n.kids[part] = next
			}
			n = next
		}
	}
	return root
}

// orderedValue converts a decoded TOML value into the form kept in CustomSettings: tables become
// CustomSettings ordered as in the file (order is the value's node in the key tree), integers
// become int64.
func orderedValue(v any, order *keyNode) any {
	switch v := v.(type) {
	case map[string]any:
		return orderedTable(v, order)
	case []map[string]any:
		out := make([]any, len(v))
		for i, t := range v {
			out[i] = orderedTable(t, order)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = orderedValue(e, order)
		}
		return out
	case int:
		return int64(v)
	}
	return v
}

// orderedTable turns a decoded table into CustomSettings in the order its keys had in the file,
// because rewriting Config.toml must not shuffle what the operator wrote.
func orderedTable(t map[string]any, order *keyNode) CustomSettings {
	names := sortedKeys(t, order)
	out := make(CustomSettings, 0, len(names))
	for _, k := range names {
		out = append(out, Setting{Key: k, Value: orderedValue(t[k], order.child(k))})
	}
	return out
}

// sortedKeys returns the keys of t in file order. Keys the decoder did not report (inside arrays
// of inline tables, which carry no order) follow alphabetically so the output is stable.
func sortedKeys(t map[string]any, order *keyNode) []string {
	names := make([]string, 0, len(t))
	for k := range t {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		pi, pj := order.child(names[i]).position(), order.child(names[j]).position()
		if pi != pj {
			return pi < pj
		}
		return names[i] < names[j]
	})
	return names
}

// appendValue writes v as an inline TOML value.
func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		return appendString(b, v)
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		return appendFloat(b, v)
	case time.Time:
		return appendTime(b, v)
	case []string:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendString(b, e)
		}
		return append(b, ']')
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendValue(b, e)
		}
		return append(b, ']')
	case CustomSettings:
		if len(v) == 0 {
			return append(b, "{}"...)
		}
		b = append(b, "{ "...)
		for i, s := range v {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendKey(b, s.Key)
			b = append(b, " = "...)
			b = appendValue(b, s.Value)
		}
		return append(b, " }"...)
	}
	// Unreachable for values produced by this package; keep the output valid TOML regardless.
	return appendString(b, "")
}

// appendFloat writes f as a TOML float that reads back to exactly f (and stays a float).
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "nan"...)
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'g', -1, 64)
	// A float must stay a float when read back: 1 would become an integer.
	if !bytes.ContainsAny(b[start:], ".eEn") {
		b = append(b, ".0"...)
	}
	return b
}

// appendTime writes a TOML date-time, keeping local dates, times and date-times local.
func appendTime(b []byte, t time.Time) []byte {
	var layout string
	switch t.Location().String() {
	case "date-local":
		layout = "2006-01-02"
	case "time-local":
		layout = "15:04:05.999999999"
	case "datetime-local":
		layout = "2006-01-02T15:04:05.999999999"
	default:
		layout = time.RFC3339Nano
	}
	return t.AppendFormat(b, layout)
}

// appendKey writes a key bare when TOML allows it, quoted otherwise.
func appendKey(b []byte, k string) []byte {
	if k == "" {
		return append(b, `""`...)
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return appendString(b, k)
		}
	}
	return append(b, k...)
}

// appendString writes a TOML basic string. Invalid UTF-8 cannot be represented in TOML, so it
// becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\uFFFD"...)
			i++
			continue
		}
		switch {
		case r == '"':
			b = append(b, `\"`...)
		case r == '\\':
			b = append(b, `\\`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r < 0x20 || r == 0x7f:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[r>>4], "0123456789abcdef"[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// formatValue renders a decoded value for log lines.
func formatValue(v any) string {
	switch v := v.(type) {
	case map[string]any:
		return string(appendValue(nil, orderedTable(v, nil)))
	case []map[string]any, []any:
		return string(appendValue(nil, orderedValue(v, nil)))
	}
	return string(appendValue(nil, v))
}
