package config

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func template(t *testing.T) string {
	t.Helper()
	return string(readFile(t, filepath.Join("testdata", "template.toml")))
}

// edit replaces the line of the template that sets key with line ("" removes it).
func edit(t *testing.T, text, key, line string) string {
	t.Helper()
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), key+" ") {
			if line == "" {
				return strings.Join(append(lines[:i:i], lines[i+1:]...), "\n")
			}
			lines[i] = "    " + line
			return strings.Join(lines, "\n")
		}
	}
	t.Fatalf("template has no key %s", key)
	return ""
}

func TestOpenCreatesTemplateOnFirstStart(t *testing.T) {
	dir := t.TempDir()
	rec, log := newRecorder()
	c, err := Open(dir, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, FileName)); !bytes.Equal(got, []byte(template(t))) {
		t.Errorf("created file is not the template:\n%s", got)
	}
	want := Default()
	c.file = nil
	if !reflect.DeepEqual(c, want) {
		t.Errorf("config of a new folder is not the default:\n got %+v\nwant %+v", c, want)
	}
	rec.requireLogs(t, "Config.toml: not found, creating it")
	requireNoTempFiles(t, dir)
}

func TestOpenMissingFolderIsAnError(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "does", "not", "exist"), nil, nil)
	if err == nil || !strings.Contains(err.Error(), "cannot write") {
		t.Fatalf("want a write error naming the file, got %v", err)
	}
}

