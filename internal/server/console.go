package server

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/nanoforge/nanoforge/internal/packages"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

// builtin is one console command of nanos-spec §8.1.
type builtin struct {
	name   string
	params string
	desc   string
	run    func(s *Server, rest string, args []string) error
}

// usageError makes the console print the command's usage after the message.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func badArg(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

var builtins []builtin

func init() {
	builtins = []builtin{
		{"help", "", "list the console commands", (*Server).cmdHelp},
		// A command given a bad argument does nothing: "stop now" may be a typo of something else.
		{"stop", "", "stop the server", func(s *Server, _ string, args []string) error {
			if err := noArgs(args); err != nil {
				return err
			}
			s.Stop()
			return nil
		}},
		{"restart", "", "restart the server: reload all packages", func(s *Server, _ string, args []string) error {
			if err := noArgs(args); err != nil {
				return err
			}
			s.Restart()
			return nil
		}},
		{"clear", "", "clear the console", func(s *Server, _ string, args []string) error {
			if err := noArgs(args); err != nil {
				return err
			}
			s.out.WriteConsole([]byte("\x1b[H\x1b[2J\x1b[3J"))
			return nil
		}},
		{"log_level", "<1-3>", "change the log level: 1 normal, 2 debug, 3 verbose", (*Server).cmdLogLevel},
		{"profiling", "<0-1>", "turn profiling logs off or on", (*Server).cmdProfiling},
		{"password", "<new_password>", "change the server password (\"\" for none)", (*Server).cmdPassword},
		{"max_send_rate", "<128-16384>", "change the per-client send rate in KB/s", intSetting("max_send_rate")},
		{"max_file_transfer_rate", "<128-max_send_rate>", "change the per-client file transfer rate in KB/s", intSetting("max_file_transfer_rate")},
		{"distance_optimization", "<0-9>", "change the distance optimization level", intSetting("distance_optimization")},
		{"map", "<map_package>", "change the map package: reload all packages", (*Server).cmdMap},
		{"chat", "<message>", "send a chat message to all players", noPlayers("chat message not sent")},
		{"kick", "<player_id> <reason>", "kick a player", noPlayers("nobody to kick")},
		{"players", "", "list the connected players", (*Server).cmdPlayers},
		{"package", "<load|unload|reload|hotreload|run> ...", "load, unload, reload or run code in packages", (*Server).cmdPackage},
	}
}

func findBuiltin(name string) *builtin {
	for i := range builtins {
		if builtins[i].name == name {
			return &builtins[i]
		}
	}
	return nil
}

func noArgs(args []string) error {
	if len(args) > 0 {
		return badArg("unexpected argument %q", args[0])
	}
	return nil
}

// Exec runs one console line: it is first handed to the script host (Console "PlayerSubmit"),
// then run as a built-in command, or as a script-registered command when no built-in has the
// name, or else offered to legacy Server "Console" subscribers. Problems are reported as one
// console line.
func (s *Server) Exec(line string) {
	line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
	if line == "" {
		return
	}
	s.host.ConsoleInput(line)
	name, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	args := strings.Fields(rest)
	if b := findBuiltin(name); b != nil {
		if err := b.run(s, rest, args); err != nil {
			var u usageError
			if errors.As(err, &u) {
				usage := b.name
				if b.params != "" {
					usage += " " + b.params
				}
				s.log.Warn(fmt.Sprintf("%s: %v. Usage: %s", b.name, err, usage))
			} else {
				s.log.Error(fmt.Sprintf("%s: %v", b.name, err))
			}
		}
		return
	}
	ok, err := s.host.ConsoleCommand(name, args)
	switch {
	case !ok && !s.host.ConsoleLegacy(line):
		s.log.Warn(fmt.Sprintf("Unknown command '%s'. Type 'help' to list the commands.", name))
	case err != nil:
		s.log.Error(fmt.Sprintf("command '%s' failed: %v", name, err))
	}
}

// packageHelp lists the package sub-commands one per help row.
var packageHelp = [][2]string{
	{"package load <names...>", "load packages (and their requirements)"},
	{"package unload <names...>", "unload packages (and the packages that require them)"},
	{"package reload <names...>", "reload packages"},
	{"package reload all", "reload all packages with a fresh Lua state"},
	{"package hotreload <names...>", "run packages' files again, keeping their Lua memory"},
	{"package run <name> <lua_code>", "run Lua code in a package"},
}

