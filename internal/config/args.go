package config

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Args is a parsed server command line. Overrides of Config.toml keys apply to one run; with Save
// they are also written to Config.toml by Open.
type Args struct {
	// Overrides are the Config.toml keys given on the command line, in the order given; a
	// parameter given twice keeps its last value in the place of its first.
	Overrides []Override
	// CustomSettings are the --custom_settings pairs, merged over the file's [custom_settings].
	CustomSettings CustomSettings
	// Save writes the overrides to Config.toml (--save).
	Save bool
	// Run holds the parameters that exist only on the command line.
	Run Run
	// Notices are deprecation warnings for legacy parameters, logged by Open.
	Notices []string
	// given holds the run-only parameters that were on the command line, so ApplyEnv does not
	// override them.
	given map[string]bool
}

// Override is one Config.toml key set on the command line.
type Override struct {
	Param string // parameter as typed, without dashes ("gamemode" for the legacy --gamemode)
	Key   string // section-qualified key, e.g. "game.game_mode"
	Value any    // string, int, bool or []string, as the key's type
}

// param is one command-line parameter.
type param struct {
	name  string
	kind  kind
	key   *keyDef // Config.toml key it overrides, nil for run-only parameters
	value string  // shown by Usage
	help  string
	set   func(a *Args, v any) // run-only parameters
	// legacy parameters name the one that replaced them; ignored ones have no effect.
	replacedBy string
	ignored    string
}

// help texts of the parameters that override Config.toml keys.
var keyHelp = map[string]string{
	"name":                   "server name",
	"description":            "server description",
	"language":               "server-list language (country code or global)",
	"ip":                     "bind address",
	"port":                   "game (UDP) and HTTP (TCP) port",
	"query_port":             "UDP query port",
	"announce":               "announce in the master server list",
	"dedicated_server":       "1 dedicated, 0 P2P through a relay",
	"max_players":            "player slots",
	"password":               "join password, empty for none",
	"token":                  "Store authorization token",
	"map":                    "map package",
	"game_mode":              "game-mode package",
	"packages":               "script packages, comma-separated, in load order",
	"assets":                 "extra asset packs, comma-separated",
	"loading_screen":         "loading-screen package",
	"log_level":              "1 normal, 2 debug, 3 verbose",
	"async_log":              "log from a separate thread",
	"profiling":              "profiling logs",
	"max_tick_rate":          "server ticks per second (Hz)",
	"max_sync_rate":          "actor syncs per second (Hz)",
	"max_send_rate":          "per-client send rate (KB/s)",
	"max_file_transfer_rate": "per-client file transfer rate (KB/s)",
	"compression":            "deflate level of bulk network payloads, 0 off",
	"distance_optimization":  "sync distant actors less often, 0 off",
}

var params = buildParams()

