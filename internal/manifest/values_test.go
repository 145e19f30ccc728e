package manifest

import (
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestParseCompatVersion(t *testing.T) {
	tests := []struct {
		in   string
		want CompatVersion
		err  bool
	}{
		{"1.25", CompatVersion{1, 25}, false},
		{" 1.100 ", CompatVersion{1, 100}, false},
		{"2.0", CompatVersion{2, 0}, false},
		{"1.03", CompatVersion{1, 3}, false},
		{"1", CompatVersion{}, true},
		{"1.", CompatVersion{}, true},
		{".5", CompatVersion{}, true},
		{"1.2.3", CompatVersion{}, true},
		{"1.-2", CompatVersion{}, true},
		{"+1.2", CompatVersion{}, true},
		{"a.b", CompatVersion{}, true},
		{"1.9999999999", CompatVersion{}, true},
		{"", CompatVersion{}, true},
	}
	for _, tt := range tests {
		got, err := ParseCompatVersion(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseCompatVersion(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && !strings.Contains(err.Error(), "major.minor") {
			t.Errorf("error %q does not explain the format", err)
		}
	}
}

func TestCompatVersionCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.100", "1.99", 1},
		{"1.99", "1.100", -1},
		{"1.25", "1.25", 0},
		{"2.0", "1.144", 1},
		{"1.9", "1.10", -1},
		{"1.139", "1.143", -1},
	}
	for _, tt := range tests {
		a, b := MustCompatVersion(tt.a), MustCompatVersion(tt.b)
		if got := a.Compare(b); got != tt.want {
			t.Errorf("%s.Compare(%s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := a.AtLeast(b); got != (tt.want >= 0) {
			t.Errorf("%s.AtLeast(%s) = %v", tt.a, tt.b, got)
		}
	}
	// sorting the versions seen in real packages gives numeric order
	seen := []string{"1.21", "1.100", "1.25", "1.99", "1.103", "1.3", "1.143", "1.50"}
	vs := make([]CompatVersion, len(seen))
	for i, s := range seen {
		vs[i] = MustCompatVersion(s)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].Compare(vs[j]) < 0 })
	var got []string
	for _, v := range vs {
		got = append(got, v.String())
	}
	if want := "1.3 1.21 1.25 1.50 1.99 1.100 1.103 1.143"; strings.Join(got, " ") != want {
		t.Errorf("sorted %v, want %s", got, want)
	}
	if (CompatVersion{}).String() != "" || !(CompatVersion{}).IsZero() {
		t.Error("zero value")
	}
	p := &Package{}
	if p.EffectiveCompatVersion() != (CompatVersion{1, 0}) {
		t.Error("undeclared compat version must mean the oldest behaviour")
	}
	p.CompatibilityVersion = CompatVersion{1, 139}
	if p.EffectiveCompatVersion() != (CompatVersion{1, 139}) {
		t.Error("declared compat version")
	}
}

func TestMustCompatVersionPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	MustCompatVersion("x")
}