func (s *Server) cmdHelp(_ string, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	var rows [][2]string
	for _, c := range builtins {
		if c.name == "package" {
			rows = append(rows, packageHelp...)
			continue
		}
		rows = append(rows, [2]string{strings.TrimSpace(c.name + " " + c.params), c.desc})
	}
	cmds := s.host.Commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	for _, c := range cmds {
		usage := c.Name
		for _, p := range c.Parameters {
			usage += " <" + p + ">"
		}
		rows = append(rows, [2]string{usage, fmt.Sprintf("%s (package '%s')", c.Description, c.Package)})
	}
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	var b strings.Builder
	b.WriteString("Available commands:")
	for _, r := range rows {
		fmt.Fprintf(&b, "\n  %-*s  %s", width, r[0], r[1])
	}
	s.log.Info(b.String())
	return nil
}

func oneInt(args []string, lo, hi int) (int, error) {
	if len(args) != 1 {
		return 0, badArg("expected one number")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		return 0, badArg("%q is not a number", args[0])
	}
	if n < lo || n > hi {
		return 0, badArg("%d is out of range %d-%d", n, lo, hi)
	}
	return n, nil
}

func (s *Server) cmdLogLevel(_ string, args []string) error {
	n, err := oneInt(args, 1, 3)
	if err != nil {
		return err
	}
	if err := s.ChangeSetting("log_level", n, false); err != nil {
		return err
	}
	s.log.Info(fmt.Sprintf("Log level set to %d", n))
	return nil
}

func (s *Server) cmdProfiling(_ string, args []string) error {
	n, err := oneInt(args, 0, 1)
	if err != nil {
		return err
	}
	if err := s.ChangeSetting("profiling", n == 1, false); err != nil {
		return err
	}
	s.log.Info(fmt.Sprintf("Profiling %s", map[bool]string{true: "enabled", false: "disabled"}[n == 1]))
	return nil
}

func (s *Server) cmdPassword(rest string, args []string) error {
	if len(args) == 0 {
		return badArg("no password given")
	}
	pw := rest
	if pw == `""` || pw == "''" {
		pw = ""
	}
	if len(args) > 1 && !strings.HasPrefix(rest, `"`) {
		return badArg("a password cannot contain spaces")
	}
	pw = strings.Trim(pw, `"`)
	if err := s.ChangeSetting("password", pw, false); err != nil {
		return err
	}
	if pw == "" {
		s.log.Info("Password removed: anyone can join")
	} else {
		s.log.Info("Password changed")
	}
	return nil
}

func intSetting(key string) func(*Server, string, []string) error {
	return func(s *Server, _ string, args []string) error {
		if len(args) != 1 {
			return badArg("expected one number")
		}
		n, err := strconv.Atoi(args[0])
		if err != nil {
			return badArg("%q is not a number", args[0])
		}
		if err := s.ChangeSetting(key, n, false); err != nil {
			return usageError{strings.TrimPrefix(err.Error(), "config: ")}
		}
		s.log.Info(fmt.Sprintf("%s set to %d", key, n))
		return nil
	}
}

func noPlayers(what string) func(*Server, string, []string) error {
	return func(s *Server, _ string, args []string) error {
		if len(args) == 0 {
			return badArg("missing argument")
		}
		s.log.Info("No players connected: " + what)
		return nil
	}
}

func (s *Server) cmdPlayers(_ string, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	s.log.Info(fmt.Sprintf("No players connected (0/%d)", s.cfg.General.MaxPlayers))
	return nil
}

func (s *Server) cmdMap(_ string, args []string) error {
	if len(args) != 1 {
		return badArg("expected one map package name")
	}
	return s.ChangeMap(args[0])
}

func (s *Server) cmdPackage(rest string, args []string) error {
	if len(args) == 0 {
		return badArg("missing action")
	}
	action := args[0]
	names := args[1:]
	switch action {
	case "run":
		if len(names) < 2 {
			return badArg("expected a package name and Lua code")
		}
		pkg := names[0]
		_, afterRun, _ := strings.Cut(rest, "run")
		code := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(afterRun), pkg))
		if !slices.Contains(s.Loaded(), pkg) {
			return fmt.Errorf("package '%s' is not loaded", pkg)
		}
		out, err := s.host.RunCode(pkg, code)
		if err != nil {
			return fmt.Errorf("in package '%s': %v", pkg, err)
		}
		if out != "" {
			s.log.Info(out)
		}
		return nil
	case "reload":
		if len(names) == 1 && names[0] == "all" {
			s.pending = append(s.pending, request{"reload all", ""})
			return nil
		}
		fallthrough
	case "load", "unload", "hotreload":
		if len(names) == 0 {
			return badArg("no package names given")
		}
		for _, n := range names {
			s.pending = append(s.pending, request{action, n})
		}
		return nil
	}
	return badArg("unknown action %q", action)
}

