// Package server runs a Nanoforge server: it opens Config.toml, prepares the server folder and
// its logs, loads the packages into the script host in the documented order, runs the tick loop
// and the console, and shuts down in the documented order (nanos-spec §8, §9.1).
//
// One goroutine, the tick goroutine, owns all state: the script host, the loaded packages and
// the configuration. The console reader only hands it lines. Tests drive the server in manual
// mode, one Step per tick, with an injected clock.
//
// Use:
//
//	srv, err := server.New(server.Options{Args: args, Console: os.Stdin, NewHost: factory})
//	if err != nil { ... }            // e.g. a *config.ParseError for a broken Config.toml
//	err = srv.Run(ctx)               // Start, tick until stop or ctx is done, Shutdown
//
// or, in manual mode: srv.Start(), then srv.Submit(line) and srv.Step() per tick.
//
// *Server implements scripthost.Server, scripthost.DetailedServer and scripthost.MapChanger
// for the script host.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nanoforge/nanoforge/internal/config"
	"github.com/nanoforge/nanoforge/internal/logging"
	"github.com/nanoforge/nanoforge/internal/packages"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

// Version is the server version reported to scripts and in the start-up line.
const Version = "0.1.0"

// LogsDir is the folder of the session logs inside the server folder.
const LogsDir = ".logs"

// Clock tells the time. The server reads it at the start and end of every tick; tests inject a
// clock they advance themselves.
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// HostFactory creates the script host for a server.
type HostFactory func(scripthost.Server, *slog.Logger) (scripthost.Host, error)

// Options configure New.
type Options struct {
	// Dir is the server folder (Config.toml, Packages/, Assets/, .logs/). Empty means the
	// working directory.
	Dir string
	// Args is the parsed command line; nil for none.
	Args *config.Args
	// Console is read line by line as console input; nil for none.
	Console io.Reader
	// Output receives the console log lines; nil means os.Stdout.
	Output io.Writer
	// NewHost creates the script host. When it is nil or fails, the server runs without
	// scripting and says so in one warning line.
	NewHost HostFactory
	// Clock is the time source; nil means the system clock.
	Clock Clock
	// Source reads package manifests; nil reads the server folder's Packages/ and Assets/.
	Source packages.Source
	// KeepLogs is how many earlier sessions' log files are kept; 0 means logging.KeepSessions.
	KeepLogs int
	// NoLogFile keeps logs on the console only (benchmarks).
	NoLogFile bool
	// Download fetches missing packages (kind "package") or asset packs (kind "assets") into
	// the server folder; it is used with --auto_download. Nil means downloads are unavailable.
	Download func(kind string, names []string) error
}

// Server is one running server. Create it with New, then Start, then Run (or Step in manual
// mode), and Shutdown.
type Server struct {
	dir    string
	opts   Options
	cfg    *config.Config
	out    *logging.Output
	log    *slog.Logger
	file   *logging.SessionFile
	clock  Clock
	src    packages.Source
	host   scripthost.Host
	noHost bool

	plan           *packages.Plan
	loaded         []*packages.Info
	customSettings map[string]any

	// Console lines arrive from the reader goroutine; everything else is tick-goroutine only.
	inMu  sync.Mutex
	input []string

	pending    []request
	mapChange  *mapChange // the map change carried out with the requested restart, if any
	stopReq    bool
	restartReq bool
	started    bool
	stopped    bool

	tick       tickState
	consoleEOF chan struct{}
}

// mapChange is a requested map change: the map before the first request of this tick, and
// the one asked for last.
type mapChange struct{ old, new string }

// request is a package change carried out in the package-changes phase of a tick.
type request struct{ action, name string }