func buildParams() []*param {
	var ps []*param
	for _, k := range keys {
		if !k.flag {
			continue
		}
		ps = append(ps, &param{name: k.name, kind: k.kind, key: k, value: k.rangeText(), help: keyHelp[k.name]})
	}
	ps = append(ps,
		&param{name: "custom_settings", kind: kindString, value: "\"key = value, ...\"",
			help: "custom settings as TOML pairs; quote strings with ', e.g. \"max_props = 1000, motd = 'hi'\""},
		&param{name: "save", kind: kindBool, value: "flag",
			help: "write the parameters given on this command line to Config.toml",
			set:  func(a *Args, v any) { a.Save = v.(bool) }},
		&param{name: "logo", kind: kindString, value: "JPG URL",
			help: "download the server logo into memory (Server.jpg is left alone)",
			set:  func(a *Args, v any) { a.Run.Logo = v.(string) }},
		&param{name: "steam_app", kind: kindString, value: "game|playtest",
			help: "Steam App to run as; players join servers of the same app (default playtest)",
			set:  func(a *Args, v any) { a.Run.SteamApp = v.(string) }},
		&param{name: "auto_download", kind: kindBool, value: "flag",
			help: "download missing packages, asset packs and the map from the Store",
			set:  func(a *Args, v any) { a.Run.AutoDownload = v.(bool) }},
		&param{name: "use_vault_assets_lean", kind: kindBool, value: "flag",
			help: "download only the asset packs' .toml files",
			set:  func(a *Args, v any) { a.Run.UseVaultAssetsLean = v.(bool) }},
		&param{name: "log_show_thread", kind: kindBool, value: "flag",
			help: "print the thread of each log line",
			set:  func(a *Args, v any) { a.Run.LogShowThread = v.(bool) }},
		&param{name: "thread_pool_count", kind: kindInt, value: "0..",
			help: fmt.Sprintf("async workers for HTTP, Database and File (default %d); 0 starts one per operation", DefaultThreadPoolCount),
			set:  func(a *Args, v any) { a.Run.ThreadPoolCount = v.(int) }},
		&param{name: "enable_unsafe_libs", kind: kindBool, value: "flag",
			help: "keep os.execute, io.*, dofile and the other unsafe Lua functions",
			set:  func(a *Args, v any) { a.Run.EnableUnsafeLibs = v.(bool) }},
		&param{name: "script_budget_ms", kind: kindInt, value: fmt.Sprintf("0..%d", MaxScriptBudgetMS),
			help: fmt.Sprintf("ms one call into Lua may run before it is interrupted (default %d); 0 no limit; env %s", DefaultScriptBudgetMS, EnvScriptBudgetMS),
			set:  func(a *Args, v any) { a.Run.ScriptBudgetMS = v.(int) }},
		&param{name: "script_memory_mb", kind: kindInt, value: fmt.Sprintf("0|%d..%d", MinScriptMemoryMB, MaxScriptMemoryMB),
			help: fmt.Sprintf("MiB the Lua state may hold (default %d); 0 no cap; env %s", DefaultScriptMemoryMB, EnvScriptMemoryMB),
			set:  func(a *Args, v any) { a.Run.ScriptMemoryMB = v.(int) }},
		&param{name: "tracy", kind: kindBool, value: "flag",
			help: "profiler mode; only as the first argument",
			set:  func(a *Args, v any) { a.Run.Tracy = v.(bool) }},
		&param{name: "gamemode", kind: kindString, replacedBy: "game_mode"},
		&param{name: "http_port", kind: kindInt, ignored: "the HTTP file server shares --port (TCP) now"},
	)
	return ps
}

func paramByName(name string) *param {
	for _, p := range params {
		if p.name == name {
			return p
		}
	}
	return nil
}

// ParseArgs parses the server command line (without the program name and without a leading
// --cli, which selects the CLI before this is called). Parameters come in any order as
// "--name value", "--name=value", or for flags "--name" alone or followed by 0 or 1. Lists are
// comma-separated. An unknown parameter is an error that names the closest valid one.
func ParseArgs(args []string) (*Args, error) {
	a := &Args{Run: Default().Run}
	// prev and prevValue remember the last parameter that took a separate value, to explain a
	// stray word that is most likely the rest of an unquoted value.
	var prev *param
	var prevValue string
	// prevFlag is the flag just before, when it took no value: a stray word after it is most
	// likely a value a flag does not take ("--save 2").
	var prevFlag *param
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "-h" {
			return nil, ErrHelp
		}
		if !strings.HasPrefix(arg, "--") || arg == "--" {
			if strings.HasPrefix(arg, "-") && strings.Trim(arg, "-") != "" {
				name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
				return nil, unknownParam(arg, name)
			}
			if prevFlag != nil {
				return nil, fmt.Errorf("unexpected argument %q after --%s: --%s is a flag, write it alone or with 0 or 1 after it", arg, prevFlag.name, prevFlag.name)
			}
			if prev != nil && (prev.kind == kindString || prev.kind == kindList) {
				return nil, fmt.Errorf("unexpected argument %q after --%s %q: quote a value that has spaces, e.g. --%s \"%s %s\"",
					arg, prev.name, prevValue, prev.name, prevValue, arg)
			}
			return nil, fmt.Errorf("unexpected argument %q: parameters start with -- and their value follows them, e.g. --map my-map (see --help)", arg)
		}
		prev, prevFlag = nil, nil
		name, value, hasValue := strings.Cut(arg[2:], "=")
		if name == "help" {
			return nil, ErrHelp
		}
		if name == "cli" {
			return nil, errors.New("--cli must be the first argument: it starts the command-line interface instead of the server")
		}
		p := paramByName(name)
		if p == nil {
			return nil, unknownParam(arg, name)
		}
		if p.name == "tracy" && i != 0 {
			return nil, errors.New("--tracy must be the first argument")
		}
		if !hasValue {
			switch {
			case p.kind == kindBool:
				// A flag alone means on; "--flag 0|1" (older documentation) is accepted too.
				if i+1 < len(args) {
					if _, err := parseBool(args[i+1]); err == nil {
						value, hasValue = args[i+1], true
						i++
					}
				}
				if !hasValue {
					value = "1"
					prevFlag = p
				}
			case i+1 < len(args) && !strings.HasPrefix(args[i+1], "--"):
				value = args[i+1]
				i++
				prev, prevValue = p, value
			default:
				return nil, fmt.Errorf("--%s needs a value (%s): write --%s <value> or --%s=<value>", name, p.value, name, name)
			}
		}
		if err := a.set(p, value); err != nil {
			if p.name == "custom_settings" && i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				return nil, fmt.Errorf("%w (quote the whole value: --custom_settings \"a = 1, b = 'text'\")", err)
			}
			return nil, err
		}
	}
	return a, nil
}

