// Package script is the nanos world scripting host of the server side: one Lua 5.4 state, one
// environment per package over a shared global table that holds the API and exported values,
// and the static classes Package, Events, Timer, Console and Server.
//
// Most of the API lives in runtime.lua, which keeps every subscription, timer, console command,
// export and required file on the record of the package that made it. This Go side owns the
// Lua state, reads package files, stores persistent data, and calls into Lua one callback at a
// time for the events the server fires, so each callback runs under the watchdog budget, is
// timed for the server, and fails alone.
//
// A Host is driven from the server's tick goroutine only (see scripthost.Host).
package script

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/nanoforge/nanoforge/internal/lua"
	"github.com/nanoforge/nanoforge/internal/script/lib"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

//go:embed runtime.lua
var runtimeSource string

// runtimeChunk is the chunk name of runtime.lua; its frames are hidden from package tracebacks.
const runtimeChunk = "=nanoforge/runtime"

// Defaults of Options.
const (
	DefaultBudget        = 100 * time.Millisecond
	DefaultMemoryLimit   = 512 << 20
	DefaultFlushInterval = 10 * time.Second
)

// Options configure a Host. The zero value uses the defaults above.
type Options struct {
	// Budget is the time one callback into Lua (an event handler, a timer, a console command,
	// a package's entry file) may run before the watchdog interrupts it. 0: DefaultBudget;
	// negative: no budget.
	Budget time.Duration
	// MemoryLimit caps the bytes the Lua state may hold. 0: DefaultMemoryLimit; negative:
	// no cap.
	MemoryLimit int64
	// UnsafeLibs keeps os.execute, io, dofile and the like (--enable_unsafe_libs).
	UnsafeLibs bool
	// PackagesDir is where packages are found by name for Package.Require("other/x.lua").
	// Empty: <ServerDir>/Packages.
	PackagesDir string
	// FlushInterval is how much tick time passes between writes of changed persistent data.
	// 0: DefaultFlushInterval.
	FlushInterval time.Duration
	// AssetPacks lists the loaded asset packs for the Assets class; nil: none.
	AssetPacks func() []lib.AssetPack
	// Libraries, when set, is called on every new Lua state after the standard libraries of
	// internal/script/lib and before the runtime, to register more globals (entity classes).
	Libraries func(L *lua.State) error
}

// Host is the Lua scripting host. It implements scripthost.Host.
type Host struct {
	srv         scripthost.Server
	log         *slog.Logger
	opts        Options
	packagesDir string
	serverDir   string

	L     *lua.State
	rt    rtRefs
	pkgs  map[string]scripthost.Package // loaded packages
	order []string
	// ids numbers packages for the runtime, which returns the id of the package that ran a
	// callback instead of its name (an integer crosses into Go without an allocation).
	ids     map[int64]string
	nextID  int64
	sinceFl time.Duration
	closed  bool

	libs    *lib.Libs
	libHost *libHost
}

// rtRefs are registry slots of the runtime's entry points.
type rtRefs struct {
	begin, call, finish, owner, due, fire, create, runEntry, unloadBegin, unloadFinish,
	hotPrepare, flushAll, command, commandList, commandOwner, runCode, packageStats, stuck, runningCompat, runningOwner, ownerAlive, deprecatedLib int
}

var _ scripthost.Host = (*Host)(nil)

