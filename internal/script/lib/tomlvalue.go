package lib

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// ParseTOML decodes a TOML document into the shared value model: tables
// become Object (keys in document order), arrays []any, integers int64,
// floats float64, and dates and times their RFC 3339 text (Lua has no
// date type).
func ParseTOML(s string) (v any, err error) {
	defer func() {
		// The decoder is not expected to panic, but its input comes from
		// packages; a bad file must never take the server down.
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("TOML.Parse: malformed document (%v)", r)
		}
	}()
	var m map[string]any
	md, err := toml.Decode(s, &m)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("TOML.Parse: %s at line %d, column %d", pe.Message, pe.Position.Line, pe.Position.Col)
		}
		return nil, fmt.Errorf("TOML.Parse: %v", err)
	}
	// Keep document order: md.Keys lists every key path in order.
	order := map[string]int{}
	for i, k := range md.Keys() {
		order[k.String()] = i
	}
	return tomlToValue(m, "", order), nil
}

func tomlToValue(v any, path string, order map[string]int) any {
	switch x := v.(type) {
	case map[string]any:
		obj := make(Object, 0, len(x))
		for k, e := range x {
			obj = append(obj, Member{Key: k, Value: tomlToValue(e, joinKey(path, k), order)})
		}
		slices.SortStableFunc(obj, func(a, b Member) int {
			oa, okA := order[joinKey(path, a.Key)]
			ob, okB := order[joinKey(path, b.Key)]
			if okA && okB && oa != ob {
				return oa - ob
			}
			return strings.Compare(a.Key, b.Key)
		})
		return obj
	case []map[string]any:
		arr := make([]any, len(x))
		for i, e := range x {
			arr[i] = tomlToValue(e, path, order)
		}
		return arr
	case []any:
		arr := make([]any, len(x))
		for i, e := range x {
			arr[i] = tomlToValue(e, path, order)
		}
		return arr
	case time.Time:
		// The decoder marks local (zone-less) values with these zone names.
		switch x.Location().String() {
		case "date-local":
			return x.Format("2006-01-02")
		case "time-local":
			return x.Format("15:04:05.999999999")
		case "datetime-local":
			return x.Format("2006-01-02T15:04:05.999999999")
		}
		return x.Format(time.RFC3339Nano)
	case int64, float64, string, bool:
		return x
	default:
		return fmt.Sprint(x)
	}
}

// joinKey builds the dotted key path the way toml.Key.String does, so the
// order lookup matches (keys that need quoting are quoted there too).
func joinKey(path, k string) string {
	kk := toml.Key{k}.String()
	if path == "" {
		return kk
	}
	return path + "." + kk
}

// EncodeTOML renders a table (an Object) as a TOML document. Keys are
// sorted; values must be representable (no nil inside arrays).
func EncodeTOML(v any) (string, error) {
	obj, ok := v.(Object)
	if !ok {
		if arr, isArr := v.([]any); isArr && len(arr) == 0 {
			return "", nil // an empty Lua table is an empty document
		}
		return "", fmt.Errorf("TOML.Dump: the top level must be a table with string keys, got %s", valueKind(v))
	}
	m, err := valueToTOML(obj, "")
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	enc := toml.NewEncoder(&buf)
	enc.Indent = ""
	if err := enc.Encode(m); err != nil {
		return "", fmt.Errorf("TOML.Dump: %v", err)
	}
	return buf.String(), nil
}

func valueToTOML(v any, path string) (any, error) {
	switch x := v.(type) {
	case Object:
		m := make(map[string]any, len(x))
		for _, mem := range x {
			e, err := valueToTOML(mem.Value, joinKey(path, mem.Key))
			if err != nil {
				return nil, err
			}
			if e != nil {
				m[mem.Key] = e
			}
		}
		return m, nil
	case []any:
		arr := make([]any, len(x))
		for i, e := range x {
			if e == nil {
				return nil, fmt.Errorf("TOML.Dump: %s[%d] is nil: TOML arrays cannot hold nil", path, i+1)
			}
			te, err := valueToTOML(e, fmt.Sprintf("%s[%d]", path, i+1))
			if err != nil {
				return nil, err
			}
			arr[i] = te
		}
		return arr, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return x, nil // TOML has nan and inf
		}
		return x, nil
	case nil, bool, int64, string:
		return x, nil
	default:
		return nil, fmt.Errorf("TOML.Dump: %s has unsupported Go type %T", path, v)
	}
}

func valueKind(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case bool:
		return "boolean"
	case int64, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case Object:
		return "table"
	}
	return fmt.Sprintf("%T", v)
}
