package config

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// Every schema generation of Config.toml is migrated to the newest one, with a log line for each
// change, and the rewritten file is stable: opening it again changes and logs nothing.
func TestOpenMigratesEveryGeneration(t *testing.T) {
	tests := []struct {
		file  string
		want  func(c *Config)
		logs  []string
		clean bool // the file is already in the newest layout: no log line at all
	}{
		{
			file: "gen1-2021.toml",
			want: func(c *Config) {
				c.Discover.Name = "My Old Server"
				c.Discover.Description = "from 2021"
				c.General.MaxPlayers = 32
				c.General.Password = "secret"
				c.Discover.Announce = false
				c.Debug.LogLevel = 2
			},
			logs: []string{
				"[server] name moved to [discover] name",
				"[server] max_players moved to [general] max_players",
				"[server] logo = \"https://example.com/logo.jpg\" dropped: the server logo is now Server.jpg",
				"[server] http_port = 7777 dropped: the HTTP file server now shares the game port",
				"[server] tick_rate = 33 (milliseconds per tick) converted to max_tick_rate = 30 (ticks per second)",
				"[world] voip_setting = \"Local\" dropped",
				"[world] banned_ips = [\"10.0.0.5\"] dropped: bans are by account ID now",
				"[world] packages = [] used to load every package in Packages/",
				"map = \"NanosWorld::BlankMap\" is a built-in map asset of older versions, converted to the map package \"default-blank-map\"",
				"ip = \"\" is not an IP address, reset to \"0.0.0.0\"",
				"query_port is missing, set to the default 7778",
				"max_send_rate is missing, set to the default 512",
			},
		},
		{
			file: "gen2-2022.toml",
			want: func(c *Config) {
				c.Discover.Name = "Sandbox Server"
				c.Discover.Description = "nanos world sandbox"
				c.General.MaxPlayers = 10
				c.General.Token = "ab12cd34"
				c.General.BannedIDs = []string{"7f3a9c"}
				c.Game.GameMode = "sandbox"
				c.Game.LoadingScreen = "default-loading-screen"
				c.Game.Packages = []string{"ts-fireworks-tools", "battlefield-kill-ui"}
				c.Game.Assets = []string{"nanos-world-weapons"}
				c.Game.Map = "default-testing-map"
				c.Optimization.MaxTickRate = 20
				c.Optimization.MaxSyncRate = 20
				c.Debug.LogLevel = 2
			},
			logs: []string{
				"[world] token moved to [general] token",
				"[world] banned_ids moved to [general] banned_ids",
				"[world] game_mode moved to [game] game_mode",
				"[server] tick_rate = 50 (milliseconds per tick) converted to max_tick_rate = 20",
				"map = \"nanos-world::TestingMap\" is a built-in map asset of older versions, converted to the map package \"default-testing-map\"",
				"[server] logo = \"\" dropped",
				"max_sync_rate = 30 is out of range 1..20 (at most max_tick_rate), reset to 20",
			},
		},
		{
			file: "gen3-2023.toml",
			want: func(c *Config) {
				c.Discover.Name = "Deathmatch 24/7"
				c.Discover.Description = "fast rounds"
				c.Game.GameMode = "deathmatch"
				c.Optimization.MaxTickRate = 63
				c.Optimization.Compression = 0
				c.CustomSettings = CustomSettings{{"round_time", int64(300)}, {"friendly_fire", false}}
			},
			logs: []string{
				"[optimization] tick_rate = 16 (milliseconds per tick) converted to max_tick_rate = 63",
				"map = \"nanos-world::BlankMap\" is a built-in map asset",
				"language is missing, set to the default \"global\"",
				"distance_optimization is missing, set to the default 4",
			},
		},
		{
			file: "gen4-2025-05.toml",
			want: func(c *Config) {
				c.Discover.Name = "Race Server"
				c.Game.GameMode = "racing"
				c.Optimization.Compression = 0
			},
			logs: []string{"language is missing", "max_sync_rate is missing", "max_send_rate is missing, set to the default 512"},
		},
		{
			file: "gen5-2025-11-06.toml",
			want: func(c *Config) {
				c.Discover.Name = "Race Server"
				c.Game.GameMode = "racing"
				c.Optimization.Compression = 0
				c.Optimization.MaxSendRate = 16384 // 32 MB/s is above the newest maximum
			},
			logs: []string{
				"max_send_rate = 32 (MB/s, written before 2026-03-12) converted to 32768 KB/s",
				"max_send_rate = 32768 is out of range 128..16384, reset to 16384",
			},
		},
		{
			file: "gen5-2025-11-15.toml",
			want: func(c *Config) {
				c.Discover.Name = "Race Server"
				c.Game.GameMode = "racing"
				c.Optimization.Compression = 0
				c.Optimization.MaxSendRate = 16384
			},
			logs: []string{"max_send_rate = 16 (MB/s, written before 2026-03-12) converted to 16384 KB/s"},
		},
		{
			file: "gen6-2026-03-09.toml",
			want: func(c *Config) {
				c.Discover.Name = "Race Server"
				c.Game.GameMode = "racing"
				c.Optimization.MaxSendRate = 16384
				c.Optimization.MaxFileTransferRate = 4096
			},
			logs: []string{"max_file_transfer_rate = 4 (MB/s, written before 2026-03-12) converted to 4096 KB/s"},
		},
		{
			file: "gen7-2026-03-11.toml",
			want: func(c *Config) {
				c.Discover.Name = "Race Server"
				c.Discover.Language = "br"
				c.Game.GameMode = "racing"
				c.Optimization.MaxSendRate = 8192
				c.Optimization.MaxFileTransferRate = 8192
			},
			logs: []string{
				"max_send_rate = 8 (MB/s, written before 2026-03-12) converted to 8192 KB/s",
				"distance_optimization is missing, set to the default 4",
			},
		},
		{
			file: "gen8-2026-03-12.toml",
			want: func(c *Config) {
				c.Discover.Name = "Roleplay City"
				c.Discover.Language = "de"
				c.Optimization.MaxTickRate = 20
				c.Optimization.MaxSyncRate = 20
				c.Optimization.MaxSendRate = 2048
				c.Optimization.MaxFileTransferRate = 1024
			},
			logs: []string{
				"max_sync_rate is missing, set to the default 30",
				"max_sync_rate = 30 is out of range 1..20 (at most max_tick_rate), reset to 20",
			},
		},
		{file: "template.toml", want: func(*Config) {}, clean: true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			dir := t.TempDir()
			old, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			path := writeConfig(t, dir, string(old))
			before, _ := os.Stat(path)
			rec, log := newRecorder()
			c, err := Open(dir, nil, log)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			want := Default()
			tt.want(want)
			c.file, want.file = nil, nil
			if !reflect.DeepEqual(c, want) {
				t.Errorf("config differs\n got %+v\nwant %+v", c, want)
			}
			rec.requireLogs(t, tt.logs...)
			got := readFile(t, path)
			if !bytes.Equal(got, Render(want)) {
				t.Errorf("rewritten file is not the canonical rendering:\n%s", got)
			}
			requireNoTempFiles(t, dir)
			after, _ := os.Stat(path)
			if tt.clean {
				if msgs := rec.messages(slog.LevelInfo); len(msgs) != 0 {
					t.Errorf("a current file produced log lines: %q", msgs)
				}
				if !os.SameFile(before, after) {
					t.Error("a file already in canonical form was rewritten")
				}
			}

			// Second start: nothing left to migrate or repair.
			rec2, log2 := newRecorder()
			if _, err := Open(dir, nil, log2); err != nil {
				t.Fatalf("second Open: %v", err)
			}
			if msgs := rec2.messages(slog.LevelInfo); len(msgs) != 0 {
				t.Errorf("second start still logs: %q", msgs)
			}
			if again := readFile(t, path); !bytes.Equal(again, got) {
				t.Errorf("second start changed the file:\n%s", again)
			}
		})
	}
}
