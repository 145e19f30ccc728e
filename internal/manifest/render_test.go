package manifest

import (
	"bytes"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

// TestWriteValue renders every kind of decoded TOML value and checks the
// text, then that TOML reads it back to the same value.
func TestWriteValue(t *testing.T) {
	var decoded map[string]any
	src := "ld = 1979-05-27T07:32:00.5\nd = 1979-05-27\nlt = 07:32:00\nodt = 1979-05-27T07:32:00-07:00\n"
	if _, err := toml.Decode(src, &decoded); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		v    any
		want string
	}{
		{"a\"b\\c\n\t\x01\x7f\b\f\r", `"a\"b\\c\n\t\u0001\u007F\b\f\r"`},
		{true, "true"},
		{int64(-5), "-5"},
		{7, "7"},
		{1.5, "1.500000"},
		{1e-9, "1e-09"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{[]any{int64(1), "x", []any{}}, `[1, "x", []]`},
		{[]string{"a", "b"}, `["a", "b"]`},
		{[]map[string]any{{"k": int64(1)}}, `[{ k = 1 }]`},
		{map[string]any{"b": int64(2), "a b": int64(1)}, `{ "a b" = 1, b = 2 }`},
		{map[string]any{}, "{}"},
		{decoded["ld"], "1979-05-27T07:32:00.5"},
		{decoded["d"], "1979-05-27"},
		{decoded["lt"], "07:32:00"},
		{decoded["odt"], "1979-05-27T07:32:00-07:00"},
		{time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), "2020-01-02T03:04:05Z"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		writeValue(&b, tt.v)
		if b.String() != tt.want {
			t.Errorf("writeValue(%#v) = %s, want %s", tt.v, b.String(), tt.want)
			continue
		}
		var back map[string]any
		if _, err := toml.Decode("v = "+b.String(), &back); err != nil {
			t.Errorf("%s does not read back: %v", b.String(), err)
		}
	}
	var b bytes.Buffer
	writeValue(&b, math.NaN())
	if b.String() != "nan" {
		t.Errorf("nan rendered as %s", b.String())
	}
	b.Reset()
	writeValue(&b, struct{ X int }{1}) // not a TOML value: written as text rather than lost
	if b.String() != `"{1}"` {
		t.Errorf("fallback %s", b.String())
	}
}

func TestSettingZeroDefaults(t *testing.T) {
	src := "[meta]\n[game_mode]\n[custom_settings]\n" +
		"b = { type = \"boolean\" }\ni = { type = \"integer\" }\nf = { type = \"floating\" }\n" +
		"s = { type = \"select\", options = [\"x\", \"y\"] }\ne = { type = \"select\" }\nt = { type = \"text\", label = 3 }\n" +
		"o = { type = \"text\", default = \"\", options = \"x\" }\nn = { type = \"integer\", default = 2.0 }\n"
	p, warns, err := ParsePackage([]byte(src), "f")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for _, cs := range p.CustomSettings {
		got[cs.Key] = cs.Default
	}
	want := map[string]any{"b": false, "i": int64(0), "f": 0.0, "s": "x", "e": "", "t": "", "o": "", "n": int64(2)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults %v", got)
	}
	for _, frag := range []string{"label must be a string", "options must be an array"} {
		if !hasWarning(warns, frag) {
			t.Errorf("no warning %q in %v", frag, warns)
		}
	}
}