// Each rule of Config.toml: the value it ends with and the log line an operator sees.
func TestOpenRules(t *testing.T) {
	tpl := template(t)
	tests := []struct {
		name string
		text string
		want func(c *Config)
		logs []string
	}{
		{"int above range", edit(t, tpl, "max_tick_rate", "max_tick_rate = 500"),
			func(c *Config) { c.Optimization.MaxTickRate = 120 },
			[]string{"Config.toml: max_tick_rate = 500 is out of range 15..120, reset to 120"}},
		{"int below range", edit(t, tpl, "max_players", "max_players = 0"),
			func(c *Config) { c.General.MaxPlayers = 1 },
			[]string{"max_players = 0 is out of range 1..999, reset to 1"}},
		{"negative port", edit(t, tpl, "port", "port = -1"),
			func(c *Config) { c.Discover.Port = 1024 },
			[]string{"port = -1 is out of range 1024..65535, reset to 1024"}},
		{"huge integer", edit(t, tpl, "compression", "compression = 9223372036854775807"),
			func(c *Config) { c.Optimization.Compression = 9 },
			[]string{"compression = 9223372036854775807 is out of range 0..9, reset to 9"}},
		{"log level", edit(t, tpl, "log_level", "log_level = 4"),
			func(c *Config) { c.Debug.LogLevel = 3 },
			[]string{"log_level = 4 is out of range 1..3, reset to 3"}},
		{"distance optimization", edit(t, tpl, "distance_optimization", "distance_optimization = -3"),
			func(c *Config) { c.Optimization.DistanceOptimization = 0 },
			[]string{"distance_optimization = -3 is out of range 0..9, reset to 0"}},
		{"sync above tick", edit(t, edit(t, tpl, "max_tick_rate", "max_tick_rate = 15"), "max_sync_rate", "max_sync_rate = 25"),
			func(c *Config) { c.Optimization.MaxTickRate, c.Optimization.MaxSyncRate = 15, 15 },
			[]string{"max_sync_rate = 25 is out of range 1..15 (at most max_tick_rate), reset to 15"}},
		{"file rate above send rate", edit(t, edit(t, tpl, "max_send_rate", "max_send_rate = 256"), "max_file_transfer_rate", "max_file_transfer_rate = 9000"),
			func(c *Config) { c.Optimization.MaxSendRate, c.Optimization.MaxFileTransferRate = 256, 256 },
			[]string{"max_file_transfer_rate = 9000 is out of range 128..256 (at most max_send_rate), reset to 256"}},
		{"query port equals port", edit(t, tpl, "query_port", "query_port = 7777"),
			func(c *Config) { c.Discover.QueryPort = 7778 },
			[]string{"query_port = 7777 must differ from port = 7777, reset to 7778"}},
		{"query port equals top port", edit(t, edit(t, tpl, "query_port", "query_port = 65535"), "port", "port = 65535"),
			func(c *Config) { c.Discover.Port, c.Discover.QueryPort = 65535, 65534 },
			[]string{"query_port = 65535 must differ from port = 65535, reset to 65534"}},
		{"string for int", edit(t, tpl, "max_players", `max_players = "lots"`),
			func(c *Config) {},
			[]string{`max_players = "lots" is not an integer, reset to 64`}},
		{"float for int", edit(t, tpl, "max_players", `max_players = 32.5`),
			func(c *Config) {},
			[]string{`max_players = 32.5 is not an integer, reset to 64`}},
		{"int for bool", edit(t, tpl, "announce", `announce = 0`),
			func(c *Config) {},
			[]string{`announce = 0 is not true or false, reset to true`}},
		{"int for string", edit(t, tpl, "name", `name = 42`),
			func(c *Config) {},
			[]string{`name = 42 is not a string, reset to "nanos world server"`}},
		{"table for list", strings.Replace(tpl, "packages = [\n\n    ]", `packages = { a = 1 }`, 1),
			func(c *Config) {},
			[]string{`packages = { a = 1 } is not a list of strings, reset to []`}},
		{"string for list", strings.Replace(tpl, "packages = [\n\n    ]", `packages = "sandbox, racing"`, 1),
			func(c *Config) { c.Game.Packages = []string{"sandbox", "racing"} },
			[]string{`packages = "sandbox, racing" is a string, not a list, read as ["sandbox", "racing"]`}},
		{"list entries", strings.Replace(tpl, "banned_ids = [\n\n    ]", `banned_ids = [ "a", 123, "", " b ", "a", true ]`, 1),
			func(c *Config) { c.General.BannedIDs = []string{"a", "123", "b"} },
			[]string{
				`banned_ids entry 123 is a number, kept as the string "123"`,
				`banned_ids entry true is not a string, dropped`,
				`banned_ids has an empty entry, dropped`,
				`banned_ids entry " b " has blanks around it, trimmed to "b"`,
				`banned_ids lists "a" more than once, kept the first`,
			}},
		{"description too long", edit(t, tpl, "description", `description = "`+strings.Repeat("é", 205)+`"`),
			func(c *Config) { c.Discover.Description = strings.Repeat("é", 200) },
			[]string{"description is 205 characters long, more than the 200 allowed"}},
		{"bad ip", edit(t, tpl, "ip", `ip = "my-host"`),
			func(c *Config) {},
			[]string{`ip = "my-host" is not an IP address, reset to "0.0.0.0"`}},
		{"upper-case language", edit(t, tpl, "language", `language = "BR"`),
			func(c *Config) { c.Discover.Language = "br" },
			[]string{`language = "BR" is not a two-letter country code (br, us, de...) or "global", reset to "br"`}},
		{"unknown language", edit(t, tpl, "language", `language = "english"`),
			func(c *Config) {},
			[]string{`language = "english" is not a two-letter country code (br, us, de...) or "global", reset to "global"`}},
		{"ipv6 ip kept", edit(t, tpl, "ip", `ip = "::"`),
			func(c *Config) { c.Discover.IP = "::" }, nil},
		{"unknown key with suggestion", edit(t, tpl, "name", `nmae = "x"`),
			func(c *Config) {},
			[]string{"unknown key [discover] nmae dropped (did you mean name?)", `name is missing, set to the default "nanos world server"`}},
		{"unknown key without suggestion", tpl + "    something_else = 1\n",
			func(c *Config) {},
			[]string{"unknown key [optimization] something_else dropped"}},
		{"unknown section", tpl + "\n[metrics]\nenabled = true\n",
			func(c *Config) {},
			[]string{"unknown section [metrics] dropped"}},
		{"key outside sections", "stray = 1\n" + tpl,
			func(c *Config) {},
			[]string{"unknown key stray outside any section dropped"}},
		{"key in wrong section", strings.Replace(edit(t, tpl, "max_players", ""), "[debug]\n", "[debug]\n    max_players = 12\n", 1),
			func(c *Config) { c.General.MaxPlayers = 12 },
			[]string{"[debug] max_players is in the wrong section, moved to [general] max_players"}},
		{"key twice in different sections", strings.Replace(tpl, "[debug]\n", "[debug]\n    max_players = 12\n", 1),
			func(c *Config) {},
			[]string{"[debug] max_players dropped: max_players is already set in [general]"}},
		{"legacy and new together", tpl + "\n[server]\nname = \"old\"\n",
			func(c *Config) {},
			[]string{"[server] name dropped: name is already set in [discover]"}},
		{"unknown legacy key", "[server]\nfoo = 1\n",
			func(c *Config) {},
			[]string{"unknown key [server] foo dropped"}},
		{"zero tick interval", "[server]\ntick_rate = 0\n",
			func(c *Config) {},
			[]string{"[server] tick_rate = 0 (milliseconds) is not a positive interval, dropped", "max_tick_rate is missing"}},
		{"tick interval too fast", "[optimization]\ntick_rate = 1\n",
			func(c *Config) { c.Optimization.MaxTickRate = 120 },
			[]string{"converted to max_tick_rate = 1000", "max_tick_rate = 1000 is out of range 15..120, reset to 120"}},
		{"section written as a value", "discover = 5\n[[general]]\nmax_players = 3\n",
			func(c *Config) {},
			[]string{"discover = 5 is not a section, dropped: write [discover]", "general = [{ max_players = 3 }] is not a section"}},
		{"custom settings not a table", "custom_settings = 5\n",
			func(c *Config) {},
			[]string{"custom_settings = 5 is not a section, dropped"}},
		{"other map asset kept", edit(t, tpl, "map", `map = "my-pack::Island"`),
			func(c *Config) { c.Game.Map = "my-pack::Island" }, nil},
		{"empty file", "",
			func(c *Config) {},
			[]string{"name is missing", "distance_optimization is missing"}},
		{"custom settings keep order and types", strings.Replace(tpl, "    # my_setting_02 = 123\n",
			"    # my_setting_02 = 123\n    zeta = 1.0\n    alpha = \"1\"\n    \"with space\" = true\n    list = [1, \"two\", 3.5]\n    when = 1979-05-27\n    nested = { b = 2, a = 1 }\n    dotted.y = 1\n    dotted.x = 2\n", 1),
			func(c *Config) {
				c.CustomSettings = CustomSettings{
					{"zeta", 1.0},
					{"alpha", "1"},
					{"with space", true},
					{"list", []any{int64(1), "two", 3.5}},
					{"when", time.Date(1979, 5, 27, 0, 0, 0, 0, time.FixedZone("date-local", 0))},
					{"nested", CustomSettings{{"b", int64(2)}, {"a", int64(1)}}},
					{"dotted", CustomSettings{{"y", int64(1)}, {"x", int64(2)}}},
				}
			}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeConfig(t, dir, tt.text)
			rec, log := newRecorder()
			c, err := Open(dir, nil, log)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			want := Default()
			tt.want(want)
			if got, exp := Render(c), Render(want); !bytes.Equal(got, exp) {
				t.Errorf("config differs:\n%s", diffLines(string(got), string(exp)))
			}
			if !reflect.DeepEqual(c.Optimization, want.Optimization) || !reflect.DeepEqual(c.Discover, want.Discover) ||
				!reflect.DeepEqual(c.General, want.General) || !reflect.DeepEqual(c.Game, want.Game) || !reflect.DeepEqual(c.Debug, want.Debug) {
				t.Errorf("config differs\n got %+v\nwant %+v", c, want)
			}
			if len(tt.logs) == 0 && len(tt.text) > 0 {
				if msgs := rec.messages(slog.LevelInfo); len(msgs) != 0 {
					t.Errorf("unexpected log lines: %q", msgs)
				}
			}
			rec.requireLogs(t, tt.logs...)
			if got := readFile(t, path); !bytes.Equal(got, Render(want)) {
				t.Errorf("file was not rewritten canonically:\n%s", got)
			}
			// The rewritten file is stable.
			rec2, log2 := newRecorder()
			c2, err := Open(dir, nil, log2)
			if err != nil {
				t.Fatalf("second Open: %v", err)
			}
			if msgs := rec2.messages(slog.LevelInfo); len(msgs) != 0 {
				t.Errorf("second start still logs: %q", msgs)
			}
			if !bytes.Equal(Render(c2), Render(c)) {
				t.Error("second start gives another config")
			}
		})
	}
}

