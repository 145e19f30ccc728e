package config

import (
	"bytes"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// argCase is one parameter with a sample value and what it must produce.
type argCase struct {
	param string
	text  string // value as typed
	want  any    // typed value: the override's Value, or the Run field / Save
	get   func(a *Args) any
}

func overrideOf(key string) func(a *Args) any {
	return func(a *Args) any {
		for _, o := range a.Overrides {
			if o.Key == key {
				return o.Value
			}
		}
		return nil
	}
}

// Every parameter of the server command line, with a sample value.
var argCases = []argCase{
	{"name", "My Server", "My Server", overrideOf("discover.name")},
	{"description", "a, b and c", "a, b and c", overrideOf("discover.description")},
	{"language", "br", "br", overrideOf("discover.language")},
	{"ip", "127.0.0.1", "127.0.0.1", overrideOf("discover.ip")},
	{"port", "6666", 6666, overrideOf("discover.port")},
	{"query_port", "6667", 6667, overrideOf("discover.query_port")},
	{"announce", "0", false, overrideOf("discover.announce")},
	{"dedicated_server", "0", false, overrideOf("discover.dedicated_server")},
	{"max_players", "1024", 1024, overrideOf("general.max_players")},
	{"password", "pa ss", "pa ss", overrideOf("general.password")},
	{"token", "abc123", "abc123", overrideOf("general.token")},
	{"map", "default-ocean-map", "default-ocean-map", overrideOf("game.map")},
	{"game_mode", "sandbox", "sandbox", overrideOf("game.game_mode")},
	{"packages", "MyAwesomePackage, AnotherGoodPackage", []string{"MyAwesomePackage", "AnotherGoodPackage"}, overrideOf("game.packages")},
	{"assets", "pack-a,pack-b", []string{"pack-a", "pack-b"}, overrideOf("game.assets")},
	{"loading_screen", "my-loading", "my-loading", overrideOf("game.loading_screen")},
	{"log_level", "3", 3, overrideOf("debug.log_level")},
	{"async_log", "0", false, overrideOf("debug.async_log")},
	{"profiling", "1", true, overrideOf("debug.profiling")},
	{"max_tick_rate", "60", 60, overrideOf("optimization.max_tick_rate")},
	{"max_sync_rate", "10", 10, overrideOf("optimization.max_sync_rate")},
	{"max_send_rate", "1024", 1024, overrideOf("optimization.max_send_rate")},
	{"max_file_transfer_rate", "256", 256, overrideOf("optimization.max_file_transfer_rate")},
	{"compression", "9", 9, overrideOf("optimization.compression")},
	{"distance_optimization", "0", 0, overrideOf("optimization.distance_optimization")},
	{"custom_settings", "max_props = 1000, enable_pvp = true, motd = 'hi, all'",
		CustomSettings{{"max_props", int64(1000)}, {"enable_pvp", true}, {"motd", "hi, all"}},
		func(a *Args) any { return a.CustomSettings }},
	{"save", "1", true, func(a *Args) any { return a.Save }},
	{"logo", "https://example.com/l.jpg", "https://example.com/l.jpg", func(a *Args) any { return a.Run.Logo }},
	{"steam_app", "game", "game", func(a *Args) any { return a.Run.SteamApp }},
	{"auto_download", "1", true, func(a *Args) any { return a.Run.AutoDownload }},
	{"use_vault_assets_lean", "1", true, func(a *Args) any { return a.Run.UseVaultAssetsLean }},
	{"log_show_thread", "1", true, func(a *Args) any { return a.Run.LogShowThread }},
	{"thread_pool_count", "0", 0, func(a *Args) any { return a.Run.ThreadPoolCount }},
	{"enable_unsafe_libs", "1", true, func(a *Args) any { return a.Run.EnableUnsafeLibs }},
	{"tracy", "1", true, func(a *Args) any { return a.Run.Tracy }},
	{"script_budget_ms", "250", 250, func(a *Args) any { return a.Run.ScriptBudgetMS }},
	{"script_memory_mb", "64", 64, func(a *Args) any { return a.Run.ScriptMemoryMB }},
}

func TestArgCasesCoverEveryParameter(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range argCases {
		covered[c.param] = true
	}
	for _, p := range params {
		if p.replacedBy == "" && p.ignored == "" && !covered[p.name] {
			t.Errorf("parameter --%s has no test case", p.name)
		}
	}
}

// Each parameter in each accepted form: "--p v", "--p=v", and for flags "--p", "--p 0|1",
// "--p=0|1".
func TestParseArgsEveryParameterEveryForm(t *testing.T) {
	for _, c := range argCases {
		p := paramByName(c.param)
		forms := map[string][]string{
			"separate": {"--" + c.param, c.text},
			"equals":   {"--" + c.param + "=" + c.text},
		}
		if p.kind == kindBool {
			forms["alone"] = []string{"--" + c.param}
			forms["alone then another"] = []string{"--" + c.param, "--map", "m"}
		}
		for form, args := range forms {
			t.Run(c.param+"/"+form, func(t *testing.T) {
				a, err := ParseArgs(args)
				if err != nil {
					t.Fatalf("ParseArgs(%q): %v", args, err)
				}
				want := c.want
				if strings.HasPrefix(form, "alone") {
					want = true
				}
				if got := c.get(a); !reflect.DeepEqual(got, want) {
					t.Errorf("ParseArgs(%q) gave %#v, want %#v", args, got, want)
				}
				if form == "alone then another" && !reflect.DeepEqual(overrideOf("game.map")(a), "m") {
					t.Errorf("the parameter after a flag was lost: %+v", a.Overrides)
				}
			})
		}
		if p.kind == kindBool {
			for _, v := range []struct {
				text string
				want bool
			}{{"0", false}, {"1", true}, {"true", true}, {"false", false}} {
				a, err := ParseArgs([]string{"--" + c.param, v.text})
				if err != nil {
					t.Fatalf("--%s %s: %v", c.param, v.text, err)
				}
				if got := c.get(a); got != v.want {
					t.Errorf("--%s %s gave %v", c.param, v.text, got)
				}
			}
		}
	}
}

func TestParseArgsOrderAndRepeats(t *testing.T) {
	a := mustParseArgs(t, "--port", "6666", "--map", "default-ocean-map", "--announce", "0", "--max_players", "1024",
		"--packages", "a,b", "--port=7000", "--custom_settings", "x = 1", "--custom_settings=y = 'two', x = 3")
	want := []Override{
		{"port", "discover.port", 7000},
		{"map", "game.map", "default-ocean-map"},
		{"announce", "discover.announce", false},
		{"max_players", "general.max_players", 1024},
		{"packages", "game.packages", []string{"a", "b"}},
	}
	if !reflect.DeepEqual(a.Overrides, want) {
		t.Errorf("overrides = %+v\nwant %+v", a.Overrides, want)
	}
	if want := (CustomSettings{{"x", int64(3)}, {"y", "two"}}); !reflect.DeepEqual(a.CustomSettings, want) {
		t.Errorf("custom settings = %+v, want %+v", a.CustomSettings, want)
	}
	if want := []string{"command line: --port given more than once, the last one (7000) is used"}; !reflect.DeepEqual(a.Notices, want) {
		t.Errorf("notices = %q, want %q", a.Notices, want)
	}
}

func TestParseArgsEmpty(t *testing.T) {
	a := mustParseArgs(t)
	if len(a.Overrides) != 0 || a.Save || a.CustomSettings != nil || !reflect.DeepEqual(a.Run, Default().Run) {
		t.Errorf("empty command line gave %+v", a)
	}
}

func TestParseArgsErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--max_player", "10"}, `unknown parameter "--max_player": did you mean --max_players?`},
		{[]string{"--max-players", "10"}, "did you mean --max_players?"},
		{[]string{"--prot=1"}, "did you mean --port?"},
		{[]string{"--gamemod", "x"}, "did you mean --gamemode?"},
		{[]string{"-port", "7777"}, `unknown parameter "-port": did you mean --port?`},
		{[]string{"--helpp"}, "did you mean --help?"},
		{[]string{"sandbox"}, `unexpected argument "sandbox": parameters start with --`},
		{[]string{"--name", "My", "Server"}, `unexpected argument "Server" after --name "My": quote a value that has spaces, e.g. --name "My Server"`},
		{[]string{"--port", "7777", "x"}, `unexpected argument "x": parameters start with --`},
		{[]string{"--announce", "1", "x"}, `unexpected argument "x": parameters start with --`},
		{[]string{"--custom_settings", "max_props", "=", "1000"}, `quote the whole value: --custom_settings "a = 1, b = 'text'"`},
		{[]string{"--"}, `unexpected argument "--"`},
		{[]string{"--port"}, "--port needs a value"},
		{[]string{"--name", "--port", "1"}, "--name needs a value"},
		{[]string{"--port", "abc"}, `--port: "abc" is not an integer (1024..65535)`},
		{[]string{"--announce=yes"}, `--announce: "yes" is not 0 or 1`},
		{[]string{"--steam_app", "beta"}, `--steam_app: "beta" is not a Steam App: use game or playtest`},
		{[]string{"--thread_pool_count", "-1"}, "--thread_pool_count: -1 is negative"},
		{[]string{"--script_budget_ms", "-5"}, "--script_budget_ms: -5 is outside 0..600000"},
		{[]string{"--script_budget_ms", "600001"}, "--script_budget_ms: 600001 is outside 0..600000"},
		{[]string{"--script_budget_ms", "fast"}, `--script_budget_ms: "fast" is not an integer (0..600000)`},
		{[]string{"--script_memory_mb", "15"}, "--script_memory_mb: 15 is outside 16..1048576"},
		{[]string{"--script_memory_mb", "1048577"}, "--script_memory_mb: 1048577 is outside 16..1048576"},
		{[]string{"--custom_settings", "a = "}, "--custom_settings:1:"},
		{[]string{"--custom_settings", "a = 1}, b = {"}, "--custom_settings:1:"},
		{[]string{"--map", "m", "--tracy"}, "--tracy must be the first argument"},
		{[]string{"--map", "m", "--cli"}, "--cli must be the first argument"},
		{[]string{"--http_port", "x"}, `--http_port: "x" is not an integer`},
		{[]string{"--gamemode"}, "--gamemode needs a value"},
		{[]string{"--save", "2"}, `unexpected argument "2" after --save: --save is a flag, write it alone or with 0 or 1 after it`},
		{[]string{"--profiling", "yes", "--port", "7000"}, "--profiling is a flag"},
		{[]string{"--save", "1", "x"}, `unexpected argument "x": parameters start with --`},
	}
	for _, tt := range tests {
		_, err := ParseArgs(tt.args)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseArgs(%q) error = %v, want it to contain %q", tt.args, err, tt.want)
		}
	}
}

func TestParseArgsHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"--port", "1", "--help"}} {
		if _, err := ParseArgs(args); !errors.Is(err, ErrHelp) {
			t.Errorf("ParseArgs(%q) = %v, want ErrHelp", args, err)
		}
	}
}

func TestParseArgsLegacy(t *testing.T) {
	a := mustParseArgs(t, "--gamemode", "sandbox", "--http_port", "7777")
	if want := []Override{{"gamemode", "game.game_mode", "sandbox"}}; !reflect.DeepEqual(a.Overrides, want) {
		t.Errorf("overrides = %+v, want %+v", a.Overrides, want)
	}
	want := []string{
		"command line: --gamemode is deprecated, use --game_mode",
		"command line: --http_port is no longer used and was ignored: the HTTP file server shares --port (TCP) now",
	}
	if !reflect.DeepEqual(a.Notices, want) {
		t.Errorf("notices = %q, want %q", a.Notices, want)
	}
	rec, log := newRecorder()
	c, err := Open(t.TempDir(), a, log)
	if err != nil {
		t.Fatal(err)
	}
	if c.Game.GameMode != "sandbox" {
		t.Errorf("game_mode = %q", c.Game.GameMode)
	}
	rec.requireLogs(t, want...)
}

func TestUsageListsEveryParameter(t *testing.T) {
	u := Usage()
	for _, p := range params {
		if p.replacedBy != "" || p.ignored != "" {
			if !strings.Contains(u, "--"+p.name+" (") {
				t.Errorf("Usage does not mention the legacy --%s", p.name)
			}
			continue
		}
		line := ""
		for _, l := range strings.Split(u, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "--"+p.name+" ") {
				line = l
			}
		}
		if line == "" {
			t.Errorf("Usage has no line for --%s", p.name)
			continue
		}
		if k := p.key; k != nil && k.kind == kindInt && !strings.Contains(line, k.rangeText()) {
			t.Errorf("Usage line for --%s lacks its range %s: %q", p.name, k.rangeText(), line)
		}
		if p.help == "" {
			t.Errorf("--%s has no help text", p.name)
		}
	}
	for _, want := range []string{"--max_tick_rate", "15..120", "--max_file_transfer_rate", "128..max_send_rate", "--help"} {
		if !strings.Contains(u, want) {
			t.Errorf("Usage lacks %q", want)
		}
	}
}

