package config

import (
	"fmt"
	"strings"
)

// FileName is the name of the server configuration file inside the server folder.
const FileName = "Config.toml"

// Discover is the [discover] section: how the server presents itself and where it listens.
type Discover struct {
	Name            string // server-list name
	Description     string // server-list description, at most MaxDescription characters
	Language        string // country code shown as a flag in the server list, or "global"
	IP              string // bind address of the game socket and the HTTP file server
	Port            int    // game traffic (UDP) and HTTP file server (TCP)
	QueryPort       int    // UDP query port; always differs from Port
	Announce        bool   // announce in the master server list
	DedicatedServer bool   // false runs as P2P through a relay
}

// General is the [general] section: who may join.
type General struct {
	MaxPlayers int      // player slots
	Password   string   // blank means no password
	Token      string   // Store token for the CLI, --auto_download and private content
	BannedIDs  []string // banned account IDs, rejected at connection time
}

// Game is the [game] section: what the server loads.
type Game struct {
	Map           string   // map package
	GameMode      string   // the one game-mode package, or blank
	Packages      []string // script packages in load order
	Assets        []string // extra asset packs to load
	LoadingScreen string   // loading-screen package, or blank
}

// Debug is the [debug] section.
type Debug struct {
	LogLevel  int  // 1 normal, 2 debug, 3 verbose
	AsyncLog  bool // log from a separate goroutine; false flushes every line before returning
	Profiling bool // emit profiling timings
}

// Optimization is the [optimization] section: the server's performance and network knobs.
type Optimization struct {
	MaxTickRate          int // main loop frequency in Hz
	MaxSyncRate          int // actor transform sync rate in Hz, at most MaxTickRate
	MaxSendRate          int // per-client network send rate in KB/s
	MaxFileTransferRate  int // per-client file transfer rate in KB/s, at most MaxSendRate
	Compression          int // deflate level for bulk payloads, 0 disables it
	DistanceOptimization int // how aggressively distant actors are synced less often, 0 disables it
}

// Run holds the settings that exist only on the command line: they apply to one run and are never
// written to Config.toml.
type Run struct {
	Logo               string // --logo: URL of a JPG logo, downloaded into memory
	SteamApp           string // --steam_app: "playtest" (default) or "game"
	AutoDownload       bool   // --auto_download: fetch missing packages and asset packs from the Store
	UseVaultAssetsLean bool   // --use_vault_assets_lean: fetch only the asset packs' .toml files
	LogShowThread      bool   // --log_show_thread: print the thread of each log line
	ThreadPoolCount    int    // --thread_pool_count: async workers; 0 starts one per operation
	EnableUnsafeLibs   bool   // --enable_unsafe_libs: keep os.execute, io.* and friends in Lua
	Tracy              bool   // --tracy: profiler build (accepted only as the first argument)
	// ScriptBudgetMS is how long, in milliseconds, one call into Lua may run before the watchdog
	// interrupts it (--script_budget_ms, NANOFORGE_SCRIPT_BUDGET_MS); 0 turns the watchdog off.
	ScriptBudgetMS int
	// ScriptMemoryMB caps the Lua state's memory in MiB (--script_memory_mb,
	// NANOFORGE_SCRIPT_MEMORY_MB); 0 removes the cap.
	ScriptMemoryMB int
}

// Config is the server configuration: the values of Config.toml with the command-line overrides of
// this run applied. The server owns it; it is not safe for concurrent mutation.
type Config struct {
	Discover       Discover
	General        General
	Game           Game
	CustomSettings CustomSettings // [custom_settings], in file order, values as written
	Debug          Debug
	Optimization   Optimization
	Run            Run

	// file links the configuration to the Config.toml it came from, for SetAndSave and Save.
	file *fileState
}

