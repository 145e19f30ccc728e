package script

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/nanoforge/nanoforge/internal/lua"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

// maxConvertDepth bounds the nesting of tables converted between Lua and Go.
const maxConvertDepth = 32

// pushNatives pushes the table of Go functions runtime.lua receives as N.
func (h *Host) pushNatives() {
	L := h.L
	fns := map[string]lua.GoFunction{
		"log":                h.nLog,
		"read":               h.nRead,
		"list":               h.nList,
		"persist_load":       h.nPersistLoad,
		"persist":            h.nPersist,
		"debug_enabled":      func(s *lua.State) (int, error) { s.PushBoolean(h.debugEnabled()); return 1, nil },
		"info":               h.nInfo,
		"request":            h.nRequest,
		"packages":           h.nPackages,
		"setting":            h.nSetting,
		"log_level":          h.nLogLevel,
		"time":               func(s *lua.State) (int, error) { s.PushInteger(time.Now().UnixMilli()); return 1, nil },
		"unsafe":             func(s *lua.State) (int, error) { s.PushBoolean(h.opts.UnsafeLibs); return 1, nil },
		"custom_settings":    func(s *lua.State) (int, error) { return 1, pushValue(s, h.srv.CustomSettings(), 0) },
		"map_config":         func(s *lua.State) (int, error) { return 1, pushValue(s, h.srv.MapConfig(), 0) },
		"spawn_points":       h.nSpawnPoints,
		"stop":               func(s *lua.State) (int, error) { h.srv.Stop(); return 0, nil },
		"restart":            func(s *lua.State) (int, error) { h.srv.Restart(); return 0, nil },
		"connections":        func(s *lua.State) (int, error) { s.PushInteger(0); return 1, nil },
		"reload_client_file": h.nReloadClientFile,
		"map_asset":          func(s *lua.State) (int, error) { s.PushString(h.mapAsset()); return 1, nil },
		"compression":        func(s *lua.State) (int, error) { s.PushInteger(int64(h.details().Compression)); return 1, nil },
		"announced":          func(s *lua.State) (int, error) { s.PushBoolean(h.details().Announced); return 1, nil },
		"change_map":         h.nChangeMap,
	}
	L.CreateTable(0, len(fns))
	for name, fn := range fns {
		L.PushStaticGoFunction(fn)
		L.RawSetField(-2, name)
	}
}

func argString(s *lua.State, i int) string {
	v, _ := s.ToString(i)
	return v
}

// nLog(level, package, text, at) writes a script's log line.
func (h *Host) nLog(s *lua.State) (int, error) {
	level, pkg, text, at := argString(s, 1), argString(s, 2), argString(s, 3), argString(s, 4)
	var attrs []any
	switch level {
	case "warn":
		if at != "" {
			attrs = append(attrs, "at", at)
		}
		h.log.Warn(text, attrs...)
	case "error":
		if at != "" && !strings.HasPrefix(text, "Lua Error") {
			attrs = append(attrs, "at", at)
		}
		h.log.Error(text, attrs...)
	case "debug":
		h.log.Debug(text)
	default:
		h.log.Info(text)
	}
	_ = pkg // the package is part of error texts; plain log lines show the message only
	return 0, nil
}

// nRead(logical) returns the file's source or nil.
func (h *Host) nRead(s *lua.State) (int, error) {
	src, ok := h.readSource(argString(s, 1))
	if !ok {
		s.PushNil()
		return 1, nil
	}
	s.PushString(src)
	return 1, nil
}

// nList(package, "files"|"dirs", prefixes joined by \n, extension) returns paths joined by \n.
func (h *Host) nList(s *lua.State) (int, error) {
	pkg, kind, filters, ext := argString(s, 1), argString(s, 2), argString(s, 3), argString(s, 4)
	var prefixes []string
	for _, f := range strings.Split(filters, "\n") {
		if f != "" {
			prefixes = append(prefixes, f)
		}
	}
	list, err := h.listPackage(pkg, kind == "dirs", prefixes, ext)
	if err != nil {
		return 0, fmt.Errorf("listing files of package %q: %v", pkg, err)
	}
	s.PushString(strings.Join(list, "\n"))
	return 1, nil
}