// checkScriptLimit checks the value of --script_budget_ms or --script_memory_mb (or their
// environment variables); other parameters pass.
func checkScriptLimit(name string, v int) error {
	switch name {
	case "script_budget_ms":
		if v < 0 || v > MaxScriptBudgetMS {
			return fmt.Errorf("%d is outside 0..%d: give the budget in milliseconds, or 0 for no limit", v, MaxScriptBudgetMS)
		}
	case "script_memory_mb":
		if v != 0 && (v < MinScriptMemoryMB || v > MaxScriptMemoryMB) {
			return fmt.Errorf("%d is outside %d..%d: give the cap in MiB, or 0 for no cap", v, MinScriptMemoryMB, MaxScriptMemoryMB)
		}
	}
	return nil
}

// ApplyEnv sets the script limits from NANOFORGE_SCRIPT_BUDGET_MS and NANOFORGE_SCRIPT_MEMORY_MB
// (read with getenv) where the command line did not give them: the command line wins over the
// environment, which wins over the defaults. An empty variable is ignored; a value that is not
// an integer in range is an error naming the variable.
func (a *Args) ApplyEnv(getenv func(string) string) error {
	for _, e := range []struct {
		param, env string
		dst        *int
	}{
		{"script_budget_ms", EnvScriptBudgetMS, &a.Run.ScriptBudgetMS},
		{"script_memory_mb", EnvScriptMemoryMB, &a.Run.ScriptMemoryMB},
	} {
		text := strings.TrimSpace(getenv(e.env))
		if text == "" || a.given[e.param] {
			continue
		}
		v, err := strconv.Atoi(text)
		if err != nil {
			return fmt.Errorf("environment variable %s=%q is not an integer (like --%s)", e.env, text, e.param)
		}
		if err := checkScriptLimit(e.param, v); err != nil {
			return fmt.Errorf("environment variable %s: %w", e.env, err)
		}
		*e.dst = v
	}
	return nil
}

// ErrHelp is returned by ParseArgs for --help; print Usage() and exit.
var ErrHelp = errors.New("help requested")

// set stores one parameter's value.
func (a *Args) set(p *param, text string) error {
	if p.ignored != "" {
		if _, err := strconv.Atoi(strings.TrimSpace(text)); err != nil {
			return fmt.Errorf("--%s: %q is not an integer", p.name, text)
		}
		a.Notices = append(a.Notices, fmt.Sprintf("command line: --%s is no longer used and was ignored: %s", p.name, p.ignored))
		return nil
	}
	if p.replacedBy != "" {
		a.Notices = append(a.Notices, fmt.Sprintf("command line: --%s is deprecated, use --%s", p.name, p.replacedBy))
		to := paramByName(p.replacedBy)
		if err := a.set(to, text); err != nil {
			return err
		}
		a.Overrides[a.overrideIndex(to.key)].Param = p.name
		return nil
	}
	if p.name == "custom_settings" {
		cs, err := ParseCustomSettings(text)
		if err != nil {
			return err
		}
		if a.CustomSettings == nil {
			a.CustomSettings = CustomSettings{}
		}
		a.CustomSettings.Merge(cs)
		return nil
	}
	v, err := parseParamValue(p, text)
	if err != nil {
		return err
	}
	if p.key == nil {
		p.set(a, v)
		if a.given == nil {
			a.given = map[string]bool{}
		}
		a.given[p.name] = true
		return nil
	}
	o := Override{Param: p.name, Key: p.key.section + "." + p.key.name, Value: v}
	if i := a.overrideIndex(p.key); i >= 0 {
		// Often a start script and a panel both add the parameter: say which one counts.
		a.Notices = append(a.Notices, fmt.Sprintf("command line: --%s given more than once, the last one (%s) is used", p.name, text))
		a.Overrides[i] = o
	} else {
		a.Overrides = append(a.Overrides, o)
	}
	return nil
}