// Command-line values apply to the run only; the file keeps its values.
func TestOpenOverridesWithoutSave(t *testing.T) {
	dir := t.TempDir()
	path := writeConfig(t, dir, template(t))
	args := mustParseArgs(t, "--port", "6666", "--max_players", "1024", "--packages", "a, b",
		"--custom_settings", "pvp = true", "--max_tick_rate", "20", "--steam_app", "game")
	rec, log := newRecorder()
	c, err := Open(dir, args, log)
	if err != nil {
		t.Fatal(err)
	}
	if c.Discover.Port != 6666 || c.General.MaxPlayers != 999 || !reflect.DeepEqual(c.Game.Packages, []string{"a", "b"}) ||
		c.Optimization.MaxTickRate != 20 || c.Optimization.MaxSyncRate != 20 || c.Run.SteamApp != "game" {
		t.Errorf("overrides not applied: %+v", c)
	}
	if v, _ := c.CustomSettings.Get("pvp"); v != true {
		t.Errorf("custom setting pvp = %v", v)
	}
	rec.requireLogs(t,
		"command line: max_players = 1024 is out of range 1..999, reset to 999",
		"command line: max_sync_rate = 30 is out of range 1..20 (at most max_tick_rate), reset to 20")
	if got := readFile(t, path); !bytes.Equal(got, []byte(template(t))) {
		t.Errorf("file changed without --save:\n%s", got)
	}
}