// Limits and defaults that other packages may want to show or check.
const (
	// MaxDescription is the longest [discover] description, in characters.
	MaxDescription = 200
	// DefaultSteamApp is the Steam App the server runs as without --steam_app.
	DefaultSteamApp = "playtest"
	// DefaultThreadPoolCount is the number of async workers without --thread_pool_count.
	DefaultThreadPoolCount = 8
	// DefaultScriptBudgetMS is the Lua watchdog budget without --script_budget_ms: three ticks
	// at 30 Hz, so one runaway handler cannot freeze the server for longer.
	DefaultScriptBudgetMS = 100
	// MaxScriptBudgetMS is the largest --script_budget_ms: ten minutes.
	MaxScriptBudgetMS = 600_000
	// DefaultScriptMemoryMB is the Lua memory cap without --script_memory_mb.
	DefaultScriptMemoryMB = 512
	// MinScriptMemoryMB is the smallest cap other than 0: below it the scripting API itself
	// hardly fits.
	MinScriptMemoryMB = 16
	// MaxScriptMemoryMB is the largest --script_memory_mb: 1 TiB.
	MaxScriptMemoryMB = 1 << 20
)

// Environment variables that set the script limits when the command line does not.
const (
	EnvScriptBudgetMS = "NANOFORGE_SCRIPT_BUDGET_MS"
	EnvScriptMemoryMB = "NANOFORGE_SCRIPT_MEMORY_MB"
)

// Default returns the configuration written on first start: the values of the canonical template.
func Default() *Config {
	return &Config{
		Discover: Discover{
			Name:            "nanos world server",
			Language:        "global",
			IP:              "0.0.0.0",
			Port:            7777,
			QueryPort:       7778,
			Announce:        true,
			DedicatedServer: true,
		},
		General:        General{MaxPlayers: 64, BannedIDs: []string{}},
		CustomSettings: CustomSettings{},
		Game:           Game{Map: "default-blank-map", Packages: []string{}, Assets: []string{}},
		Debug:          Debug{LogLevel: 1, AsyncLog: true},
		Optimization: Optimization{
			MaxTickRate:          30,
			MaxSyncRate:          30,
			MaxSendRate:          512,
			MaxFileTransferRate:  512,
			Compression:          1,
			DistanceOptimization: 4,
		},
		Run: Run{SteamApp: DefaultSteamApp, ThreadPoolCount: DefaultThreadPoolCount,
			ScriptBudgetMS: DefaultScriptBudgetMS, ScriptMemoryMB: DefaultScriptMemoryMB},
	}
}

// Clone returns a deep copy that shares nothing mutable with c.
func (c *Config) Clone() *Config {
	n := *c
	n.General.BannedIDs = cloneStrings(c.General.BannedIDs)
	n.Game.Packages = cloneStrings(c.Game.Packages)
	n.Game.Assets = cloneStrings(c.Game.Assets)
	n.CustomSettings = c.CustomSettings.Clone()
	return &n
}

func cloneStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string{}, s...)
}

// kind is the TOML type of a Config.toml key.
type kind int

const (
	kindString kind = iota
	kindInt
	kindBool
	kindList
)

func (k kind) String() string {
	switch k {
	case kindInt:
		return "an integer"
	case kindBool:
		return "true or false"
	case kindList:
		return "a list of strings"
	}
	return "a string"
}

// keyDef describes one key of the newest schema. The table below drives parsing, validation,
// rendering, the command line and Set, so a key is added in exactly one place.
type keyDef struct {
	section string
	name    string
	kind    kind
	comment string
	min     int // kindInt: smallest valid value
	max     int // kindInt: largest valid value (before dependent limits)
	maxLen  int // kindString: longest valid value in characters, 0 for no limit
	flag    bool
	usage   string            // value shown by Usage for kindString/kindList
	field   func(*Config) any // pointer to the field: *string, *int, *bool or *[]string
}

// sections lists the Config.toml sections in template order with their header comments.
var sections = []struct{ name, comment string }{
	{"discover", "# discover configurations"},
	{"general", "# general configurations"},
	{"game", "# game configurations"},
	{"custom_settings", "# custom settings values\n# those values can be accessed through Server.GetCustomSettings() method from any package"},
	{"debug", "# debug configurations"},
	{"optimization", "# optimization configurations"},
}

