package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSet(t *testing.T) {
	tests := []struct {
		key   string
		value any
		check func(c *Config) bool
		err   string
	}{
		{"name", "New name", func(c *Config) bool { return c.Discover.Name == "New name" }, ""},
		{"discover.description", "d", func(c *Config) bool { return c.Discover.Description == "d" }, ""},
		{"max_players", 32, func(c *Config) bool { return c.General.MaxPlayers == 32 }, ""},
		{"max_players", int64(33), func(c *Config) bool { return c.General.MaxPlayers == 33 }, ""},
		{"max_players", 34.0, func(c *Config) bool { return c.General.MaxPlayers == 34 }, ""},
		{"max_players", uint8(35), func(c *Config) bool { return c.General.MaxPlayers == 35 }, ""},
		{"password", "", func(c *Config) bool { return c.General.Password == "" }, ""},
		{"announce", false, func(c *Config) bool { return !c.Discover.Announce }, ""},
		{"packages", []string{"a", "b"}, func(c *Config) bool { return strings.Join(c.Game.Packages, ",") == "a,b" }, ""},
		{"banned_ids", []any{"x"}, func(c *Config) bool { return len(c.General.BannedIDs) == 1 }, ""},
		{"ip", "::1", func(c *Config) bool { return c.Discover.IP == "::1" }, ""},
		{"custom_settings.motd", "hi", func(c *Config) bool { v, _ := c.CustomSettings.Get("motd"); return v == "hi" }, ""},
		{"custom_settings.n", 5, func(c *Config) bool { v, _ := c.CustomSettings.Get("n"); return v == int64(5) }, ""},
		{"custom_settings.m", map[string]any{"b": 1, "a": "x"}, func(c *Config) bool {
			v, _ := c.CustomSettings.Get("m")
			return string(appendValue(nil, v)) == `{ a = "x", b = 1 }`
		}, ""},
		// Lowering the tick rate lowers the sync rate with it.
		{"max_tick_rate", 15, func(c *Config) bool { return c.Optimization.MaxTickRate == 15 && c.Optimization.MaxSyncRate == 15 }, ""},
		{"max_send_rate", 128, func(c *Config) bool { return c.Optimization.MaxFileTransferRate == 128 }, ""},

		{"max_players", 2000, nil, "config: max_players = 2000: is out of range 1..999"},
		{"max_players", 1.5, nil, "must be an integer"},
		{"max_players", "32", nil, "must be an integer"},
		{"name", 5, nil, "must be a string"},
		{"announce", 1, nil, "must be true or false"},
		{"description", strings.Repeat("x", 201), nil, "longer than 200 characters"},
		{"ip", "example.com", nil, "is not an IP address"},
		{"language", "Deutsch", nil, "is not a lower-case two-letter country code"},
		{"language", "de", func(c *Config) bool { return c.Discover.Language == "de" }, ""},
		{"query_port", 7777, nil, "port and query_port must differ"},
		{"port", 7778, nil, "port and query_port must differ"},
		{"max_sync_rate", 30, nil, ""},
		{"packages", "a,b", nil, "must be a list of strings"},
		{"packages", []any{"a", 1}, nil, "must be a list of strings"},
		{"packages", []string{""}, nil, "empty or invalid entry"},
		{"max_player", 1, nil, `unknown setting "max_player": did you mean "max_players"?`},
		{"custom_settings.", 1, nil, "custom setting name is empty"},
		{"custom_settings.ch", make(chan int), nil, "cannot be written to Config.toml"},
		{"name", "\xff", nil, "not valid UTF-8"},
	}
	for _, tt := range tests {
		c := Default()
		before := Render(c)
		err := c.Set(tt.key, tt.value)
		if tt.err != "" || tt.check == nil {
			if tt.err == "" {
				if err != nil {
					t.Errorf("Set(%q, %v): %v", tt.key, tt.value, err)
				}
				continue
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Set(%q, %v) error = %v, want %q", tt.key, tt.value, err, tt.err)
			}
			if !bytes.Equal(Render(c), before) {
				t.Errorf("failed Set(%q) changed the config", tt.key)
			}
			continue
		}
		if err != nil {
			t.Errorf("Set(%q, %v): %v", tt.key, tt.value, err)
			continue
		}
		if !tt.check(c) {
			t.Errorf("Set(%q, %v) did not take effect: %+v", tt.key, tt.value, c)
		}
		if v, ok := c.Get(tt.key); !ok || v == nil {
			t.Errorf("Get(%q) after Set = %v, %v", tt.key, v, ok)
		}
	}
}