// New creates a host for srv, logging to log, with a fresh Lua state.
func New(srv scripthost.Server, log *slog.Logger, opts Options) (*Host, error) {
	if srv == nil {
		return nil, errors.New("script: New needs a scripthost.Server")
	}
	if log == nil {
		log = slog.Default()
	}
	if opts.Budget == 0 {
		opts.Budget = DefaultBudget
	}
	if opts.MemoryLimit == 0 {
		opts.MemoryLimit = DefaultMemoryLimit
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	h := &Host{srv: srv, log: log, opts: opts, serverDir: srv.ServerDir()}
	h.packagesDir = opts.PackagesDir
	if h.packagesDir == "" && h.serverDir != "" {
		h.packagesDir = filepath.Join(h.serverDir, "Packages")
	}
	if err := h.newState(); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *Host) budget() time.Duration {
	if h.opts.Budget < 0 {
		return 0
	}
	return h.opts.Budget
}

// newState creates the Lua state: enums, libraries, then the runtime.
func (h *Host) newState() error {
	limit := h.opts.MemoryLimit
	if limit < 0 {
		limit = 0
	}
	L, err := lua.New(lua.Options{
		MemoryLimit: limit,
		Budget:      h.budget(),
		Unsafe:      h.opts.UnsafeLibs,
		Logger:      h.log,
		OnWarn:      func(msg string) { h.log.Warn("Lua warning: " + msg) },
	})
	if err != nil {
		return fmt.Errorf("script: creating the Lua state: %w", err)
	}
	h.L = L
	h.log.Debug("Lua state created", "memory_limit", limit, "allocator", lua.Allocator)
	h.pkgs = map[string]scripthost.Package{}
	h.order = nil
	h.ids = map[int64]string{}
	enums, err := enumsSource(enumsList)
	if err == nil {
		err = L.DoString(enums, "=nanoforge/enums")
	}
	if err != nil {
		L.Close()
		return fmt.Errorf("script: defining the enums: %w", err)
	}
	if err := h.openLibraries(); err != nil {
		h.closeLibraries()
		L.Close()
		return fmt.Errorf("script: opening the libraries: %w", err)
	}
	if h.opts.Libraries != nil {
		if err := h.opts.Libraries(L); err != nil {
			h.closeLibraries()
			L.Close()
			return fmt.Errorf("script: opening the libraries: %w", err)
		}
	}
	if err := L.LoadString(runtimeSource, runtimeChunk); err != nil {
		h.closeLibraries()
		L.Close()
		return fmt.Errorf("script: compiling runtime.lua: %w", err)
	}
	h.pushNatives()
	L.PushGlobalTable()
	if err := L.CallBudget(2, 1, 0); err != nil {
		h.closeLibraries()
		L.Close()
		return fmt.Errorf("script: starting runtime.lua: %w", err)
	}
	ref := func(name string) int {
		L.RawGetField(-1, name)
		return L.Ref()
	}
	h.rt = rtRefs{
		begin: ref("begin"), call: ref("call"), finish: ref("finish"), owner: ref("owner"),
		due: ref("due"), fire: ref("fire"), create: ref("create"), runEntry: ref("run_entry"),
		unloadBegin: ref("unload_begin"), unloadFinish: ref("unload_finish"),
		hotPrepare: ref("hot_prepare"), flushAll: ref("flush_all"), command: ref("command"),
		commandList: ref("command_list"), commandOwner: ref("command_owner"), runCode: ref("run_code"), packageStats: ref("package_stats"),
		stuck: ref("stuck"), runningCompat: ref("running_compat"),
		runningOwner: ref("running_owner"), ownerAlive: ref("owner_alive"), deprecatedLib: ref("deprecated_lib"),
	}
	if !h.opts.UnsafeLibs {
		L.RawGetField(-1, "disable_unsafe")
		if err := L.CallBudget(0, 0, 0); err != nil {
			h.closeLibraries()
			L.Close()
			return fmt.Errorf("script: sandboxing the state: %w", err)
		}
	}
	L.Pop(1)
	return nil
}

// ---------------------------------------------------------------------------------------------
// package lifecycle

// LoadPackage creates the package's environment and runs Shared/Index.lua, then
// Server/Index.lua. An error in an entry file is logged and returned; the package stays loaded
// with whatever its files set up before failing, as nanos world does.
func (h *Host) LoadPackage(p scripthost.Package) error {
	if h.closed {
		return errors.New("script: LoadPackage on a closed host")
	}
	if !validPackageName(p.Name) {
		return fmt.Errorf("script: LoadPackage: %q is not a valid package folder name (letters, digits, '-' and '_' only)", p.Name)
	}
	if _, ok := h.pkgs[p.Name]; ok {
		return fmt.Errorf("script: package %q is already loaded; unload it first or hot reload it", p.Name)
	}
	h.pkgs[p.Name] = p
	h.order = append(h.order, p.Name)
	L := h.L
	L.PushRef(h.rt.create)
	L.CreateTable(0, 6)
	for k, v := range map[string]string{
		"name": p.Name, "title": p.Title, "version": p.Version, "author": p.Author,
		"kind": string(p.Kind), "compat": p.CompatibilityVersion,
	} {
		L.PushString(v)
		L.RawSetField(-2, k)
	}
	h.nextID++
	h.ids[h.nextID] = p.Name
	L.PushInteger(h.nextID)
	L.RawSetField(-2, "id")
	if err := L.CallBudget(1, 0, 0); err != nil {
		h.forget(p.Name)
		return fmt.Errorf("script: creating the environment of package %q: %w", p.Name, err)
	}
	return h.runEntries(p)
}

// runEntries runs Shared/Index.lua then Server/Index.lua; both run even if the first fails.
func (h *Host) runEntries(p scripthost.Package) error {
	var errs []error
	for _, rel := range []string{"Shared/Index.lua", "Server/Index.lua"} {
		if actual := findMiscased(p.Dir, rel); actual != "" {
			h.log.Warn(fmt.Sprintf("package %q: the entry file is %s; it must be named %s (loaded anyway: rename it, as case matters on Linux)", p.Name, actual, rel))
			rel = actual
		}
		if err := h.runEntry(p.Name, rel); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (h *Host) runEntry(pkg, rel string) error {
	L := h.L
	L.PushString(pkg)
	L.PushString(rel)
	start := time.Now()
	err := L.CallRef(h.rt.runEntry, 2, 0)
	h.srv.RecordTiming(pkg, "Package:Load "+rel, time.Since(start))
	if err != nil {
		h.reportGo(pkg, "Package", "Load ("+rel+")", err)
		return fmt.Errorf("package %q: %s: %s", pkg, rel, errorMessage(err))
	}
	return nil
}

// errorMessage is the first line of a Lua error, without its traceback.
func errorMessage(err error) string {
	var lerr *lua.Error
	if errors.As(err, &lerr) {
		return firstLine(lerr.Message)
	}
	return firstLine(err.Error())
}

// FireLoad fires Package "Load" in each named package, in order.
func (h *Host) FireLoad(names []string) {
	for _, name := range names {
		if _, ok := h.pkgs[name]; !ok {
			h.log.Warn(fmt.Sprintf("script: FireLoad: package %q is not loaded", name))
			continue
		}
		h.dispatch("Package:"+name, "Package", "Load", 0, nil)
	}
}

// UnloadPackage fires the package's "Unload" event, then removes everything it made.
func (h *Host) UnloadPackage(name string) error {
	if _, ok := h.pkgs[name]; !ok {
		return fmt.Errorf("script: package %q is not loaded", name)
	}
	L := h.L
	L.PushString(name)
	if err := h.housekeeping(h.rt.unloadBegin, 1, 0); err != nil {
		h.reportGo(name, "Package", "Unload", err)
	}
	h.dispatch("Package:"+name, "Package", "Unload", 0, nil)
	L.PushString(name)
	err := h.housekeeping(h.rt.unloadFinish, 1, 0)
	h.forget(name)
	if err != nil {
		h.reportGo(name, "Package", "Unload", err)
		return fmt.Errorf("script: tearing down package %q: %w", name, err)
	}
	return nil
}

func (h *Host) forget(name string) {
	delete(h.pkgs, name)
	for id, n := range h.ids {
		if n == name {
			delete(h.ids, id)
		}
	}
	for i, n := range h.order {
		if n == name {
			h.order = append(h.order[:i], h.order[i+1:]...)
			break
		}
	}
}

// HotReloadPackage runs the package's files again in its existing environment: its globals
// stay, while its subscriptions, timers and console commands are removed first so the files
// can make them again. Its exports stay until the files export again. As for a single package
// reload, "Unload" fires before and "Load" right after (the caller must not fire it again).
func (h *Host) HotReloadPackage(p scripthost.Package) error {
	if _, ok := h.pkgs[p.Name]; !ok {
		return h.LoadPackage(p)
	}
	L := h.L
	L.PushString(p.Name)
	if err := h.housekeeping(h.rt.unloadBegin, 1, 0); err != nil {
		h.reportGo(p.Name, "Package", "Unload", err)
	}
	h.dispatch("Package:"+p.Name, "Package", "Unload", 0, nil)
	L.PushString(p.Name)
	if err := h.housekeeping(h.rt.hotPrepare, 1, 0); err != nil {
		h.reportGo(p.Name, "Package", "HotReload", err)
		return fmt.Errorf("script: hot reloading package %q: %w", p.Name, err)
	}
	h.pkgs[p.Name] = p
	err := h.runEntries(p)
	h.FireLoad([]string{p.Name})
	return err
}

// Reset unloads every package (last loaded first) and starts a fresh Lua state.
func (h *Host) Reset() error {
	if h.closed {
		return errors.New("script: Reset on a closed host")
	}
	var errs []error
	for i := len(h.order) - 1; i >= 0; i-- {
		if err := h.UnloadPackage(h.order[i]); err != nil {
			errs = append(errs, err)
		}
	}
	h.closeLibraries()
	if err := h.L.Close(); err != nil {
		errs = append(errs, err)
	}
	if err := h.newState(); err != nil {
		h.closed = true
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Close flushes persistent data and releases the Lua state.
func (h *Host) Close() error {
	if h.closed {
		return nil
	}
	h.closed = true
	if err := h.housekeeping(h.rt.flushAll, 0, 0); err != nil {
		h.log.Error(fmt.Sprintf("script: flushing persistent data: %v", err))
	}
	h.closeLibraries()
	return h.L.Close()
}

// ---------------------------------------------------------------------------------------------
// server events

// Start fires Server "Start".
func (h *Host) Start() { h.dispatch("Server", "Server", "Start", 0, nil) }

// Stop fires Server "Stop" and writes pending persistent data.
func (h *Host) Stop() {
	h.dispatch("Server", "Server", "Stop", 0, nil)
	if err := h.housekeeping(h.rt.flushAll, 0, 0); err != nil {
		h.log.Error(fmt.Sprintf("script: flushing persistent data: %v", err))
	}
}

// Tick runs due timers, then the callbacks of finished asynchronous work, then fires Server "Tick" with delta in seconds, then writes persistent
// data changed since the last write once FlushInterval of tick time has passed.
func (h *Host) Tick(delta time.Duration) {
	if h.closed {
		return
	}
	L := h.L
	L.PushNumber(float64(delta) / float64(time.Millisecond))
	if err := L.CallRef(h.rt.due, 1, 3); err != nil {
		h.reportGo("", "Timer", "Tick", err)
	} else {
		hd, n, ids := h.queueResults()
		for i := 0; i < n; i++ {
			start := time.Now()
			err := L.CallRef(h.rt.fire, 0, 0)
			d := time.Since(start)
			pkg := h.ids[ids[i]]
			if err != nil {
				_, defined := h.owner(hd, int64(i+1))
				h.reportGoAt(pkg, "Timer", "Callback", defined, err)
			}
			if pkg != "" {
				h.srv.RecordTiming(pkg, "Timer", d)
			}
		}
		if hd != 0 {
			h.finish(hd)
		}
	}
	h.runAsync()
	h.dispatch("Server", "Server", "Tick", 1, func() { L.PushNumber(delta.Seconds()) })

	h.sinceFl += delta
	if h.sinceFl >= h.opts.FlushInterval {
		h.sinceFl = 0
		if err := h.housekeeping(h.rt.flushAll, 0, 0); err != nil {
			h.log.Error(fmt.Sprintf("script: flushing persistent data: %v", err))
		}
	}
}

// dispatch fires event of space ("Server", "Console", "Package:<name>") one callback per call
// into Lua, each with the host's budget, timed for the server. class names the event in error
// reports. nargs values are pushed by push for every callback. It reports whether a callback
// returned false.
func (h *Host) dispatch(space, class, event string, nargs int, push func()) (cancelled bool) {
	if h.closed {
		return false
	}
	L := h.L
	L.PushString(space)
	L.PushString(event)
	L.PushString(class)
	if err := h.housekeeping(h.rt.begin, 3, 3); err != nil {
		h.reportGo("", class, event, err)
		return false
	}
	hd, n, ids := h.queueResults()
	if n == 0 {
		return false
	}
	timing := class + ":" + event
	// One clock reading per callback: each one's end is the next one's start.
	last := time.Now()
	for i := 0; i < n; i++ {
		if push != nil {
			push()
		}
		err := L.CallRef(h.rt.call, nargs, 0)
		now := time.Now()
		d := now.Sub(last)
		last = now
		pkg := h.ids[ids[i]]
		if err != nil {
			_, defined := h.owner(hd, int64(i+1))
			h.reportGoAt(pkg, class, event, defined, err)
			last = time.Now() // reporting is not the next callback's time
		}
		if pkg != "" {
			h.srv.RecordTiming(pkg, timing, d)
		}
	}
	return h.finish(hd)
}

// queueResults pops what RT.begin and RT.due return: the dispatch handle, the number of
// callbacks and the id of each callback's package.
func (h *Host) queueResults() (hd int64, n int, ids []int64) {
	L := h.L
	hd, _ = L.ToInteger(-3)
	n64, _ := L.ToInteger(-2)
	list, _ := L.ToString(-1)
	L.Pop(3)
	n = int(n64)
	ids = make([]int64, 0, n)
	var cur int64
	digits := false
	for i := 0; i <= len(list); i++ {
		if i < len(list) && list[i] >= '0' && list[i] <= '9' {
			cur = cur*10 + int64(list[i]-'0')
			digits = true
			continue
		}
		if digits {
			ids = append(ids, cur)
		}
		cur, digits = 0, false
	}
	for len(ids) < n {
		ids = append(ids, 0) // never expected: keeps indexing safe
	}
	return hd, n, ids
}

// housekeeping calls a runtime function that runs no package code, without a budget: on a
// busy machine bookkeeping (and the file writes of persistent data) must not be mistaken for
// a runaway script.
func (h *Host) housekeeping(ref, nargs, nresults int) error {
	return h.L.CallRefBudget(ref, nargs, nresults, 0)
}

// owner returns the package of entry i of dispatch hd, after its callback failed outside the
// runtime's own error handling (a timeout or a memory error).
func (h *Host) owner(hd, i int64) (pkg, defined string) {
	L := h.L
	L.PushInteger(hd)
	L.PushInteger(i)
	return h.ownerCall(h.rt.owner, 2)
}

// ownerCall runs the runtime function ref on the nargs arguments pushed and returns its two
// string results, a package and where a callback is defined ("", "" when the call fails).
func (h *Host) ownerCall(ref, nargs int) (pkg, defined string) {
	L := h.L
	if err := h.housekeeping(ref, nargs, 2); err != nil {
		return "", ""
	}
	pkg, _ = L.ToString(-2)
	defined, _ = L.ToString(-1)
	L.Pop(2)
	return pkg, defined
}

// stuckCallback asks the runtime which local event callback a failed call was running.
func (h *Host) stuckCallback() (pkg, class, event, defined string) {
	L := h.L
	if err := h.housekeeping(h.rt.stuck, 0, 4); err != nil {
		return "", "", "", ""
	}
	pkg, _ = L.ToString(-4)
	class, _ = L.ToString(-3)
	event, _ = L.ToString(-2)
	defined, _ = L.ToString(-1)
	L.Pop(4)
	return pkg, class, event, defined
}

// finish ends dispatch hd and reports whether a callback returned false.
func (h *Host) finish(hd int64) bool {
	L := h.L
	L.PushInteger(hd)
	if err := h.housekeeping(h.rt.finish, 1, 1); err != nil {
		h.reportGo("", "Host", "finish", err)
		return false
	}
	c := L.ToBoolean(-1)
	L.Pop(1)
	return c
}

// reportGo logs an error that escaped the runtime's handlers (timeouts, memory errors) in
// the same format as script errors: package, event, the failing line and the traceback.
func (h *Host) reportGo(pkg, class, event string, err error) {
	h.reportGoAt(pkg, class, event, "", err)
}

// reportGoAt is reportGo for a callback defined at "file:line", which locates the failure
// when nothing better is known (a timeout so late that not even the handler could run).
func (h *Host) reportGoAt(pkg, class, event, defined string, err error) {
	var lerr *lua.Error
	if pkg == "" && errors.As(err, &lerr) {
		// Callbacks the libraries run (asynchronous results) do not name their package, but the
		// failing chunk does: "my-package/Server/Index.lua".
		if name, _, ok := strings.Cut(lerr.Chunk, "/"); ok {
			if _, loaded := h.pkgs[name]; loaded {
				pkg = name
			}
		}
	}
	if !errors.As(err, &lerr) {
		h.log.Error(fmt.Sprintf("Lua Error on Class '%s' Event '%s' (package '%s'): %v", class, event, pkgLabel(pkg), err))
		return
	}
	// A timeout inside a local event (Events.Call from a callback) unwinds through the runtime's
	// protected call, which takes the line the script was stuck at with it: name the callback
	// that was running instead.
	var stuckFrame, stuckAt string
	if lerr.Kind == lua.TimeoutError && !strings.Contains(lerr.Message, ".lua:") {
		if spkg, sclass, sevent, defined := h.stuckCallback(); defined != "" {
			i := strings.LastIndexByte(defined, ':')
			stuckFrame = fmt.Sprintf("[%s]:%s: in %s '%s' callback of package '%s' defined here", defined[:i], defined[i+1:], sclass, sevent, spkg)
			stuckAt = defined
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Lua Error on Class '%s' Event '%s' (package '%s'):", class, event, pkgLabel(pkg))
	msg := lerr.Message
	if strings.HasPrefix(msg, "nanoforge/") {
		// Raised inside the runtime (a timeout while it dispatched for the package): the
		// package frames below say where.
		if _, rest, ok := strings.Cut(msg, ": "); ok {
			msg = rest
		}
	}
	fmt.Fprintf(&b, "\n\t- [1] %s", bracketPosition(msg))
	n := 2
	if stuckFrame != "" {
		fmt.Fprintf(&b, "\n\t- [2] %s", stuckFrame)
		n = 3
	}
	for _, line := range strings.Split(lerr.Traceback, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line == "stack traceback:" || strings.HasPrefix(line, "[C]") ||
			strings.HasPrefix(line, "nanoforge/") || strings.HasPrefix(line, "(...tail calls...)") {
			continue
		}
		fmt.Fprintf(&b, "\n\t- [%d] %s", n, bracketPosition(frameName.ReplaceAllStringFunc(line, nameFrame)))
		n++
		if n > 12 {
			break
		}
	}
	attrs := []any{}
	switch {
	case stuckAt != "":
		attrs = append(attrs, "at", stuckAt)
	case lerr.Chunk != "" && !strings.HasPrefix(lerr.Chunk, "nanoforge/"):
		attrs = append(attrs, "at", fmt.Sprintf("%s:%d", lerr.Chunk, lerr.Line))
	case n > 2:
		// No position in the message (an error value that is not a string): the innermost
		// package frame locates it.
		if m := framePosition.FindStringSubmatch(b.String()); m != nil {
			attrs = append(attrs, "at", m[1]+":"+m[2])
		}
	default:
		if file, line, ok := strings.Cut(defined, ":"); ok {
			fmt.Fprintf(&b, "\n\t- [2] [%s]:%s: in function <%s>", file, line, defined)
			attrs = append(attrs, "at", defined)
		}
	}
	h.log.Error(b.String(), attrs...)
}

// framePosition finds the position of the first traceback frame in a report ("- [2] [file]:12:"
// or "- [2] chunk:12:").
var framePosition = regexp.MustCompile(`- \[2\] \[?([^\]\s]+?)\]?:(\d+):`)

// frameName matches how luaL_traceback names a function by the way it was called.
var frameName = regexp.MustCompile(`in (upvalue|local|method|field|function) '([^']*)'`)

// nameFrame rewrites a frame name the way the runtime's own tracebacks show it: "in function
// 'name'", and "in callback" for the handler the runtime called (its field is named fn).
func nameFrame(s string) string {
	m := frameName.FindStringSubmatch(s)
	if m[2] == "fn" && (m[1] == "field" || m[1] == "local") {
		return "in callback"
	}
	if m[2] == "__main_chunk" {
		return "in main chunk"
	}
	return "in function '" + m[2] + "'"
}

func pkgLabel(pkg string) string {
	if pkg == "" {
		return "?"
	}
	return pkg
}

// bracketPosition turns "file.lua:12: text" into "[file.lua]:12: text", the console format.
func bracketPosition(s string) string {
	i := strings.Index(s, ".lua:")
	if i < 0 || strings.ContainsAny(s[:i], " \t[") {
		return s
	}
	return "[" + s[:i+4] + "]" + s[i+4:]
}

func firstLine(s string) string {
	s = strings.TrimPrefix(s, "\t- [1] ")
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Fire fires event of a static class ("Server", "Console", "Chat"…) with args converted to Lua
// (see pushValue for the types), one callback per call under the budget, as the fixed events
// are. It reports whether a callback returned false. It is how the parts of the server beyond
// scripthost.Host (players, chat, map changes) reach the scripts: Server "PlayerConnect",
// "Restart", "ChangeMap", Chat "PlayerSubmit".
func (h *Host) Fire(class, event string, args ...any) (cancelled bool, err error) {
	if h.closed {
		return false, errors.New("script: Fire on a closed host")
	}
	L := h.L
	var pushErr error
	cancelled = h.dispatch(class, class, event, len(args), func() {
		for _, a := range args {
			if err := pushValue(L, a, 0); err != nil {
				pushErr = err
				L.PushNil()
			}
		}
	})
	if pushErr != nil {
		return cancelled, fmt.Errorf("script: Fire(%s, %s): %w", class, event, pushErr)
	}
	return cancelled, nil
}

// ---------------------------------------------------------------------------------------------
// console

// ConsoleInput fires Console "PlayerSubmit" for a line typed at the console.
func (h *Host) ConsoleInput(line string) {
	h.dispatch("Console", "Console", "PlayerSubmit", 1, func() { h.L.PushString(line) })
}

// ConsoleLegacy fires the legacy Server "Console" event with a line no command took and
// reports whether any package is subscribed to it.
func (h *Host) ConsoleLegacy(line string) (taken bool) {
	h.dispatch("Server", "Server", "Console", 1, func() {
		taken = true
		h.L.PushString(line)
	})
	return taken
}

// ConsoleCommand runs a script-registered command with its arguments as strings.
func (h *Host) ConsoleCommand(name string, args []string) (bool, error) {
	if h.closed {
		return false, errors.New("script: host is closed")
	}
	L := h.L
	L.PushString(name)
	for _, a := range args {
		L.PushString(a)
	}
	start := time.Now()
	err := L.CallRef(h.rt.command, 1+len(args), 1)
	d := time.Since(start)
	if err != nil {
		owner, defined := h.commandOwner(name)
		h.reportGoAt(owner, "Console", "Command "+name, defined, err)
		if owner != "" {
			h.srv.RecordTiming(owner, "Console:"+name, d)
		}
		return true, fmt.Errorf("command %q: %s", name, errorMessage(err))
	}
	found := L.ToBoolean(-1)
	L.Pop(1)
	if !found {
		return false, nil
	}
	if owner, _ := h.commandOwner(name); owner != "" {
		h.srv.RecordTiming(owner, "Console:"+name, d)
	}
	return true, nil
}

// commandOwner returns the package of a script-registered command and where its callback is
// defined ("" when there is no such command).
func (h *Host) commandOwner(name string) (pkg, defined string) {
	h.L.PushString(name)
	return h.ownerCall(h.rt.commandOwner, 1)
}

// Commands lists the script-registered console commands, sorted by name.
func (h *Host) Commands() []scripthost.Command {
	if h.closed {
		return nil
	}
	L := h.L
	if err := h.housekeeping(h.rt.commandList, 0, 1); err != nil {
		h.reportGo("", "Console", "Commands", err)
		return nil
	}
	s, _ := L.ToString(-1)
	L.Pop(1)
	var out []scripthost.Command
	for _, line := range strings.Split(s, "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\x1f")
		if len(f) != 4 {
			continue
		}
		c := scripthost.Command{Name: f[0], Description: f[1], Package: f[3]}
		if f[2] != "" {
			c.Parameters = strings.Split(f[2], ",")
		}
		out = append(out, c)
	}
	return out
}

// RunCode runs code in package pkg's environment. An expression's values are returned
// formatted ("return " is tried first); statements return "".
func (h *Host) RunCode(pkg, code string) (string, error) {
	if h.closed {
		return "", errors.New("script: host is closed")
	}
	L := h.L
	L.PushString(pkg)
	L.PushString(code)
	if err := L.CallRef(h.rt.runCode, 2, 2); err != nil {
		// The console shows the error; a timeout or a memory error is also logged with its
		// traceback, as for any callback.
		var lerr *lua.Error
		if !errors.As(err, &lerr) || lerr.Kind != lua.RuntimeError {
			h.reportGo(pkg, "Console", "package run", err)
		}
		return "", fmt.Errorf("package run %s: %s", pkg, errorMessage(err))
	}
	ok := L.ToBoolean(-2)
	s, _ := L.ToString(-1)
	L.Pop(2)
	if !ok {
		return "", fmt.Errorf("package run %s: %s", pkg, firstLine(s))
	}
	return s, nil
}

// PackageStats returns how many subscriptions, timers, console commands and exports package
// name owns, or ok false when it is not loaded. Tests and the console's diagnostics use it.
func (h *Host) PackageStats(name string) (subs, timers, commands, exports int, ok bool) {
	L := h.L
	L.PushString(name)
	if err := h.housekeeping(h.rt.packageStats, 1, 4); err != nil {
		return 0, 0, 0, 0, false
	}
	get := func(i int) int { n, _ := L.ToInteger(i); return int(n) }
	subs, timers, commands, exports = get(-4), get(-3), get(-2), get(-1)
	L.Pop(4)
	return subs, timers, commands, exports, subs >= 0
}

// State returns the host's Lua state, for libraries that register more API. It changes after
// Reset.
func (h *Host) State() *lua.State { return h.L }

func (h *Host) debugEnabled() bool { return h.log.Enabled(context.Background(), slog.LevelDebug) }