func (h *Host) nPersistLoad(s *lua.State) (int, error) {
	name := argString(s, 1)
	data, err := loadPersistent(h.serverDir, h.pkgs[name].Dir, name)
	if err != nil {
		h.log.Error(fmt.Sprintf("Package %q: %v", name, err))
		data = map[string]any{}
	}
	return 1, pushValue(s, data, 0)
}

// nPersist(name, table) writes a package's persistent data.
func (h *Host) nPersist(s *lua.State) (int, error) {
	name := argString(s, 1)
	v, err := toValue(s, 2, 0, map[uintptr]bool{})
	if err != nil {
		return 0, fmt.Errorf("persistent data of package %q: %v", name, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		if arr, isArr := v.([]any); isArr && len(arr) == 0 {
			m = map[string]any{}
		} else {
			return 0, fmt.Errorf("persistent data of package %q must be a table with string keys at the top", name)
		}
	}
	if h.serverDir == "" {
		return 0, fmt.Errorf("persistent data of package %q: the server has no folder", name)
	}
	if err := savePersistent(h.serverDir, name, m); err != nil {
		h.log.Error(err.Error())
	}
	return 0, nil
}

func (h *Host) nInfo(s *lua.State) (int, error) {
	in := h.srv.Info()
	return 1, pushValue(s, map[string]any{
		"name": in.Name, "description": in.Description, "logo": in.Logo,
		"max_players": in.MaxPlayers, "version": in.Version, "ip": in.IP, "port": in.Port,
		"query_port": in.QueryPort, "tick_rate": in.TickRate, "map": in.Map,
		"game_mode": in.GameMode, "loading_screen": in.LoadingScreen,
	}, 0)
}

// nRequest(action, name) asks the server to load, unload or reload a package next tick.
func (h *Host) nRequest(s *lua.State) (int, error) {
	action, name := argString(s, 1), argString(s, 2)
	if err := h.srv.RequestPackage(action, name); err != nil {
		h.log.Warn(fmt.Sprintf("Server.%sPackage(%q): %v", strings.ToUpper(action[:1])+action[1:], name, err))
		s.PushBoolean(false)
		return 1, nil
	}
	s.PushBoolean(true)
	return 1, nil
}

// nPackages(only_loaded) lists packages as {name, title, type, version, author}.
func (h *Host) nPackages(s *lua.State) (int, error) {
	onlyLoaded := s.ToBoolean(1)
	var list []any
	seen := map[string]bool{}
	for _, p := range h.srv.Packages() {
		if _, loaded := h.pkgs[p.Name]; !loaded && onlyLoaded {
			continue
		}
		seen[p.Name] = true
		list = append(list, packageEntry(p))
	}
	// Packages the server did not list but that run here (loaded directly through the host).
	for _, name := range h.order {
		if !seen[name] {
			seen[name] = true
			list = append(list, packageEntry(h.pkgs[name]))
		}
	}
	if !onlyLoaded && h.packagesDir != "" {
		entries, _ := os.ReadDir(h.packagesDir)
		for _, e := range entries {
			if !e.IsDir() || seen[e.Name()] || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if p, ok := readManifestSummary(filepath.Join(h.packagesDir, e.Name())); ok {
				p.Name = e.Name()
				list = append(list, packageEntry(p))
			}
		}
	}
	return 1, pushValue(s, list, 0)
}

func packageEntry(p scripthost.Package) map[string]any {
	if p.Title == "" {
		p.Title = p.Name
	}
	return map[string]any{"name": p.Name, "title": p.Title, "type": string(p.Kind), "version": p.Version, "author": p.Author}
}

// readManifestSummary reads title, author, version and type of a Package.toml of any
// generation, enough for Server.GetPackages(false).
func readManifestSummary(dir string) (scripthost.Package, bool) {
	var m map[string]any
	if _, err := toml.DecodeFile(filepath.Join(dir, "Package.toml"), &m); err != nil {
		return scripthost.Package{}, false
	}
	p := scripthost.Package{Dir: dir}
	str := func(t map[string]any, k string) string { v, _ := t[k].(string); return v }
	if meta, ok := m["meta"].(map[string]any); ok {
		p.Title, p.Author, p.Version = str(meta, "title"), str(meta, "author"), str(meta, "version")
		for section, kind := range map[string]scripthost.Kind{
			"script": scripthost.KindScript, "game_mode": scripthost.KindGameMode,
			"map": scripthost.KindMap, "loading_screen": scripthost.KindLoadingScreen, "c_module": "c-module",
		} {
			if _, ok := m[section]; ok {
				p.Kind = kind
			}
		}
	} else if pkg, ok := m["package"].(map[string]any); ok {
		p.Title, p.Author, p.Version = str(pkg, "name"), str(pkg, "author"), str(pkg, "version")
		switch str(pkg, "type") {
		case "game-mode":
			p.Kind = scripthost.KindGameMode
		case "loading-screen":
			p.Kind = scripthost.KindLoadingScreen
		default:
			p.Kind = scripthost.KindScript
		}
	} else {
		return p, false
	}
	return p, true
}

// nSetting(key, value, persist) changes a server setting; returns ok, error text.
func (h *Host) nSetting(s *lua.State) (int, error) {
	key := argString(s, 1)
	v, err := toValue(s, 2, 0, map[uintptr]bool{})
	if err == nil {
		if f, isFloat := v.(float64); isFloat && key == "max_players" && f == math.Trunc(f) {
			v = int64(f)
		}
		err = h.srv.ChangeSetting(key, v, s.ToBoolean(3))
	}
	if err != nil {
		s.PushBoolean(false)
		s.PushString(err.Error())
		return 2, nil
	}
	s.PushBoolean(true)
	return 1, nil
}

func (h *Host) nLogLevel(s *lua.State) (int, error) {
	ctx := context.Background()
	switch {
	case h.log.Enabled(ctx, slog.LevelDebug-4):
		s.PushInteger(3)
	case h.log.Enabled(ctx, slog.LevelDebug):
		s.PushInteger(2)
	default:
		s.PushInteger(1)
	}
	return 1, nil
}

func (h *Host) nSpawnPoints(s *lua.State) (int, error) {
	sps := h.srv.SpawnPoints()
	list := make([]any, len(sps))
	for i, sp := range sps {
		list[i] = map[string]any{
			"location": []any{sp.Location.X, sp.Location.Y, sp.Location.Z},
			"rotation": []any{sp.Rotation.X, sp.Rotation.Y, sp.Rotation.Z},
		}
	}
	return 1, pushValue(s, list, 0)
}

func (h *Host) nReloadClientFile(s *lua.State) (int, error) {
	pkg, path := argString(s, 1), argString(s, 2)
	h.log.Debug(fmt.Sprintf("Package.ReloadClientFile(%q) in package %q: no client is connected to receive it", path, pkg))
	return 0, nil
}

// ---------------------------------------------------------------------------------------------
// values between Go and Lua

// pushValue pushes a Go value as Lua: nil, booleans, integers, floats, strings, slices as
// arrays (1-based) and maps with string keys as tables.
func pushValue(s *lua.State, v any, depth int) error {
	if depth > maxConvertDepth {
		return fmt.Errorf("value nested deeper than %d levels", maxConvertDepth)
	}
	if !s.CheckStack(3) {
		return fmt.Errorf("Lua stack overflow while converting a value")
	}
	switch x := v.(type) {
	case nil:
		s.PushNil()
	case bool:
		s.PushBoolean(x)
	case int:
		s.PushInteger(int64(x))
	case int64:
		s.PushInteger(x)
	case int32:
		s.PushInteger(int64(x))
	case float64:
		s.PushNumber(x)
	case float32:
		s.PushNumber(float64(x))
	case string:
		s.PushString(x)
	case []any:
		s.CreateTable(len(x), 0)
		for i, e := range x {
			if err := pushValue(s, e, depth+1); err != nil {
				s.Pop(1)
				return err
			}
			s.RawSetI(-2, int64(i+1))
		}
	case map[string]any:
		s.CreateTable(0, len(x))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := pushValue(s, x[k], depth+1); err != nil {
				s.Pop(1)
				return err
			}
			s.RawSetField(-2, k)
		}
	default:
		return pushReflect(s, reflect.ValueOf(v), depth)
	}
	return nil
}