// New opens the server folder: Config.toml (created on first start, rewritten canonically),
// `Packages/`, `Assets/` and `.logs/` with this session's log file. It loads nothing yet.
// A Config.toml that cannot be parsed is returned as the config package's *ParseError and the
// file is left untouched.
func New(opts Options) (*Server, error) {
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("server folder %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("creating server folder %s: %w", abs, err)
	}
	output := opts.Output
	if output == nil {
		output = os.Stdout
	}
	logLevel := 1
	if opts.Args != nil {
		for _, o := range opts.Args.Overrides {
			if v, ok := o.Value.(int); ok && o.Key == "debug.log_level" {
				logLevel = v
			}
		}
	}
	s := &Server{dir: abs, opts: opts, clock: opts.Clock, src: opts.Source, consoleEOF: make(chan struct{})}
	if s.clock == nil {
		s.clock = systemClock{}
	}
	s.out = logging.NewOutput(output, nil, logLevel)
	s.out.SetColor(logging.IsTerminal(output))
	s.out.Now = s.clock.Now
	s.log = s.out.Logger()

	// The session log opens before Config.toml so its messages (resets, migrations) are kept.
	if !opts.NoLogFile {
		keep := opts.KeepLogs
		if keep == 0 {
			keep = logging.KeepSessions
		}
		f, err := logging.OpenSession(filepath.Join(abs, LogsDir), keep)
		if err != nil {
			return nil, err
		}
		s.file = f
		s.out.SetFile(f)
	}
	cfg, err := config.Open(abs, opts.Args, s.log)
	if err != nil {
		s.closeLog()
		return nil, err
	}
	s.cfg = cfg
	s.out.SetLogLevel(cfg.Debug.LogLevel)
	s.out.SetProfiling(cfg.Debug.Profiling)
	s.out.SetAsync(cfg.Debug.AsyncLog)
	for _, sub := range []string{packages.PackagesDir, packages.AssetsDir} {
		if err := os.MkdirAll(filepath.Join(abs, sub), 0o755); err != nil {
			s.closeLog()
			return nil, fmt.Errorf("creating %s: %w (check the server folder is writable)", filepath.Join(abs, sub), err)
		}
	}
	if s.src == nil {
		s.src = &packages.DirSource{Root: abs}
	}
	return s, nil
}

// Config returns the running configuration. Use it from the tick goroutine only.
func (s *Server) Config() *config.Config { return s.cfg }

// Logger returns the server's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

// LogOutput returns the log output, whose level and profiling switch the console changes.
func (s *Server) LogOutput() *logging.Output { return s.out }

// Start creates the script host, loads the packages (game-mode, scripts, map; requirements
// first), fires Load in every package, fires Server "Start", starts reading the console and
// logs the ready line `Server started! Port P, tick rate R Hz.` (panel eggs wait for
// "Server started!").
func (s *Server) Start() error {
	if s.started {
		return errors.New("server already started")
	}
	s.started = true
	c := s.cfg
	s.log.Info(fmt.Sprintf("Starting Server at Port: %d. Version: %s. Map: '%s'.", c.Discover.Port, Version, c.Game.Map))
	s.host = s.newHost()
	s.loadAll(s.configSelection())
	s.host.Start()
	if s.opts.Console != nil {
		go s.readConsole(s.opts.Console)
	} else {
		close(s.consoleEOF)
	}
	s.tick.last = s.clock.Now()
	s.log.Info(fmt.Sprintf("Server started! Port %d, tick rate %d Hz.", c.Discover.Port, c.Optimization.MaxTickRate))
	return nil
}

// newHost builds the script host from Options.NewHost. A missing or failing factory does not
// stop the server: it runs without scripting (nullHost) and says so, because the rest of the
// server (config, packages, console) is still useful for checking a setup.
func (s *Server) newHost() scripthost.Host {
	if s.opts.NewHost == nil {
		s.noHost = true
		s.log.Warn("No script host: running without scripting; packages' Lua code will not run")
		return nullHost{}
	}
	h, err := s.opts.NewHost(s, s.log)
	if err != nil || h == nil {
		if err == nil {
			err = errors.New("the factory returned no host")
		}
		s.noHost = true
		s.log.Warn(fmt.Sprintf("Script host unavailable (%v): running without scripting; packages' Lua code will not run", err))
		return nullHost{}
	}
	return h
}

// configSelection is what Config.toml and the command line ask to load (start-up, restart,
// map change).
func (s *Server) configSelection() packages.Selection {
	c := s.cfg
	return packages.Selection{
		GameMode: c.Game.GameMode, Packages: c.Game.Packages, Map: c.Game.Map,
		LoadingScreen: c.Game.LoadingScreen, Assets: c.Game.Assets,
	}
}