// applyPending carries out the queued package changes (package-changes phase of the tick).
func (s *Server) applyPending() {
	reqs := s.pending
	s.pending = nil
	for _, r := range reqs {
		var err error
		switch r.action {
		case "load":
			err = s.loadRuntime(r.name)
		case "unload":
			err = s.unloadRuntime(r.name)
		case "reload":
			err = s.reloadRuntime(r.name)
		case "hotreload":
			err = s.hotReloadRuntime(r.name)
		case "reload all":
			if s.stopReq || s.restartReq {
				// The whole server restarts (or stops) at the end of this tick anyway: a
				// second fresh state, and a second Restart event, would be for nothing.
				s.log.Info("package reload all: skipped, the server restarts or stops at the end of this tick")
				continue
			}
			s.restart("Reloading all packages...", s.loadedSelection())
		}
		if err != nil {
			s.log.Error(fmt.Sprintf("package %s %s: %v", r.action, r.name, err))
		}
	}
}

func (s *Server) findLoaded(name string) (int, *packages.Info) {
	for i, l := range s.loaded {
		if l.Name == name {
			return i, l
		}
	}
	return -1, nil
}

func (s *Server) loadRuntime(name string) error {
	list, err := packages.ResolveLoad(name, s.loaded, s.src)
	if err != nil {
		return err
	}
	for _, info := range list {
		if info.Name != name {
			s.log.Info(fmt.Sprintf("Loading '%s' first: a requirement of '%s'", info.Name, name))
		}
		// A game-mode's declarations decide the custom settings, and a map's data what
		// GetMapConfig returns; both are in place before the package's scripts run.
		s.takeRole(info)
		if err := s.loadOne(info); err != nil {
			s.dropRole(info.Name)
			return err
		}
		s.requireAssets(info)
		// Outside start-up, Load fires right after each package (nanos-spec §4.10).
		s.host.FireLoad([]string{info.Name})
	}
	return nil
}

// requireAssets loads the asset packs a package loaded from the console requires, and logs
// what it added or could not find.
func (s *Server) requireAssets(info *packages.Info) {
	if s.plan == nil || len(info.AssetsRequirements) == 0 && info.MapAsset == "" {
		return
	}
	p := s.plan
	packs, errs, notes := len(p.AssetPacks), len(p.AssetErrors), len(p.Notes)
	p.RequireAssets(info, s.src)
	for _, n := range p.Notes[notes:] {
		s.log.Warn(n)
	}
	for _, e := range p.AssetErrors[errs:] {
		s.log.Error(e.Error())
	}
	if added := p.AssetPacks[packs:]; len(added) > 0 {
		s.log.Info(fmt.Sprintf("Loading asset packs: %v", added))
	}
}

func (s *Server) unloadRuntime(name string) error {
	if i, _ := s.findLoaded(name); i < 0 {
		return fmt.Errorf("package '%s' is not loaded", name)
	}
	deps := packages.Dependents(name, s.loaded)
	for _, d := range deps {
		s.log.Warn(fmt.Sprintf("Unloading '%s' too: it requires '%s'", d, name))
	}
	var errs []error
	for _, n := range append(deps, name) {
		if err := s.host.UnloadPackage(n); err != nil {
			errs = append(errs, fmt.Errorf("unloading '%s': %w", n, err))
		}
		if i, _ := s.findLoaded(n); i >= 0 {
			s.loaded = slices.Delete(s.loaded, i, i+1)
		}
		s.dropRole(n)
		s.log.Info(fmt.Sprintf("Package '%s' unloaded.", n))
	}
	return errors.Join(errs...)
}

func (s *Server) reloadRuntime(name string) error {
	info, i, err := s.loadNewRequirements(name)
	if err != nil {
		return err
	}
	if err := s.host.UnloadPackage(name); err != nil {
		s.log.Warn(fmt.Sprintf("unloading '%s' for reload: %v", name, err))
	}
	s.log.Info(fmt.Sprintf("Reloading Package '%s'...", name))
	deps := packages.Dependents(name, s.loaded)
	slices.Reverse(deps)
	s.takeRole(info)
	if err := s.host.LoadPackage(info.ScriptPackage()); err != nil {
		s.dropRole(name)
		s.loaded = slices.Delete(s.loaded, i, i+1)
		_ = s.host.UnloadPackage(name)
		if len(deps) > 0 {
			return fmt.Errorf("package '%s' failed to load and is now unloaded (%s still loaded without it): %w", name, quoteList(deps), err)
		}
		return fmt.Errorf("package '%s' failed to load and is now unloaded: %w", name, err)
	}
	for _, w := range info.Warnings {
		s.log.Warn(w)
	}
	s.loaded[i] = info
	s.requireAssets(info)
	s.host.FireLoad([]string{name})
	s.log.Info(fmt.Sprintf("Package '%s' reloaded.", name))
	if len(deps) > 0 {
		s.log.Info(fmt.Sprintf("Not reloaded, requiring '%s': %s (reload them too if they keep what it exported)", name, quoteList(deps)))
	}
	return nil
}

