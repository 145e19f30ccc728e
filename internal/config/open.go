package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// fileState ties a Config to its Config.toml: the values the file holds (which differ from the
// running values when command-line overrides were given without --save) and the logger.
type fileState struct {
	mu    sync.Mutex // serialises writes of the file
	path  string
	saved *Config
	log   *slog.Logger
}

// Open loads the Config.toml of the server folder dir, creating it from the template on first
// start. It migrates older layouts, fills missing keys, resets invalid values and drops unknown
// keys (one log line each), applies the command line args (nil for none), and rewrites the file in
// the canonical layout when its text differs. The file keeps its own values unless args.Save is
// set, in which case the command-line values are written too.
//
// A file that is not valid TOML is left untouched and Open returns a *ParseError.
func Open(dir string, args *Args, log *slog.Logger) (*Config, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	path := filepath.Join(dir, FileName)
	n := &notes{log: log, prefix: FileName + ": "}
	data, err := os.ReadFile(path)
	var file *Config
	created := false
	switch {
	case errors.Is(err, fs.ErrNotExist):
		file, created = Default(), true
		log.Info(FileName + ": not found, creating it with the default settings at " + path)
	case err != nil:
		return nil, fmt.Errorf("config: cannot read %s: %w (check that it is a readable file)", path, err)
	default:
		file, err = parse(data, path, n)
		if err != nil {
			return nil, err
		}
	}
	run := file.Clone()
	if args != nil {
		for _, notice := range args.Notices {
			log.Warn(notice)
		}
		args.apply(run, &notes{log: log, prefix: "command line: "})
		if args.Save && (len(args.Overrides) > 0 || args.CustomSettings != nil) {
			log.Info(FileName + ": --save given, writing the command-line settings to it")
			file = run.Clone()
		}
		run.Run = args.Run
	}
	file.Run = Default().Run
	if out := Render(file); created || !bytes.Equal(out, data) {
		if err := writeFile(path, out); err != nil {
			return nil, err
		}
	}
	run.file = &fileState{path: path, saved: file, log: log}
	return run, nil
}

// apply sets the command-line overrides in c, resetting out-of-range values like Config.toml's.
func (a *Args) apply(c *Config, n *notes) {
	for _, o := range a.Overrides {
		k := keyByName(o.Key)
		if k == nil {
			continue
		}
		switch p := k.field(c).(type) {
		case *string:
			if v, ok := o.Value.(string); ok {
				if to, old := builtinMapPackage(v); old && k.name == "map" {
					n.info("--%s %s is a built-in map asset of older versions, using the map package %q", o.Param, v, to)
					v = to
				}
				*p = v
			}
		case *int:
			if v, ok := o.Value.(int); ok {
				*p = v
			}
		case *bool:
			if v, ok := o.Value.(bool); ok {
				*p = v
			}
		case *[]string:
			if v, ok := o.Value.([]string); ok {
				*p = cloneStrings(v)
			}
		}
	}
	if a.CustomSettings != nil {
		c.CustomSettings.Merge(a.CustomSettings)
	}
	validate(c, n)
}

// p2pSendRate is the most a P2P server can send per client, in KB/s: the relay caps it.
const p2pSendRate = 1024

// EffectiveSendRate returns the per-client send rate in KB/s the network layer should use:
// max_send_rate, capped at 1024 KB/s when the server runs as P2P (dedicated_server = false)
// because the relay it goes through allows no more.
func (c *Config) EffectiveSendRate() int {
	if !c.Discover.DedicatedServer {
		return min(c.Optimization.MaxSendRate, p2pSendRate)
	}
	return c.Optimization.MaxSendRate
}

// EffectiveFileTransferRate returns the per-client file transfer rate in KB/s:
// max_file_transfer_rate, never above EffectiveSendRate.
func (c *Config) EffectiveFileTransferRate() int {
	return min(c.Optimization.MaxFileTransferRate, c.EffectiveSendRate())
}

// Path returns the Config.toml this configuration was opened from, or "" when it was not opened.
func (c *Config) Path() string {
	if c.file == nil {
		return ""
	}
	return c.file.path
}