// loadedSelection is what is loaded now, in load order (`package reload all`): packages loaded
// or unloaded from the console since start-up stay so, and a map kept out by
// force_no_map_package stays out.
func (s *Server) loadedSelection() packages.Selection {
	c := s.cfg
	sel := packages.Selection{LoadingScreen: c.Game.LoadingScreen, Assets: c.Game.Assets}
	for _, l := range s.loaded {
		switch l.Kind {
		case scripthost.KindGameMode:
			sel.GameMode = l.Name
		case scripthost.KindMap:
			sel.Map = l.Name
		default:
			sel.Packages = append(sel.Packages, l.Name)
		}
	}
	return sel
}

// loadAll resolves the plan of sel and loads every package, firing Load after the last one
// (start-up, restart and `package reload all`).
func (s *Server) loadAll(sel packages.Selection) {
	plan := packages.Resolve(sel, s.src)
	if s.cfg.Run.AutoDownload {
		plan = s.autoDownload(sel, plan)
	}
	s.plan = plan
	for _, n := range plan.Notes {
		s.log.Warn(n)
	}
	for _, f := range plan.Failures {
		s.log.Error(f.Error())
	}
	for _, e := range plan.AssetErrors {
		s.log.Error(e.Error())
	}
	if plan.MapSkippedBy != "" {
		s.log.Info(fmt.Sprintf("Map package not loaded: package '%s' sets force_no_map_package", plan.MapSkippedBy))
	}
	if len(plan.AssetPacks) > 0 {
		s.log.Info(fmt.Sprintf("Loading asset packs: %v", plan.AssetPacks))
	}
	if plan.LoadingScreen != nil {
		s.log.Info(fmt.Sprintf("Loading screen: '%s'", plan.LoadingScreen.Name))
	}
	s.computeCustomSettings()

	s.loaded = nil
	failed := map[string]string{}
	for _, info := range plan.Order {
		if bad := firstFailed(info, failed); bad != "" {
			failed[info.Name] = bad
			s.log.Error(fmt.Sprintf("package '%s' not loaded: its requirement '%s' failed to load", info.Name, bad))
			continue
		}
		if err := s.loadOne(info); err != nil {
			failed[info.Name] = info.Name
			continue
		}
	}
	var names []string
	for _, info := range s.loaded {
		names = append(names, info.Name)
	}
	if len(names) > 0 {
		s.host.FireLoad(names)
	}
	if plan.LoadLevelEntities {
		s.log.Debug("load_level_entities is on: a loaded package asks for it")
	}
}

// autoDownloadRounds bounds the download-and-resolve rounds of --auto_download: each round can
// reveal the requirements of what the previous one fetched.
const autoDownloadRounds = 8

// autoDownload fetches the plan's missing packages and asset packs and resolves again, until
// nothing new is missing (--auto_download).
func (s *Server) autoDownload(sel packages.Selection, plan *packages.Plan) *packages.Plan {
	if s.opts.Download == nil {
		if len(plan.MissingPackages)+len(plan.MissingAssets) > 0 {
			s.log.Warn("--auto_download: downloading is not available in this server; install missing packages with nanoforge --cli install package NAME")
		}
		return plan
	}
	tried := map[string]bool{}
	for range autoDownloadRounds {
		var pkgs, assets []string
		for _, n := range plan.MissingPackages {
			if !tried["package "+n] {
				tried["package "+n] = true
				pkgs = append(pkgs, n)
			}
		}
		for _, n := range plan.MissingAssets {
			if !tried["assets "+n] {
				tried["assets "+n] = true
				assets = append(assets, n)
			}
		}
		if len(pkgs)+len(assets) == 0 {
			break
		}
		for _, batch := range []struct {
			kind  string
			names []string
		}{{"package", pkgs}, {"assets", assets}} {
			if len(batch.names) == 0 {
				continue
			}
			s.log.Info(fmt.Sprintf("--auto_download: downloading %s %s", batch.kind, strings.Join(batch.names, ", ")))
			if err := s.opts.Download(batch.kind, batch.names); err != nil {
				s.log.Error(fmt.Sprintf("--auto_download: %s %s: %v", batch.kind, strings.Join(batch.names, ", "), err))
			}
		}
		plan = packages.Resolve(sel, s.src)
	}
	return plan
}