func TestParseVectorRotator(t *testing.T) {
	vecs := []struct {
		in   string
		want Vector
		err  string
	}{
		{"Vector(-140.000000, -120.000000, 100.000000)", Vector{-140, -120, 100}, ""},
		{"Vector(-2006, 8287, 200)", Vector{-2006, 8287, 200}, ""},
		{"  Vector ( 1 ,2,   3 )  ", Vector{1, 2, 3}, ""},
		{"vector(1.5e2, -0.5, +3)", Vector{150, -0.5, 3}, ""},
		{"Vector()", Vector{}, ""},
		{"Vector(  )", Vector{}, ""},
		{"Vector(5)", Vector{5, 5, 5}, ""},
		{"Vector(1, 2)", Vector{1, 2, 1}, ""},
		{"Vector(1, 2, 3, 4)", Vector{}, "at most 3"},
		{"Vector(1, , 3)", Vector{}, "argument 2"},
		{"Vector(1, 2, NaN)", Vector{}, "finite"},
		{"Vector(inf, 2, 3)", Vector{}, "finite"},
		{"Vector(0x10, 2, 3)", Vector{}, "finite"},
		{"Vector(1_0, 2, 3)", Vector{}, "finite"},
		{"Vector 1, 2, 3", Vector{}, "parentheses"},
		{"Vector(1, 2, 3", Vector{}, "parentheses"},
		{"Rotator(1, 2, 3)", Vector{}, "not a Vector"},
		{"", Vector{}, "not a Vector"},
	}
	for _, tt := range vecs {
		got, err := ParseVector(tt.in)
		if tt.err == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseVector(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		} else if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseVector(%q) error = %v, want %q", tt.in, err, tt.err)
		}
	}
	rots := []struct {
		in   string
		want Rotator
		ok   bool
	}{
		{"Rotator(0.000000, -60.000000, 0.000000)", Rotator{0, -60, 0}, true},
		{"Rotator()", Rotator{}, true},
		{"Rotator(90)", Rotator{90, 90, 90}, true},
		{"ROTATOR(1,2,3)", Rotator{1, 2, 3}, true},
		{"Vector(1, 2, 3)", Rotator{}, false},
	}
	for _, tt := range rots {
		got, err := ParseRotator(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseRotator(%q) = %v, %v", tt.in, got, err)
		}
	}
	sp, err := ParseSpawnPoint("Vector(1, 2, 3)", "")
	if err != nil || sp != (SpawnPoint{Vector{1, 2, 3}, Rotator{}}) {
		t.Errorf("spawn point without rotation: %v %v", sp, err)
	}
	if _, err := ParseSpawnPoint("Vector(1, 2, 3)", "Rotator(x)"); err == nil {
		t.Error("bad rotation accepted")
	}
}

func TestVectorString(t *testing.T) {
	tests := []struct {
		v    Vector
		want string
	}{
		{Vector{-140, -120, 100}, "Vector(-140.000000, -120.000000, 100.000000)"},
		{Vector{0.1, 1e-9, 123456789.125}, "Vector(0.100000, 1e-09, 123456789.125000)"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.v, got, tt.want)
		}
		back, err := ParseVector(tt.v.String())
		if err != nil || back != tt.v {
			t.Errorf("round trip %v -> %v (%v)", tt.v, back, err)
		}
	}
	if got := (Rotator{0, -60, 0}).String(); got != "Rotator(0.000000, -60.000000, 0.000000)" {
		t.Errorf("rotator string %q", got)
	}
	for _, f := range []float64{0.3, 1e21, -2.5e-7, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		s := formatFixed(f)
		v, err := ParseVector("Vector(" + s + ")")
		if err != nil || v.X != f {
			t.Errorf("formatFixed(%g) = %q does not read back (%v %v)", f, s, v.X, err)
		}
	}
}

func sandboxDecls() []CustomSetting {
	return []CustomSetting{
		{Key: "enable_pvp", Type: SettingBoolean, Default: true},
		{Key: "max_props", Type: SettingInteger, Default: int64(1000)},
		{Key: "gravity", Type: SettingFloating, Default: 1.0},
		{Key: "mode", Type: SettingSelect, Default: "ffa", Options: []string{"ffa", "tdm"}},
		{Key: "motd", Type: SettingText, Default: "hi"},
		{Key: "weird", Type: SettingType("color"), Default: "red"},
	}
}