func TestOpenOverridesWithSave(t *testing.T) {
	for _, save := range []string{"--save", "--save=1", "--save 1"} {
		t.Run(save, func(t *testing.T) {
			dir := t.TempDir()
			path := writeConfig(t, dir, strings.Replace(template(t), "    # my_setting_02 = 123\n", "    # my_setting_02 = 123\n    keep = 'me'\n    pvp = false\n", 1))
			args := append(strings.Fields(save), "--port=6666", "--packages", "a,b", "--custom_settings", "pvp = true, new = 1.5")
			c, err := Open(dir, mustParseArgs(t, args...), nil)
			if err != nil {
				t.Fatal(err)
			}
			saved, err := Open(dir, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if saved.Discover.Port != 6666 || !reflect.DeepEqual(saved.Game.Packages, []string{"a", "b"}) {
				t.Errorf("--save did not write the overrides: %+v", saved)
			}
			want := CustomSettings{{"keep", "me"}, {"pvp", true}, {"new", 1.5}}
			if !reflect.DeepEqual(saved.CustomSettings, want) || !reflect.DeepEqual(c.CustomSettings, want) {
				t.Errorf("custom settings = %+v (run %+v), want %+v", saved.CustomSettings, c.CustomSettings, want)
			}
			if !bytes.Equal(readFile(t, path), Render(c)) {
				t.Error("file is not the running configuration")
			}
		})
	}
}

func TestOpenSaveZeroDoesNotWrite(t *testing.T) {
	dir := t.TempDir()
	path := writeConfig(t, dir, template(t))
	if _, err := Open(dir, mustParseArgs(t, "--save", "0", "--name", "x"), nil); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); !bytes.Equal(got, []byte(template(t))) {
		t.Error("--save 0 wrote the file")
	}
}