// firstFailed returns the requirement of info that failed to load, or "".
func firstFailed(info *packages.Info, failed map[string]string) string {
	for _, r := range info.PackagesRequirements {
		if _, ok := failed[r]; ok {
			return r
		}
	}
	return ""
}

// loadOne runs one package's scripts and records it as loaded.
func (s *Server) loadOne(info *packages.Info) error {
	for _, w := range info.Warnings {
		s.log.Warn(w)
	}
	s.log.Info(fmt.Sprintf("Loading Package '%s'...", info.Name))
	start := s.clock.Now()
	if err := s.host.LoadPackage(info.ScriptPackage()); err != nil {
		s.log.Error(fmt.Sprintf("package '%s' failed to load: %v", info.Name, err))
		// The host may have run part of the package; unloading removes what it made.
		_ = s.host.UnloadPackage(info.Name)
		return err
	}
	s.loaded = append(s.loaded, info)
	s.log.Info(fmt.Sprintf("Package '%s' loaded.", info.Name))
	s.log.Log(context.Background(), logging.LevelProfile, fmt.Sprintf("Package '%s' loaded in %s", info.Name, s.clock.Now().Sub(start)))
	return nil
}

// computeCustomSettings merges the game-mode's declared settings with Config.toml's and the
// command line's values (nanos-spec §4.5); it runs again whenever the game-mode or its values
// change.
func (s *Server) computeCustomSettings() {
	file := s.cfg.CustomSettings.Map()
	var cmdline map[string]any
	if s.opts.Args != nil && s.opts.Args.CustomSettings != nil {
		cmdline = s.opts.Args.CustomSettings.Map()
		// The running configuration already holds the command-line values; take the file's
		// own so that a mistyped command-line value falls back to the file's, not the default.
		file = s.cfg.FileValues().CustomSettings.Map()
	}
	var gm *packages.Info
	if s.plan != nil {
		gm = s.plan.GameMode
	}
	values, warns := packages.EffectiveSettings(gm, file, cmdline)
	for _, w := range warns {
		s.log.Warn(w)
	}
	s.customSettings = values
}

// Loaded returns the names of the loaded packages in load order.
func (s *Server) Loaded() []string {
	var out []string
	for _, i := range s.loaded {
		out = append(out, i.Name)
	}
	return out
}

// AssetPacks returns the asset packs loaded with the packages, in load order. It is not part of
// scripthost.Server; a host that serves the Assets API can reach it with a type assertion.
func (s *Server) AssetPacks() []string {
	if s.plan == nil {
		return nil
	}
	return slices.Clone(s.plan.AssetPacks)
}

// LoadingScreen returns the loading-screen package's name, or "".
func (s *Server) LoadingScreen() string {
	if s.plan == nil || s.plan.LoadingScreen == nil {
		return ""
	}
	return s.plan.LoadingScreen.Name
}

// LoadLevelEntities reports whether clients spawn the level's static meshes as entities: on
// when any loaded package turns load_level_entities on (nanos-spec §4.4). It follows packages
// loaded and unloaded from the console.
func (s *Server) LoadLevelEntities() bool {
	return slices.ContainsFunc(s.loaded, func(i *packages.Info) bool { return i.LoadLevelEntities })
}

// Plan returns the load plan of the last start or `package reload all`.
func (s *Server) Plan() *packages.Plan { return s.plan }

// Stopped reports whether the server has been shut down.
func (s *Server) Stopped() bool { return s.stopped }