func TestEffectiveSettings(t *testing.T) {
	tests := []struct {
		name    string
		config  map[string]any
		cmdline map[string]any
		want    map[string]any
		warns   [][]string
	}{
		{
			name: "defaults only",
			want: map[string]any{"enable_pvp": true, "max_props": int64(1000), "gravity": 1.0, "mode": "ffa", "motd": "hi", "weird": "red"},
		},
		{
			name:    "precedence: default < config < command line",
			config:  map[string]any{"max_props": int64(50), "mode": "tdm", "motd": "from config"},
			cmdline: map[string]any{"max_props": int64(7)},
			want:    map[string]any{"enable_pvp": true, "max_props": int64(7), "gravity": 1.0, "mode": "tdm", "motd": "from config", "weird": "red"},
		},
		{
			name:   "coercions: int to floating, integral float to integer",
			config: map[string]any{"gravity": int64(2), "max_props": 30.0},
			want:   map[string]any{"enable_pvp": true, "max_props": int64(30), "gravity": 2.0, "mode": "ffa", "motd": "hi", "weird": "red"},
		},
		{
			name:    "mismatches keep the previous layer's value",
			config:  map[string]any{"enable_pvp": false, "max_props": "many"},
			cmdline: map[string]any{"enable_pvp": "yes", "max_props": 2.5, "mode": "battle-royale", "motd": int64(3)},
			want:    map[string]any{"enable_pvp": false, "max_props": int64(1000), "gravity": 1.0, "mode": "ffa", "motd": "hi", "weird": "red"},
			warns: [][]string{
				{"Config.toml: max_props:", "expected an integer", `string "many"`, "keeping integer 1000"},
				{"--custom_settings: enable_pvp:", "boolean", "keeping boolean false"},
				{"--custom_settings: max_props:", "float 2.5"},
				{"--custom_settings: mode:", `"battle-royale" is not one of the options`},
				{"--custom_settings: motd:", "expected a string"},
			},
		},
		{
			name:    "Go number types from other decoders",
			config:  map[string]any{"max_props": 12, "gravity": float32(0.5), "enable_pvp": false},
			cmdline: map[string]any{"max_props": uint8(9)},
			want:    map[string]any{"enable_pvp": false, "max_props": int64(9), "gravity": 0.5, "mode": "ffa", "motd": "hi", "weird": "red"},
		},
		{
			name:    "undeclared keys and unknown declared types pass through",
			config:  map[string]any{"extra": int64(1), "weird": int64(5)},
			cmdline: map[string]any{"extra": "two"},
			want:    map[string]any{"enable_pvp": true, "max_props": int64(1000), "gravity": 1.0, "mode": "ffa", "motd": "hi", "weird": int64(5), "extra": "two"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warns := EffectiveSettings(sandboxDecls(), tt.config, tt.cmdline)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
			if len(warns) != len(tt.warns) {
				t.Errorf("warnings %v, want %d", warns, len(tt.warns))
			}
			for _, frags := range tt.warns {
				if !hasWarning(warns, frags...) {
					t.Errorf("no warning with %q in %v", frags, warns)
				}
			}
		})
	}
}

func TestParseCustomSettingsArg(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]any
		err  bool
	}{
		{"", map[string]any{}, false},
		{"  ", map[string]any{}, false},
		{"k1 = 1, k2 = 'text', k3 = \"q\", k4 = true, k5 = 1.5", map[string]any{"k1": int64(1), "k2": "text", "k3": "q", "k4": true, "k5": 1.5}, false},
		{"max_props=10", map[string]any{"max_props": int64(10)}, false},
		{"list = [1, 2]", map[string]any{"list": []any{int64(1), int64(2)}}, false},
		{"k1 = value1", map[string]any{"k1": "value1"}, false}, // bare words as in the docs
		{"mode = free for all, max = 3, name = 'a, b'", map[string]any{"mode": "free for all", "max": int64(3), "name": "a, b"}, false},
		{"list = [1, 2], m = ffa", map[string]any{"list": []any{int64(1), int64(2)}, "m": "ffa"}, false},
		{"novalue", nil, true},
		{"= 3", nil, true},
		{"a.b = x", nil, true},
		{"a = x, a = y", nil, true},
		{"a = 'x", nil, true},
		{"a = [1, 2", nil, true},
		{"k1 = 1,", map[string]any{"k1": int64(1)}, false}, // trailing comma tolerated
		{"k1 = 1 }, x = { y = 2", nil, true},
		{"a = 1\nb = 2", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseCustomSettingsArg(tt.in)
		if (err != nil) != tt.err || (!tt.err && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("ParseCustomSettingsArg(%q) = %v, %v", tt.in, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "--custom_settings") {
			t.Errorf("error %q does not name the flag", err)
		}
	}
}

func TestDefaultSettings(t *testing.T) {
	p, _, err := ParsePackage(readTestdata(t, "packages/gen3-game-mode.toml"), "x")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"enable_pvp": true, "max_props": int64(1000), "gravity_scale": 1.55, "round_mode": "timer", "motd": "welcome!"}
	if got := p.DefaultSettings(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
	cmd, err := ParseCustomSettingsArg("round_mode = 'score', gravity_scale = 2, enable_pvp = false")
	if err != nil {
		t.Fatal(err)
	}
	got, warns := EffectiveSettings(p.CustomSettings, map[string]any{"max_props": int64(5)}, cmd)
	want = map[string]any{"enable_pvp": false, "max_props": int64(5), "gravity_scale": 2.0, "round_mode": "score", "motd": "welcome!"}
	if len(warns) != 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v %v", got, warns)
	}
}