func pushReflect(s *lua.State, rv reflect.Value, depth int) error {
	if s.PushScalar(rv) {
		return nil
	}
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		s.CreateTable(rv.Len(), 0)
		for i := 0; i < rv.Len(); i++ {
			if err := pushValue(s, rv.Index(i).Interface(), depth+1); err != nil {
				s.Pop(1)
				return err
			}
			s.RawSetI(-2, int64(i+1))
		}
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("cannot pass a map with %s keys to Lua", rv.Type().Key())
		}
		s.CreateTable(0, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			if err := pushValue(s, it.Value().Interface(), depth+1); err != nil {
				s.Pop(1)
				return err
			}
			s.RawSetField(-2, it.Key().String())
		}
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			s.PushNil()
			return nil
		}
		return pushValue(s, rv.Elem().Interface(), depth)
	case reflect.Invalid:
		s.PushNil()
	default:
		if t, ok := rv.Interface().(fmt.Stringer); ok {
			s.PushString(t.String())
			return nil
		}
		return fmt.Errorf("cannot pass a Go %s to Lua", rv.Type())
	}
	return nil
}

// toValue converts the Lua value at idx to Go: nil, bool, int64, float64, string, and tables
// as []any (keys exactly 1..n) or map[string]any (other keys, integers written in decimal).
// Functions, userdata, threads and cycles are errors.
func toValue(s *lua.State, idx, depth int, seen map[uintptr]bool) (any, error) {
	if v, ok := s.ToScalar(idx); ok {
		return v, nil
	}
	switch s.Type(idx) {
	case lua.TypeTable:
		if depth > maxConvertDepth {
			return nil, fmt.Errorf("table nested deeper than %d levels", maxConvertDepth)
		}
		p := s.ToPointer(idx)
		if seen[p] {
			return nil, fmt.Errorf("table contains itself")
		}
		seen[p] = true
		defer delete(seen, p)
		idx = s.AbsIndex(idx)
		if !s.CheckStack(4) {
			return nil, fmt.Errorf("Lua stack overflow while converting a table")
		}
		m := map[string]any{}
		ints := map[int64]any{}
		err := s.ForEach(idx, func() error {
			var key string
			switch s.Type(-2) {
			case lua.TypeNumber:
				if !s.IsInteger(-2) {
					f, _ := s.ToNumber(-2)
					key = strconv.FormatFloat(f, 'g', -1, 64)
					break
				}
				n, _ := s.ToInteger(-2)
				v, err := toValue(s, -1, depth+1, seen)
				if err != nil {
					return fmt.Errorf("[%d]: %w", n, err)
				}
				ints[n] = v
				return nil
			case lua.TypeString:
				// Copy without converting the key in place (that would break the traversal).
				key = string(s.ToBytesView(-2))
			default:
				return fmt.Errorf("a %s key cannot be converted", s.TypeName(s.Type(-2)))
			}
			v, err := toValue(s, -1, depth+1, seen)
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			m[key] = v
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(m) == 0 && len(ints) > 0 {
			arr := make([]any, len(ints))
			isArray := true
			for k, v := range ints {
				if k < 1 || k > int64(len(ints)) {
					isArray = false
					break
				}
				arr[k-1] = v
			}
			if isArray {
				return arr, nil
			}
		}
		for k, v := range ints {
			m[strconv.FormatInt(k, 10)] = v
		}
		return m, nil
	default:
		return nil, fmt.Errorf("a %s cannot be converted", s.TypeName(s.Type(idx)))
	}
}