// The first start creates the file with defaults; with --save it holds the overrides.
func TestOpenFirstStartWithArgs(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir, mustParseArgs(t, "--name", "x"), nil); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, FileName)); !bytes.Equal(got, []byte(template(t))) {
		t.Error("first start without --save did not write the template")
	}
	dir2 := t.TempDir()
	if _, err := Open(dir2, mustParseArgs(t, "--name", "x", "--save"), nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readFile(t, filepath.Join(dir2, FileName))), `name =                   "x"`) {
		t.Error("first start with --save did not write the name")
	}
}

// Old start scripts pass the built-in map assets of 2020–2023.
func TestOpenLegacyMapOnCommandLine(t *testing.T) {
	rec, log := newRecorder()
	c, err := Open(t.TempDir(), mustParseArgs(t, "--map", "NanosWorld::TestingMap"), log)
	if err != nil {
		t.Fatal(err)
	}
	if c.Game.Map != "default-testing-map" {
		t.Errorf("map = %q, want default-testing-map", c.Game.Map)
	}
	rec.requireLogs(t, `command line: --map NanosWorld::TestingMap is a built-in map asset of older versions, using the map package "default-testing-map"`)
}

func TestScriptLimitsDefaultsEnvAndCommandLine(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	cases := []struct {
		name        string
		args        []string
		vars        map[string]string
		budget, mem int
		wantErr     string
	}{
		{"defaults", nil, nil, DefaultScriptBudgetMS, DefaultScriptMemoryMB, ""},
		{"environment", nil, map[string]string{EnvScriptBudgetMS: "40", EnvScriptMemoryMB: " 128 "}, 40, 128, ""},
		{"zero turns both off", nil, map[string]string{EnvScriptBudgetMS: "0", EnvScriptMemoryMB: "0"}, 0, 0, ""},
		{"empty variables are ignored", nil, map[string]string{EnvScriptBudgetMS: "", EnvScriptMemoryMB: "  "}, DefaultScriptBudgetMS, DefaultScriptMemoryMB, ""},
		{"command line wins", []string{"--script_budget_ms", "7", "--script_memory_mb=32"},
			map[string]string{EnvScriptBudgetMS: "40", EnvScriptMemoryMB: "128"}, 7, 32, ""},
		{"command line wins even with the default value", []string{"--script_budget_ms", "100"},
			map[string]string{EnvScriptBudgetMS: "40"}, 100, DefaultScriptMemoryMB, ""},
		{"bad budget variable", nil, map[string]string{EnvScriptBudgetMS: "1s"}, 0, 0,
			`environment variable NANOFORGE_SCRIPT_BUDGET_MS="1s" is not an integer (like --script_budget_ms)`},
		{"memory variable out of range", nil, map[string]string{EnvScriptMemoryMB: "4"}, 0, 0,
			"environment variable NANOFORGE_SCRIPT_MEMORY_MB: 4 is outside 16..1048576"},
		{"a bad variable is ignored when the command line gives the value", []string{"--script_memory_mb", "0"},
			map[string]string{EnvScriptMemoryMB: "lots"}, DefaultScriptBudgetMS, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := ParseArgs(c.args)
			if err != nil {
				t.Fatal(err)
			}
			err = a.ApplyEnv(env(c.vars))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("ApplyEnv error = %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Run.ScriptBudgetMS != c.budget || a.Run.ScriptMemoryMB != c.mem {
				t.Errorf("budget %d ms, memory %d MiB; want %d, %d", a.Run.ScriptBudgetMS, a.Run.ScriptMemoryMB, c.budget, c.mem)
			}
		})
	}
}

func TestUsageListsScriptLimits(t *testing.T) {
	u := Usage()
	for _, want := range []string{"--script_budget_ms", "0..600000", EnvScriptBudgetMS, "--script_memory_mb", "0|16..1048576", EnvScriptMemoryMB} {
		if !strings.Contains(u, want) {
			t.Errorf("--help lacks %q:\n%s", want, u)
		}
	}
}