// keys is the newest schema in template order.
var keys = []*keyDef{
	{section: "discover", name: "name", kind: kindString, flag: true, usage: "text",
		comment: "server name",
		field:   func(c *Config) any { return &c.Discover.Name }},
	{section: "discover", name: "description", kind: kindString, flag: true, usage: "text", maxLen: MaxDescription,
		comment: "server description (max 200 characters)",
		field:   func(c *Config) any { return &c.Discover.Description }},
	{section: "discover", name: "language", kind: kindString, flag: true, usage: "country code",
		comment: "language (country code)",
		field:   func(c *Config) any { return &c.Discover.Language }},
	{section: "discover", name: "ip", kind: kindString, flag: true, usage: "IP address",
		comment: "server IP - we recommend leaving it 0.0.0.0 for default",
		field:   func(c *Config) any { return &c.Discover.IP }},
	{section: "discover", name: "port", kind: kindInt, flag: true, min: 1024, max: 65535,
		comment: "server port (TCP and UDP)",
		field:   func(c *Config) any { return &c.Discover.Port }},
	{section: "discover", name: "query_port", kind: kindInt, flag: true, min: 1024, max: 65535,
		comment: "query port (UDP)",
		field:   func(c *Config) any { return &c.Discover.QueryPort }},
	{section: "discover", name: "announce", kind: kindBool, flag: true,
		comment: "announce server in the master server list",
		field:   func(c *Config) any { return &c.Discover.Announce }},
	{section: "discover", name: "dedicated_server", kind: kindBool, flag: true,
		comment: "true if should run as dedicated server or false to run as P2P - dedicated server requires port forwarding and provides the fastest connection - P2P will provide a fake IP to be used to connect but connection can be slower as it uses Steam Datagram Relay service",
		field:   func(c *Config) any { return &c.Discover.DedicatedServer }},

	{section: "general", name: "max_players", kind: kindInt, flag: true, min: 1, max: 999,
		comment: "max players",
		field:   func(c *Config) any { return &c.General.MaxPlayers }},
	{section: "general", name: "password", kind: kindString, flag: true, usage: "text",
		comment: "leave it blank for no password",
		field:   func(c *Config) any { return &c.General.Password }},
	{section: "general", name: "token", kind: kindString, flag: true, usage: "token",
		comment: "nanos world server authentication token",
		field:   func(c *Config) any { return &c.General.Token }},
	{section: "general", name: "banned_ids", kind: kindList,
		comment: "banned nanos account IDs",
		field:   func(c *Config) any { return &c.General.BannedIDs }},

	{section: "game", name: "map", kind: kindString, flag: true, usage: "map package",
		comment: "default startup map",
		field:   func(c *Config) any { return &c.Game.Map }},
	{section: "game", name: "game_mode", kind: kindString, flag: true, usage: "package",
		comment: "game-mode package to load (set the main game-mode package to load - you can load only one 'game-mode' package type at once)",
		field:   func(c *Config) any { return &c.Game.GameMode }},
	{section: "game", name: "packages", kind: kindList, flag: true, usage: "package,package,...",
		comment: "packages list (set the packages you want to load)",
		field:   func(c *Config) any { return &c.Game.Packages }},
	{section: "game", name: "assets", kind: kindList, flag: true, usage: "asset-pack,asset-pack,...",
		comment: "asset packs list (additionally loads the asset packs you define here)",
		field:   func(c *Config) any { return &c.Game.Assets }},
	{section: "game", name: "loading_screen", kind: kindString, flag: true, usage: "package",
		comment: "loading-screen package to load (the loading screen will be displayed when players join your server)",
		field:   func(c *Config) any { return &c.Game.LoadingScreen }},

	{section: "debug", name: "log_level", kind: kindInt, flag: true, min: 1, max: 3,
		comment: "log Level - (1) normal, (2) debug or (3) verbose",
		field:   func(c *Config) any { return &c.Debug.LogLevel }},
	{section: "debug", name: "async_log", kind: kindBool, flag: true,
		comment: "if to use async or sync logs (async provides better performance, disabling async logs can help debugging crashes)",
		field:   func(c *Config) any { return &c.Debug.AsyncLog }},
	{section: "debug", name: "profiling", kind: kindBool, flag: true,
		comment: "enables performance profiling logs for debugging",
		field:   func(c *Config) any { return &c.Debug.Profiling }},

	{section: "optimization", name: "max_tick_rate", kind: kindInt, flag: true, min: 15, max: 120,
		comment: "server max tick rate in Hz (ticks per second) - higher is more responsive but uses more CPU - 30 Hz = 33ms per tick (default and recommended) - use with caution",
		field:   func(c *Config) any { return &c.Optimization.MaxTickRate }},
	{section: "optimization", name: "max_sync_rate", kind: kindInt, flag: true, min: 1, max: 30,
		comment: "max sync rate in Hz (syncs per second) (1 - 30) - controls the location/rotation/velocity actors synchronization rate from and to players - naturally limited by the tick rate",
		field:   func(c *Config) any { return &c.Optimization.MaxSyncRate }},
	{section: "optimization", name: "max_send_rate", kind: kindInt, flag: true, min: 128, max: 16384,
		comment: "max network send rate per client in KB/s (128 - 16.384) - recommended setting to the lowest needed value as higher rates may negatively impact the server performance when having players with bad connections - this only affects Dedicated Servers as P2P is naturally limited to 1.024 KB/s by Steam Datagram Relay service",
		field:   func(c *Config) any { return &c.Optimization.MaxSendRate }},
	{section: "optimization", name: "max_file_transfer_rate", kind: kindInt, flag: true, min: 128, max: 16384,
		comment: "max file transfer rate per client in KB/s (128 - max_send_rate) - limits file transfer bandwidth for each connected player - this will be limited by 'max_send_rate' setting",
		field:   func(c *Config) any { return &c.Optimization.MaxFileTransferRate }},
	{section: "optimization", name: "compression", kind: kindInt, flag: true, min: 0, max: 9,
		comment: "compression level to use in some networking operations (0 - 9) - (0) disables it, (1) is the fastest and already provides a good compression, (9) is the slowest but has the highest compression ratio",
		field:   func(c *Config) any { return &c.Optimization.Compression }},
	{section: "optimization", name: "distance_optimization", kind: kindInt, flag: true, min: 0, max: 9,
		comment: "distance optimization level to improve network usage by reducing sync from distant actors (0 - 9) - (0) disables it, (4) is a good middle term, (9) is the most aggressive",
		field:   func(c *Config) any { return &c.Optimization.DistanceOptimization }},
}