func TestSetSyncAboveTickRate(t *testing.T) {
	c := Default()
	if err := c.Set("max_tick_rate", 20); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("max_sync_rate", 25); err == nil || !strings.Contains(err.Error(), "is above max_tick_rate = 20") {
		t.Errorf("error = %v", err)
	}
}

func TestGet(t *testing.T) {
	c := Default()
	if v, ok := c.Get("max_players"); !ok || v != 64 {
		t.Errorf("Get(max_players) = %v %v", v, ok)
	}
	if v, ok := c.Get("general.max_players"); !ok || v != 64 {
		t.Errorf("Get(general.max_players) = %v %v", v, ok)
	}
	if _, ok := c.Get("discover.max_players"); ok {
		t.Error("Get with the wrong section succeeded")
	}
	if _, ok := c.Get("nope"); ok {
		t.Error("Get of an unknown key succeeded")
	}
}

// SetAndSave writes the one change to the file and keeps the file's other values, even when the
// run has command-line overrides.
func TestSetAndSave(t *testing.T) {
	dir := t.TempDir()
	path := writeConfig(t, dir, template(t))
	c, err := Open(dir, mustParseArgs(t, "--port", "6666"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Path() != path {
		t.Errorf("Path() = %q, want %q", c.Path(), path)
	}
	if err := c.SetAndSave("max_players", 12); err != nil {
		t.Fatal(err)
	}
	if err := c.SetAndSave("custom_settings.motd", "hello"); err != nil {
		t.Fatal(err)
	}
	if c.General.MaxPlayers != 12 || c.Discover.Port != 6666 {
		t.Errorf("run config = %+v", c)
	}
	saved, err := Open(dir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if saved.General.MaxPlayers != 12 || saved.Discover.Port != 7777 {
		t.Errorf("file has max_players %d, port %d; want 12 and the file's own 7777", saved.General.MaxPlayers, saved.Discover.Port)
	}
	if fv := c.FileValues(); fv.Discover.Port != 7777 || fv.General.MaxPlayers != 12 {
		t.Errorf("FileValues has port %d, max_players %d; want the file's 7777 and 12", fv.Discover.Port, fv.General.MaxPlayers)
	}
	if err := c.Set("name", "run only"); err != nil {
		t.Fatal(err)
	}
	if c.FileValues().Discover.Name == "run only" {
		t.Error("Set without saving reached FileValues")
	}
	if v, _ := saved.CustomSettings.Get("motd"); v != "hello" {
		t.Errorf("motd = %v", v)
	}
	if err := c.SetAndSave("max_players", 0); err == nil {
		t.Error("invalid SetAndSave succeeded")
	}
	if c.General.MaxPlayers != 12 {
		t.Error("failed SetAndSave changed the run config")
	}
	// A change that is valid for the run but not for the file is refused as a whole.
	if err := c.SetAndSave("query_port", 7777); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("error = %v, want one naming %s", err, path)
	}
	if c.Discover.QueryPort != 7778 {
		t.Error("refused SetAndSave changed the run config")
	}
	requireNoTempFiles(t, dir)

	if err := Default().SetAndSave("name", "x"); err == nil {
		t.Error("SetAndSave without a file succeeded")
	}
}

func TestSave(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.General.MaxPlayers = 5
	if err := Save(c.Path(), c); err != nil {
		t.Fatal(err)
	}
	if err := c.SetAndSave("name", "n"); err != nil {
		t.Fatal(err)
	}
	got, err := Open(dir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.General.MaxPlayers != 5 || got.Discover.Name != "n" {
		t.Errorf("saved file has %+v", got)
	}
	if err := Save(filepath.Join(dir, "missing", "x.toml"), c); err == nil || !strings.Contains(err.Error(), "cannot write") {
		t.Errorf("Save into a missing folder: %v", err)
	}
}

func TestEffectiveRates(t *testing.T) {
	tests := []struct {
		dedicated            bool
		send, file           int
		wantSend, wantFileTx int
	}{
		{true, 16384, 8000, 16384, 8000},
		{false, 16384, 8000, 1024, 1024},
		{false, 512, 256, 512, 256},
		{false, 2048, 512, 1024, 512},
	}
	for _, tt := range tests {
		c := Default()
		c.Discover.DedicatedServer = tt.dedicated
		c.Optimization.MaxSendRate, c.Optimization.MaxFileTransferRate = tt.send, tt.file
		if got := c.EffectiveSendRate(); got != tt.wantSend {
			t.Errorf("%+v: EffectiveSendRate = %d, want %d", tt, got, tt.wantSend)
		}
		if got := c.EffectiveFileTransferRate(); got != tt.wantFileTx {
			t.Errorf("%+v: EffectiveFileTransferRate = %d, want %d", tt, got, tt.wantFileTx)
		}
	}
}

// Values from Lua and Go callers convert to what Config.toml can hold.
func TestSetCustomValueConversions(t *testing.T) {
	tests := []struct {
		in   any
		want string // rendered TOML value
	}{
		{"s", `"s"`},
		{true, "true"},
		{int8(-3), "-3"},
		{int16(4), "4"},
		{int32(5), "5"},
		{uint(6), "6"},
		{uint16(7), "7"},
		{uint32(8), "8"},
		{uint64(1 << 63), "9223372036854775807"},
		{float32(0.5), "0.5"},
		{2.0, "2.0"},
		{[]string{"a", "b"}, `["a", "b"]`},
		{[]any{int64(1), []any{"x"}, map[string]any{"k": false}}, `[1, ["x"], { k = false }]`},
		{CustomSettings{{"z", 1.5}}, "{ z = 1.5 }"},
	}
	for _, tt := range tests {
		c := Default()
		if err := c.Set("custom_settings.v", tt.in); err != nil {
			t.Errorf("Set(%#v): %v", tt.in, err)
			continue
		}
		v, _ := c.Get("custom_settings.v")
		if got := string(appendValue(nil, v)); got != tt.want {
			t.Errorf("Set(%#v) stored %s, want %s", tt.in, got, tt.want)
		}
		requireCanonical(t, c, tt.in)
	}
	for _, bad := range []any{struct{}{}, []any{"ok", func() {}}, map[string]any{"k": nil}, "\xff"} {
		if err := Default().Set("custom_settings.v", bad); err == nil {
			t.Errorf("Set(%#v) succeeded", bad)
		}
	}
	for _, tt := range []struct {
		in any
		ok bool
	}{{int8(5), true}, {uint64(10), true}, {float32(12), true}, {12.5, false}, {1e300, false}, {"12", false}} {
		err := Default().Set("max_players", tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("Set(max_players, %#v) error = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

// Readers never see a half-written Config.toml while it is being saved.
func TestSaveIsAtomicForReaders(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := c.Path()
	done := make(chan struct{})
	errs := make(chan string, 1)
	go func() {
		defer close(errs)
		for {
			select {
			case <-done:
				return
			default:
			}
			data, err := os.ReadFile(path)
			if err != nil {
				errs <- err.Error()
				return
			}
			if !bytes.HasSuffix(data, []byte("distance_optimization =  4\n")) || !bytes.HasPrefix(data, []byte("# discover configurations\n")) {
				errs <- fmt.Sprintf("reader saw a partial file of %d bytes", len(data))
				return
			}
		}
	}()
	for i := range 40 {
		if err := c.SetAndSave("description", strings.Repeat("x", i*5)); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	if msg, ok := <-errs; ok {
		t.Fatal(msg)
	}
	requireNoTempFiles(t, dir)
}
