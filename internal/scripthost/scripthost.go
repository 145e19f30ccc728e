// Package scripthost is the boundary between the server (config, package loader, tick loop,
// console) and the Lua scripting host. The server implements Server; the Lua host implements
// Host. Neither side imports the other: both import this package.
//
// Every method of both interfaces is called from the tick goroutine only, so implementations
// need no locking of their own for these calls.
package scripthost

import "time"

// Kind is a package's type as written in its manifest.
type Kind string

// The package kinds that carry Lua code or are loaded by the server.
const (
	KindScript        Kind = "script"
	KindGameMode      Kind = "game-mode"
	KindMap           Kind = "map"
	KindLoadingScreen Kind = "loading-screen"
)

// Package is what the host needs to know of a loaded package.
type Package struct {
	Name    string // folder name, also the package's identity
	Title   string
	Author  string
	Version string
	Kind    Kind
	// Dir is the absolute path of the package folder (it holds Server/, Shared/, Client/).
	Dir string
	// CompatibilityVersion is the manifest's "major.minor", or "" when absent.
	CompatibilityVersion string
	// Requirements are the package's packages_requirements, already loaded before it.
	Requirements []string
}

// Vector3 is a plain x, y, z triple (a Vector or a Rotator's pitch, yaw, roll).
type Vector3 struct{ X, Y, Z float64 }

// SpawnPoint is one entry of a map package's spawn_points.
type SpawnPoint struct {
	Location Vector3
	Rotation Vector3 // pitch, yaw, roll
}

// Command is a console command registered by a script.
type Command struct {
	Name        string
	Description string
	Parameters  []string
	Package     string // the package that registered it
}

// Host runs packages' Lua code: one state for the server side, one environment per package.
type Host interface {
	// LoadPackage creates the package's environment and runs Shared/Index.lua, then
	// Server/Index.lua. It does not fire the package's "Load" event.
	LoadPackage(p Package) error
	// FireLoad fires Package "Load" in each named package, in order.
	FireLoad(names []string)
	// UnloadPackage fires the package's "Unload" event, then removes everything it made:
	// subscriptions, timers, console commands, exports; persistent data is flushed.
	UnloadPackage(name string) error
	// HotReloadPackage runs the package's files again, keeping its Lua memory, then fires
	// its "Load" event (the caller does not call FireLoad for it).
	HotReloadPackage(p Package) error
	// Reset unloads every package and starts a fresh Lua state (package reload all).
	Reset() error

	// Start fires Server "Start".
	Start()
	// Tick runs due timers and completed async callbacks, then fires Server "Tick" with delta.
	Tick(delta time.Duration)
	// Stop fires Server "Stop".
	Stop()

	// ConsoleInput fires Console "PlayerSubmit" for a line typed at the console.
	ConsoleInput(line string)
	// ConsoleCommand runs a script-registered command. ok is false when no script registered name.
	ConsoleCommand(name string, args []string) (ok bool, err error)
	// ConsoleLegacy hands a line that no command took to the packages subscribed to the
	// first API's Server "Console" event, which received exactly those lines. It reports
	// whether any package did, in which case the line is not an unknown command.
	ConsoleLegacy(line string) (taken bool)
	// Commands lists the script-registered console commands, for help.
	Commands() []Command
	// RunCode runs Lua code in a package's environment (console "package run") and returns
	// what it returned, formatted for the console.
	RunCode(pkg, code string) (string, error)

	// Fire fires event of a static class ("Server", "Console", "Chat"...) with args, in every
	// package subscribed to it. It reports whether a callback returned false. The server fires
	// Server "ChangeMap"(old_map, new_map) and Server "Restart" through it, just before a
	// restart tears the packages down.
	Fire(class, event string, args ...any) (cancelled bool, err error)

	// Close releases the Lua state. The host is unusable afterwards.
	Close() error
}

// ServerInfo is the server's configuration as scripts see it.
type ServerInfo struct {
	Name, Description, Logo, Password string
	IP                                string
	Port, QueryPort                   int
	MaxPlayers                        int
	Map, GameMode, LoadingScreen      string
	Version                           string
	TickRate                          int // max_tick_rate, Hz
}

// Server is what the scripting host may ask of the running server.
type Server interface {
	Info() ServerInfo
	// CustomSettings are the game-mode's effective custom settings (declaration defaults <
	// Config.toml < --custom_settings), typed as declared.
	CustomSettings() map[string]any
	// MapConfig is the map package's [custom_data]; SpawnPoints its parsed spawn_points.
	MapConfig() map[string]any
	SpawnPoints() []SpawnPoint
	// Packages lists the loaded packages in load order.
	Packages() []Package
	// RequestPackage asks for "load", "unload", "reload" or "hotreload" of a package at the
	// next tick, exactly as the console command does.
	RequestPackage(action, name string) error
	// Stop and Restart are carried out at the end of the current tick.
	Stop()
	Restart()
	// ServerDir is the server folder: the root File and Package persistent data are confined to.
	ServerDir() string
	// RecordTiming adds d to the time spent in package pkg handling event during this tick,
	// for the tick-too-high report and profiling.
	RecordTiming(pkg, event string, d time.Duration)
	// ChangeSetting changes a server setting at runtime (Server.SetName and the like), optionally
	// writing it to Config.toml. key is the Config.toml key, e.g. "name", "max_players".
	ChangeSetting(key string, value any, persist bool) error
}

// ServerDetails is what a server may report beyond ServerInfo for Server.GetMapAsset,
// Server.GetCompressionLevel and Server.IsAnnounced.
type ServerDetails struct {
	MapAsset    string // "<asset-pack>::<asset-key>" of the loaded level; "": read from the map package
	Compression int    // [optimization] compression, 0-9
	Announced   bool   // [discover] announce
}

// DetailedServer is implemented by a Server that knows its map asset and network settings.
// A host facing a server without it reports the Config.toml defaults (compression 1, announced).
type DetailedServer interface {
	Details() ServerDetails
}

// MapChanger is implemented by a Server that can restart in another map (Server.ChangeMap).
// The change is carried out at the end of the current tick, as the console "map" command's:
// Server "ChangeMap"(old_map, new_map) fires, then Server "Restart", then every package is
// loaded again in the new map.
type MapChanger interface {
	// ChangeMap checks mapPath (a map package name, or an asset reference such as
	// "nanos-world::BlankMap") and requests the change; an unknown map or a package that is not
	// a map is an error and nothing changes.
	ChangeMap(mapPath string) error
}