func (a *Args) overrideIndex(k *keyDef) int {
	for i, o := range a.Overrides {
		if o.Key == k.section+"."+k.name {
			return i
		}
	}
	return -1
}

// parseParamValue converts the text of a parameter into its typed value. Integers outside the
// valid range are kept: Open resets them to the nearest valid value with a log line, as it does for
// Config.toml.
func parseParamValue(p *param, text string) (any, error) {
	switch p.kind {
	case kindBool:
		b, err := parseBool(text)
		if err != nil {
			return nil, fmt.Errorf("--%s: %q is not 0 or 1", p.name, text)
		}
		return b, nil
	case kindInt:
		i, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("--%s: %q is not an integer (%s)", p.name, text, p.value)
		}
		i = max(min(i, math.MaxInt32), math.MinInt32)
		if p.name == "thread_pool_count" && i < 0 {
			return nil, fmt.Errorf("--thread_pool_count: %d is negative: use 0 for one thread per operation or a worker count", i)
		}
		if err := checkScriptLimit(p.name, int(i)); err != nil {
			return nil, fmt.Errorf("--%s: %w", p.name, err)
		}
		return int(i), nil
	case kindList:
		return splitList(text), nil
	}
	if p.name == "steam_app" && text != "game" && text != "playtest" {
		return nil, fmt.Errorf("--steam_app: %q is not a Steam App: use game or playtest", text)
	}
	return text, nil
}

// parseBool reads a flag's value: 0 and 1 as the server's command line documents them, and
// false and true as well, which operators type just as often.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not 0 or 1", s)
}

// unknownParam builds the error for a parameter that does not exist, naming the closest one.
func unknownParam(arg, name string) error {
	names := make([]string, 0, len(params)+1)
	for _, p := range params {
		names = append(names, p.name)
	}
	names = append(names, "help")
	best, _ := closest(name, names)
	return fmt.Errorf("unknown parameter %q: did you mean --%s? (--help lists them all)", arg, best)
}

// closest returns the name with the smallest edit distance to s, and that distance.
func closest(s string, names []string) (string, int) {
	best, bestDist := "", math.MaxInt
	for _, n := range names {
		if d := editDistance(strings.ToLower(s), n); d < bestDist {
			best, bestDist = n, d
		}
	}
	return best, bestDist
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	if len(a) > 256 {
		a = a[:256] // parameter names are short; bound the work for hostile input
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Usage returns the --help text: every parameter with its values and what it does.
func Usage() string {
	var b strings.Builder
	b.WriteString("Usage: nanoforge [--parameter value | --parameter=value | --flag [0|1]] ...\n\n")
	b.WriteString("Parameters override Config.toml for this run; add --save to write them to it.\n")
	b.WriteString("--cli (the command-line interface) and --tracy must be the first argument.\n\n")
	var rows [][3]string
	for _, p := range params {
		if p.replacedBy != "" || p.ignored != "" {
			continue
		}
		rows = append(rows, [3]string{"--" + p.name, p.value, p.help})
	}
	rows = append(rows, [3]string{"--help", "", "print this list"})
	w0, w1 := 0, 0
	for _, r := range rows {
		w0, w1 = max(w0, len(r[0])), max(w1, len(r[1]))
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "  %-*s  %-*s  %s\n", w0, r[0], w1, r[1], r[2])
	}
	legacy := make([]string, 0, 2)
	for _, p := range params {
		switch {
		case p.replacedBy != "":
			legacy = append(legacy, fmt.Sprintf("--%s (use --%s)", p.name, p.replacedBy))
		case p.ignored != "":
			legacy = append(legacy, fmt.Sprintf("--%s (ignored: %s)", p.name, p.ignored))
		}
	}
	sort.Strings(legacy)
	b.WriteString("\nDeprecated, still accepted: " + strings.Join(legacy, ", ") + "\n")
	return b.String()
}