// Shutdown stops the server in the order of nanos-spec §9.1: fire Server "Stop", unload every
// package in reverse load order (each fires Unload), close the script host, then close the
// logs. It is safe to call more than once.
func (s *Server) Shutdown() error {
	if s.stopped {
		return nil
	}
	s.stopped = true
	// Slow ticks still waiting for their report are not lost at shutdown.
	s.reportSlowTicks(s.clock.Now())
	s.log.Info("Stopping server...")
	var errs []error
	if s.host != nil {
		s.host.Stop()
		for i := len(s.loaded) - 1; i >= 0; i-- {
			name := s.loaded[i].Name
			if err := s.host.UnloadPackage(name); err != nil {
				s.log.Error(fmt.Sprintf("unloading package '%s': %v", name, err))
				errs = append(errs, err)
			}
		}
		s.loaded = nil
		if err := s.host.Close(); err != nil {
			s.log.Error(fmt.Sprintf("closing the script host: %v", err))
			errs = append(errs, err)
		}
	}
	s.log.Info("Server stopped.")
	s.closeLog()
	return errors.Join(errs...)
}

// closeLog stops writing the session log file, after the lines still queued are written.
func (s *Server) closeLog() {
	// Written lines first: the asynchronous queue drains before the file closes.
	s.out.SetAsync(false)
	if s.file != nil {
		s.out.SetFile(nil)
		_ = s.file.Close()
		s.file = nil
	}
}

// --- scripthost.Server ---

// Info returns the configuration as scripts see it.
func (s *Server) Info() scripthost.ServerInfo {
	c := s.cfg
	info := scripthost.ServerInfo{
		Name: c.Discover.Name, Description: c.Discover.Description, Logo: c.Run.Logo,
		Password: c.General.Password, IP: c.Discover.IP, Port: c.Discover.Port,
		QueryPort: c.Discover.QueryPort, MaxPlayers: c.General.MaxPlayers,
		Map: c.Game.Map, GameMode: c.Game.GameMode, LoadingScreen: c.Game.LoadingScreen,
		Version: Version, TickRate: c.Optimization.MaxTickRate,
	}
	return info
}

// CustomSettings returns the game-mode's effective custom settings.
func (s *Server) CustomSettings() map[string]any { return maps.Clone(s.customSettings) }

// MapConfig returns the map package's [custom_data], or an empty table.
func (s *Server) MapConfig() map[string]any {
	if s.plan == nil || s.plan.Map == nil || s.plan.Map.CustomData == nil {
		return map[string]any{}
	}
	return maps.Clone(s.plan.Map.CustomData)
}

// SpawnPoints returns the map package's spawn points.
func (s *Server) SpawnPoints() []scripthost.SpawnPoint {
	if s.plan == nil || s.plan.Map == nil {
		return nil
	}
	return slices.Clone(s.plan.Map.SpawnPoints)
}

// Packages lists the loaded packages in load order.
func (s *Server) Packages() []scripthost.Package {
	out := make([]scripthost.Package, 0, len(s.loaded))
	for _, i := range s.loaded {
		out = append(out, i.ScriptPackage())
	}
	return out
}

// RequestPackage queues a package change for the package-changes phase of this tick.
func (s *Server) RequestPackage(action, name string) error {
	switch action {
	case "load", "unload", "reload", "hotreload":
	default:
		return fmt.Errorf("unknown package action %q: use load, unload, reload or hotreload", action)
	}
	if name == "" {
		return fmt.Errorf("package %s: no package name given", action)
	}
	s.pending = append(s.pending, request{action, name})
	return nil
}

// Stop asks the server to stop at the end of the current tick.
func (s *Server) Stop() { s.stopReq = true }

// Restart asks the server to reload everything at the end of the current tick.
func (s *Server) Restart() { s.restartReq = true }