// FileValues returns a copy of the values Config.toml holds. They differ from c's when
// command-line overrides were given without --save or Set changed a setting without saving it.
// For a configuration that was not opened from a file it is a copy of c.
func (c *Config) FileValues() *Config {
	if c.file == nil {
		return c.Clone()
	}
	c.file.mu.Lock()
	defer c.file.mu.Unlock()
	return c.file.saved.Clone()
}

// Get returns the value of a setting by its Config.toml key: "max_players", "general.max_players"
// or "custom_settings.<name>".
func (c *Config) Get(key string) (any, bool) {
	if name, ok := strings.CutPrefix(key, "custom_settings."); ok {
		return c.CustomSettings.Get(name)
	}
	k := keyByName(key)
	if k == nil {
		return nil, false
	}
	return fieldValue(k, c), true
}

// Set changes one setting of the running configuration by its Config.toml key ("name",
// "general.max_players", "custom_settings.motd"). The value must have the key's type (any Go
// integer, or an integral float, for integer keys) and lie in its range; otherwise nothing changes
// and the error says what is allowed. Settings whose limits depend on the changed one (max_sync_rate
// on max_tick_rate) are lowered to fit, with a log line. Config.toml is not written: see SetAndSave.
func (c *Config) Set(key string, value any) error {
	if name, ok := strings.CutPrefix(key, "custom_settings."); ok {
		if name == "" {
			return errors.New("config: custom setting name is empty: use custom_settings.<name>")
		}
		v, err := customValue(value)
		if err != nil {
			return fmt.Errorf("config: custom_settings.%s: %w", name, err)
		}
		c.CustomSettings.Set(name, v)
		return nil
	}
	k := keyByName(key)
	if k == nil {
		names := keyNames()
		best, _ := closest(key, names)
		return fmt.Errorf("config: unknown setting %q: did you mean %q? (custom settings are custom_settings.<name>)", key, best)
	}
	if err := setStrict(c, k, value); err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	if c.file != nil {
		log = c.file.log
	}
	validate(c, &notes{log: log, prefix: "setting " + k.name + ": "})
	return nil
}

// SetAndSave is Set followed by writing the same change to Config.toml, leaving the file's other
// values (which may differ from the running ones because of command-line overrides) as they are.
func (c *Config) SetAndSave(key string, value any) error {
	if c.file == nil {
		return errors.New("config: this configuration was not opened from a Config.toml: use Open, or Save to write it")
	}
	c.file.mu.Lock()
	defer c.file.mu.Unlock()
	run, saved := c.Clone(), c.file.saved.Clone()
	if err := run.Set(key, value); err != nil {
		return err
	}
	if err := saved.Set(key, value); err != nil {
		return fmt.Errorf("%w (in %s, whose values differ from this run's)", err, c.file.path)
	}
	if err := writeFile(c.file.path, Render(saved)); err != nil {
		return err
	}
	*c = *run
	c.file.saved = saved
	return nil
}

// Save writes c to path in the canonical layout, atomically. When path is the file c was opened
// from, later SetAndSave calls build on the saved values.
func Save(path string, c *Config) error {
	if err := writeFile(path, Render(c)); err != nil {
		return err
	}
	if c.file != nil && c.file.path == path {
		c.file.mu.Lock()
		c.file.saved = c.Clone()
		c.file.mu.Unlock()
	}
	return nil
}

