package config

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseCustomSettings(t *testing.T) {
	tests := []struct {
		in   string
		want CustomSettings
	}{
		{"", CustomSettings{}},
		{"   ", CustomSettings{}},
		{"max_props = 1000, enable_pvp = true", CustomSettings{{"max_props", int64(1000)}, {"enable_pvp", true}}},
		{"my_toggle = true, my_text_input = 'awesome text!'", CustomSettings{{"my_toggle", true}, {"my_text_input", "awesome text!"}}},
		{`z = 1, a = 2, m = "3"`, CustomSettings{{"z", int64(1)}, {"a", int64(2)}, {"m", "3"}}},
		{"ratio = 0.5, big = 1e3, neg = -7, hex = 0xff", CustomSettings{{"ratio", 0.5}, {"big", 1000.0}, {"neg", int64(-7)}, {"hex", int64(255)}}},
		{"list = [1, 'a', true], t = { x = 1, b = 2 }", CustomSettings{{"list", []any{int64(1), "a", true}}, {"t", CustomSettings{{"x", int64(1)}, {"b", int64(2)}}}}},
		{"a.b = 1, a.c = 2", CustomSettings{{"a", CustomSettings{{"b", int64(1)}, {"c", int64(2)}}}}},
		{"'quoted key' = 'v', \"k\" = \"w\"", CustomSettings{{"quoted key", "v"}, {"k", "w"}}},
		{"trailing = 1,", CustomSettings{{"trailing", int64(1)}}},
		{"d = 2024-01-02", CustomSettings{{"d", time.Date(2024, 1, 2, 0, 0, 0, 0, time.FixedZone("date-local", 0))}}},
		{"text = 'a, b = c'", CustomSettings{{"text", "a, b = c"}}},
	}
	for _, tt := range tests {
		got, err := ParseCustomSettings(tt.in)
		if err != nil {
			t.Errorf("ParseCustomSettings(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			// time.Time locations compare by pointer; compare rendered forms for them.
			if string(appendValue(nil, got)) != string(appendValue(nil, tt.want)) {
				t.Errorf("ParseCustomSettings(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		}
	}
}

func TestParseCustomSettingsErrors(t *testing.T) {
	tests := []struct {
		in     string
		col    int
		reason string
	}{
		{"a = ", 4, "expected value but found the end of the text"},
		{"a = 1 b = 2", 7, ""},
		{"a = 1, a = 2", 8, "already been defined"},
		{"a = 'x", 7, ""},
		{"a = 1}, b = {", 7, "but got ','"},
		{"a = 1\nb = 2", 6, "line breaks are not allowed"},
		{"= 1", 1, ""},
	}
	for _, tt := range tests {
		_, err := ParseCustomSettings(tt.in)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseCustomSettings(%q) error = %v, want *ParseError", tt.in, err)
			continue
		}
		if pe.File != "--custom_settings" || pe.Line != 1 || pe.Column != tt.col || !strings.Contains(pe.Reason, tt.reason) {
			t.Errorf("ParseCustomSettings(%q) = %s (context %q), want column %d and %q", tt.in, pe, pe.Context, tt.col, tt.reason)
		}
	}
}

// Values survive rendering into Config.toml and reading back with their types.
func TestCustomSettingsRoundTrip(t *testing.T) {
	c := Default()
	c.CustomSettings = CustomSettings{
		{"float_whole", 2.0},
		{"neg_zero", math.Copysign(0, -1)},
		{"inf", math.Inf(1)},
		{"ninf", math.Inf(-1)},
		{"tiny", 1e-300},
		{"str", "quote \" backslash \\ newline \n tab \t del \x7f bell \x07 é 😀"},
		{"int", int64(math.MinInt64)},
		{"odt", time.Date(2020, 1, 2, 3, 4, 5, 6000, time.FixedZone("", -7*3600))},
		{"utc", time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"empty", CustomSettings{}},
		{"a b", []any{}},
		{"", "empty key"},
		{"nested", CustomSettings{{"k", []any{CustomSettings{{"z", int64(1)}}, []any{"x"}}}}},
	}
	text := Render(c)
	got, err := parse(text, FileName, &notes{log: discardLogger(), prefix: ""})
	if err != nil {
		t.Fatalf("rendered file does not parse: %v\n%s", err, text)
	}
	if again := Render(got); string(again) != string(text) {
		t.Errorf("round trip changed the file:\n%s\n---\n%s", diffLines(string(again), string(text)), again)
	}
	if v, _ := got.CustomSettings.Get("float_whole"); v != 2.0 {
		t.Errorf("float_whole = %#v, want float64 2", v)
	}
	if v, _ := got.CustomSettings.Get("str"); v != c.CustomSettings[5].Value {
		t.Errorf("str = %q", v)
	}
	if v, _ := got.CustomSettings.Get("int"); v != int64(math.MinInt64) {
		t.Errorf("int = %#v", v)
	}
}

func TestCustomSettingsMethods(t *testing.T) {
	cs := CustomSettings{{"a", int64(1)}, {"b", "x"}}
	cs.Set("a", int64(2))
	cs.Set("c", true)
	if want := (CustomSettings{{"a", int64(2)}, {"b", "x"}, {"c", true}}); !reflect.DeepEqual(cs, want) {
		t.Errorf("after Set: %+v", cs)
	}
	if !cs.Delete("b") || cs.Delete("nope") {
		t.Error("Delete reported wrongly")
	}
	cs.Merge(CustomSettings{{"c", false}, {"d", []any{"x"}}})
	m := cs.Map()
	if want := map[string]any{"a": int64(2), "c": false, "d": []any{"x"}}; !reflect.DeepEqual(m, want) {
		t.Errorf("Map = %v", m)
	}
	clone := cs.Clone()
	clone[2].Value.([]any)[0] = "changed"
	if cs[2].Value.([]any)[0] != "x" {
		t.Error("Clone shares lists")
	}
}