// keyByName finds a key by its bare name ("max_players") or its section-qualified name
// ("general.max_players").
func keyByName(name string) *keyDef {
	section, bare, qualified := strings.Cut(name, ".")
	if !qualified {
		bare, section = section, ""
	}
	for _, k := range keys {
		if k.name == bare && (section == "" || section == k.section) {
			return k
		}
	}
	return nil
}

// bounds returns the valid range of an integer key in c, including limits that depend on other
// keys, and a note naming that dependency for log lines.
func (k *keyDef) bounds(c *Config) (lo, hi int, note string) {
	lo, hi = k.min, k.max
	switch k.name {
	case "max_sync_rate":
		if c.Optimization.MaxTickRate < hi {
			hi, note = c.Optimization.MaxTickRate, " (at most max_tick_rate)"
		}
	case "max_file_transfer_rate":
		if c.Optimization.MaxSendRate < hi {
			hi, note = c.Optimization.MaxSendRate, " (at most max_send_rate)"
		}
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi, note
}

// rangeText describes the valid values of a key for Usage and error messages.
func (k *keyDef) rangeText() string {
	switch k.kind {
	case kindInt:
		s := fmt.Sprintf("%d..%d", k.min, k.max)
		switch k.name {
		case "max_sync_rate":
			s += ", at most max_tick_rate"
		case "max_file_transfer_rate":
			s = fmt.Sprintf("%d..max_send_rate", k.min)
		case "query_port":
			s += ", not equal to port"
		}
		return s
	case kindBool:
		return "0|1"
	case kindString:
		if k.maxLen > 0 {
			return fmt.Sprintf("%s, at most %d characters", k.usage, k.maxLen)
		}
		return k.usage
	}
	return k.usage
}