// setStrict stores value in key k of c after checking its type and range.
func setStrict(c *Config, k *keyDef, value any) error {
	bad := func(reason string) error {
		return fmt.Errorf("config: %s = %s: %s", k.name, formatValue(normalizeGo(value)), reason)
	}
	switch p := k.field(c).(type) {
	case *string:
		s, ok := value.(string)
		if !ok {
			return bad("must be a string")
		}
		if !utf8.ValidString(s) {
			return bad("is not valid UTF-8")
		}
		if k.maxLen > 0 && utf8.RuneCountInString(s) > k.maxLen {
			return bad(fmt.Sprintf("is longer than %d characters", k.maxLen))
		}
		if k.name == "language" && !validLanguage(s) {
			return bad("is not a lower-case two-letter country code (br, us, de...) or \"global\"")
		}
		if k.name == "ip" {
			if _, err := netip.ParseAddr(s); err != nil {
				return bad("is not an IP address (use 0.0.0.0 for all interfaces)")
			}
		}
		*p = s
	case *bool:
		b, ok := value.(bool)
		if !ok {
			return bad("must be true or false")
		}
		*p = b
	case *int:
		i, ok := toInt(value)
		if !ok {
			return bad("must be an integer")
		}
		lo, hi := k.min, k.max
		if i < int64(lo) || i > int64(hi) {
			return bad(fmt.Sprintf("is out of range %s", k.rangeText()))
		}
		if k.name == "max_sync_rate" && i > int64(c.Optimization.MaxTickRate) {
			return bad(fmt.Sprintf("is above max_tick_rate = %d", c.Optimization.MaxTickRate))
		}
		if k.name == "max_file_transfer_rate" && i > int64(c.Optimization.MaxSendRate) {
			return bad(fmt.Sprintf("is above max_send_rate = %d", c.Optimization.MaxSendRate))
		}
		if k.name == "query_port" && int(i) == c.Discover.Port || k.name == "port" && int(i) == c.Discover.QueryPort {
			return bad("port and query_port must differ")
		}
		*p = int(i)
	case *[]string:
		var list []string
		switch v := value.(type) {
		case []string:
			list = cloneStrings(v)
		case []any:
			for _, e := range v {
				s, ok := e.(string)
				if !ok {
					return bad("must be a list of strings")
				}
				list = append(list, s)
			}
		default:
			return bad("must be a list of strings")
		}
		if list == nil {
			list = []string{}
		}
		for _, e := range list {
			if strings.TrimSpace(e) == "" || !utf8.ValidString(e) {
				return bad("has an empty or invalid entry")
			}
		}
		*p = list
	}
	return nil
}

// toInt accepts every Go integer type and floats with an integral value (numbers from Lua).
func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint:
		return int64(min(uint64(x), math.MaxInt64)), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return int64(min(x, math.MaxInt64)), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	case float32:
		return toInt(float64(x))
	}
	return 0, false
}

// normalizeGo turns a Go value into one formatValue can print.
func normalizeGo(v any) any {
	if i, ok := toInt(v); ok {
		if _, isFloat := v.(float64); !isFloat {
			return i
		}
	}
	if f, ok := v.(float32); ok {
		return float64(f)
	}
	switch v.(type) {
	case string, bool, int64, float64, []string, []any, time.Time, CustomSettings:
		return v
	}
	return fmt.Sprintf("%v", v)
}

// customValue converts a Go value into a custom setting value that Config.toml can hold.
func customValue(v any) (any, error) {
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) {
			return nil, errors.New("string is not valid UTF-8")
		}
		return x, nil
	case bool, float64, time.Time:
		return x, nil
	case float32:
		return float64(x), nil
	case CustomSettings:
		return x.Clone(), nil
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return customValue(out)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := customValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[string]any:
		names := make([]string, 0, len(x))
		for k := range x {
			names = append(names, k)
		}
		sort.Strings(names)
		out := make(CustomSettings, 0, len(x))
		for _, k := range names {
			c, err := customValue(x[k])
			if err != nil {
				return nil, err
			}
			out = append(out, Setting{Key: k, Value: c})
		}
		return out, nil
	}
	if i, ok := toInt(v); ok {
		return i, nil
	}
	return nil, fmt.Errorf("a %T cannot be written to Config.toml: use a string, number, boolean, list or table", v)
}

// writeFile replaces path with data atomically: a reader sees the old file or the new one, never
// a mix, and a crash mid-write leaves the old file. A symbolic link is followed so that the link
// stays in place.
func writeFile(path string, data []byte) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if target, err := filepath.EvalSymlinks(path); err == nil {
			path = target
		}
	}
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	fail := func(err error) error {
		return fmt.Errorf("config: cannot write %s: %w (check that its folder is writable)", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fail(err)
	}
	return nil
}