// ChangeMap changes the map package (console "map", Server.ChangeMap): it checks mapPath (a
// map package, a built-in map, or an old-style asset reference "pack::level"),
// writes it as this run's map and asks for a restart at the end of the tick, which fires
// Server "ChangeMap"(old_map, new_map) then Server "Restart" before loading every package in
// the new map. A map that does not exist or a package that is not a map is an error, and
// nothing changes: a typo must not cost a restart of every package.
func (s *Server) ChangeMap(mapPath string) error {
	if mapPath == "" {
		return errors.New("map not changed: no map package name given")
	}
	// An asset reference ("nanos-world::TestingMap") is what scripts older than map packages
	// pass: it names a level, no package to check.
	if !packages.IsBuiltinMap(mapPath) && !strings.Contains(mapPath, "::") {
		info, err := s.src.Package(mapPath)
		if err != nil {
			return fmt.Errorf("map not changed: %w", err)
		}
		if info.Kind != scripthost.KindMap {
			return fmt.Errorf("map not changed: '%s' is a %s package, not a map", mapPath, info.Kind)
		}
	}
	old := s.cfg.Game.Map
	if err := s.cfg.Set("map", mapPath); err != nil {
		return err
	}
	if s.mapChange != nil {
		// Two changes in one tick are one change, from the map that was running.
		old = s.mapChange.old
	}
	s.mapChange = &mapChange{old: old, new: mapPath}
	s.log.Info(fmt.Sprintf("Changing map to '%s'", mapPath))
	s.Restart()
	return nil
}

// Details reports what scripts read with Server.GetMapAsset, Server.GetCompressionLevel and
// Server.IsAnnounced: the loaded map package's map_asset (a built-in map's level, or the
// setting itself when it is an old-style asset reference) and Config.toml's compression and
// announce.
func (s *Server) Details() scripthost.ServerDetails {
	d := scripthost.ServerDetails{
		Compression: s.cfg.Optimization.Compression,
		Announced:   s.cfg.Discover.Announce,
	}
	switch m := s.cfg.Game.Map; {
	case s.plan != nil && s.plan.Map != nil:
		d.MapAsset = s.plan.Map.MapAsset
	case packages.IsBuiltinMap(m):
		d.MapAsset = packages.BuiltinMapAsset(m)
	case strings.Contains(m, "::"):
		// An old-style map setting is the level itself.
		d.MapAsset = m
	}
	return d
}

// ServerDir returns the server folder.
func (s *Server) ServerDir() string { return s.dir }

// RecordTiming adds d to the time package pkg spent on event this tick.
func (s *Server) RecordTiming(pkg, event string, d time.Duration) {
	s.tick.record(pkg, event, d)
}

// ChangeSetting changes a Config.toml setting at runtime, optionally writing it to the file.
func (s *Server) ChangeSetting(key string, value any, persist bool) error {
	var err error
	if persist {
		err = s.cfg.SetAndSave(key, value)
	} else {
		err = s.cfg.Set(key, value)
	}
	if err != nil {
		return err
	}
	if key == "log_level" || key == "debug.log_level" {
		s.out.SetLogLevel(s.cfg.Debug.LogLevel)
	}
	if key == "profiling" || key == "debug.profiling" {
		s.out.SetProfiling(s.cfg.Debug.Profiling)
	}
	return nil
}

// nullHost stands in when no script host is available: packages are recorded as loaded but run
// no code.
type nullHost struct{}

func (nullHost) LoadPackage(scripthost.Package) error          { return nil }
func (nullHost) FireLoad([]string)                             {}
func (nullHost) UnloadPackage(string) error                    { return nil }
func (nullHost) HotReloadPackage(scripthost.Package) error     { return nil }
func (nullHost) Reset() error                                  { return nil }
func (nullHost) Start()                                        {}
func (nullHost) Tick(time.Duration)                            {}
func (nullHost) Stop()                                         {}
func (nullHost) ConsoleInput(string)                           {}
func (nullHost) ConsoleCommand(string, []string) (bool, error) { return false, nil }
func (nullHost) ConsoleLegacy(string) bool                     { return false }
func (nullHost) Commands() []scripthost.Command                { return nil }
func (nullHost) RunCode(string, string) (string, error) {
	return "", errors.New("no script host in this server: Lua code cannot run")
}
func (nullHost) Fire(string, string, ...any) (bool, error) { return false, nil }
func (nullHost) Close() error                              { return nil }

// The server offers the script host everything it may ask for.
var (
	_ scripthost.Server         = (*Server)(nil)
	_ scripthost.DetailedServer = (*Server)(nil)
	_ scripthost.MapChanger     = (*Server)(nil)
)