// loadNewRequirements reads the loaded package name's manifest again and loads the
// requirements it gained, ahead of it in the load order: the first step of both reloads. It
// returns the new manifest and name's new index. A package that is not loaded, or a requirement
// that is missing, broken or cyclic, is an error, and the loaded version keeps running.
func (s *Server) loadNewRequirements(name string) (*packages.Info, int, error) {
	i, _ := s.findLoaded(name)
	if i < 0 {
		return nil, -1, fmt.Errorf("package '%s' is not loaded (use package load %s)", name, name)
	}
	others := slices.Delete(slices.Clone(s.loaded), i, i+1)
	list, err := packages.ResolveLoad(name, others, s.src)
	if err != nil {
		return nil, i, fmt.Errorf("package '%s' not reloaded, the loaded version keeps running: %w", name, err)
	}
	for _, req := range list[:len(list)-1] {
		s.log.Info(fmt.Sprintf("Loading '%s' first: a requirement of '%s'", req.Name, name))
		s.takeRole(req)
		if err := s.loadOne(req); err != nil {
			s.dropRole(req.Name)
			return nil, i, fmt.Errorf("package '%s' not reloaded, the loaded version keeps running: its requirement '%s' failed to load", name, req.Name)
		}
		// Requirements stay ahead of the packages needing them in the load order.
		last := s.loaded[len(s.loaded)-1]
		s.loaded = slices.Insert(s.loaded[:len(s.loaded)-1], i, last)
		i++
		s.requireAssets(req)
		s.host.FireLoad([]string{req.Name})
	}
	return list[len(list)-1], i, nil
}

// quoteList writes names as 'a', 'b', 'c'.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return strings.Join(q, ", ")
}

func (s *Server) hotReloadRuntime(name string) error {
	info, i, err := s.loadNewRequirements(name)
	if err != nil {
		return err
	}
	s.takeRole(info)
	if err := s.host.HotReloadPackage(info.ScriptPackage()); err != nil {
		return err
	}
	s.loaded[i] = info
	s.requireAssets(info)
	s.log.Info(fmt.Sprintf("Package '%s' hot reloaded.", name))
	return nil
}

// restart unloads everything through a fresh script state and loads sel again, reading every
// manifest from disk (console restart and map: the configured packages; package reload all:
// the loaded ones). The running scripts hear of it first, while their state still exists:
// Server "ChangeMap"(old_map, new_map) when the map changes, then Server "Restart" (nanos-spec
// §9.1 point 4).
func (s *Server) restart(why string, sel packages.Selection) {
	s.log.Info(why)
	if mc := s.mapChange; mc != nil {
		s.mapChange = nil
		s.fire("ChangeMap", mc.old, mc.new)
	}
	s.fire("Restart")
	if err := s.host.Reset(); err != nil {
		s.log.Error(fmt.Sprintf("resetting the script host: %v", err))
	}
	s.loadAll(sel)
	s.log.Info(fmt.Sprintf("Reloaded %d packages", len(s.loaded)))
}

// fire fires a Server event in the scripts, logging a failure to deliver it.
func (s *Server) fire(event string, args ...any) {
	if _, err := s.host.Fire("Server", event, args...); err != nil {
		s.log.Error(fmt.Sprintf("firing Server \"%s\": %v", event, err))
	}
}

// takeRole records info as the game-mode or map of the plan when it is one (a package loaded,
// reloaded or hot-reloaded from the console) and recomputes what depends on it.
func (s *Server) takeRole(info *packages.Info) {
	switch info.Kind {
	case scripthost.KindGameMode:
		s.plan.GameMode = info
		s.computeCustomSettings()
	case scripthost.KindMap:
		s.plan.Map = info
	}
}

// dropRole forgets name as the plan's game-mode or map.
func (s *Server) dropRole(name string) {
	if s.plan.GameMode != nil && s.plan.GameMode.Name == name {
		s.plan.GameMode = nil
		s.computeCustomSettings()
	}
	if s.plan.Map != nil && s.plan.Map.Name == name {
		s.plan.Map = nil
	}
}