// diffLines shows the lines that differ between got and want.
func diffLines(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			b.WriteString("line " + itoa(i+1) + ":\n  got:  " + gl + "\n  want: " + wl + "\n")
		}
	}
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }

// An unparsable file is never rewritten and the error locates the problem.
func TestOpenParseErrorLeavesFileUntouched(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		line, col int
		reason    string
	}{
		{"missing equals", "[discover]\n    name \"x\"\n", 2, 10, "expected '.' or '='"},
		{"unterminated string", "[discover]\nname = \"abc\n", 2, 12, "strings cannot contain newlines"},
		{"duplicate key", "[general]\nmax_players = 1\nmax_players = 2\n", 3, 1, "already been defined"},
		{"bad value", "[general]\nmax_players = 12abc\n", 2, 17, "but got 'a' instead"},
		{"unclosed table header", "[discover\nname = \"x\"\n", 1, 10, "expected"},
		{"invalid utf8", "[discover]\nname = \"\xff\"\n", 2, 8, "invalid UTF-8"},
		{"byte order mark", "\uFEFF[discover]\nname = \"x\" y\n", 2, 11, "but got 'y' instead"},
		{"no byte order mark", "[discover]\nname = \"x\" y\n", 2, 11, "but got 'y' instead"},
		{"utf-16", "\xff\xfe[\x00d\x00", 1, 2, "NULL bytes"},
		{"crlf file", "[discover]\r\nname = = 1\r\n", 2, 8, "expected value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeConfig(t, dir, tt.text)
			before, _ := os.Stat(path)
			_, err := Open(dir, mustParseArgs(t, "--save", "--name", "x"), nil)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("want *ParseError, got %T %v", err, err)
			}
			if pe.File != path || pe.Line != tt.line || pe.Column != tt.col || !strings.Contains(pe.Reason, tt.reason) {
				t.Errorf("got %s:%d:%d %q, want %s:%d:%d containing %q", pe.File, pe.Line, pe.Column, pe.Reason, path, tt.line, tt.col, tt.reason)
			}
			wantPrefix := path + ":" + itoa(tt.line) + ":" + itoa(tt.col) + ": "
			if !strings.HasPrefix(pe.Error(), wantPrefix) {
				t.Errorf("Error() = %q, want prefix %q", pe.Error(), wantPrefix)
			}
			if !strings.Contains(pe.Context, "^") {
				t.Errorf("Context has no caret: %q", pe.Context)
			}
			if got := readFile(t, path); !bytes.Equal(got, []byte(tt.text)) {
				t.Errorf("unparsable file was modified:\n got %q\nwant %q", got, tt.text)
			}
			after, _ := os.Stat(path)
			if !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
				t.Error("unparsable file was replaced")
			}
			requireNoTempFiles(t, dir)
		})
	}
}

func TestParseErrorFormat(t *testing.T) {
	e := &ParseError{File: "Config.toml", Line: 12, Column: 7, Reason: "expected '=' after key"}
	if got, want := e.Error(), "Config.toml:12:7: expected '=' after key"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestOpenKeepsFileModeAndFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.toml")
	if err := os.WriteFile(real, []byte("[general]\nmax_players = 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "server")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(sub, FileName)); err != nil {
		t.Skip("symlinks not supported here:", err)
	}
	c, err := Open(sub, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.General.MaxPlayers != 5 {
		t.Errorf("max_players = %d, want 5", c.General.MaxPlayers)
	}
	fi, err := os.Lstat(filepath.Join(sub, FileName))
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("symlink was replaced: %v %v", fi, err)
	}
	st, _ := os.Stat(real)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", st.Mode().Perm())
	}
	if !bytes.Equal(readFile(t, real), Render(c)) {
		t.Error("link target not rewritten")
	}
}
