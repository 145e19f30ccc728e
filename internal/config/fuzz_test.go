package config

import (
	"bytes"
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// checkInvariants fails when c breaks a rule of the newest schema.
func checkInvariants(t *testing.T, c *Config) {
	t.Helper()
	for _, k := range keys {
		switch p := k.field(c).(type) {
		case *int:
			lo, hi, _ := k.bounds(c)
			if *p < lo || *p > hi {
				t.Errorf("%s = %d is outside %d..%d", k.name, *p, lo, hi)
			}
		case *string:
			if !utf8.ValidString(*p) {
				t.Errorf("%s is not valid UTF-8", k.name)
			}
			if k.maxLen > 0 && utf8.RuneCountInString(*p) > k.maxLen {
				t.Errorf("%s is longer than %d", k.name, k.maxLen)
			}
		case *[]string:
			seen := map[string]bool{}
			for _, e := range *p {
				if e == "" || strings.TrimSpace(e) != e || seen[e] {
					t.Errorf("%s has a bad entry %q", k.name, e)
				}
				seen[e] = true
			}
		}
	}
	if c.Discover.Port == c.Discover.QueryPort {
		t.Errorf("port and query_port are both %d", c.Discover.Port)
	}
	if _, err := netip.ParseAddr(c.Discover.IP); err != nil {
		t.Errorf("ip %q is not an address", c.Discover.IP)
	}
}

// requireStable opens dir again and fails if that logs anything or changes the file.
func requireStable(t *testing.T, dir string) {
	t.Helper()
	path := filepath.Join(dir, FileName)
	before := readFile(t, path)
	rec, log := newRecorder()
	c, err := Open(dir, nil, log)
	if err != nil {
		t.Fatalf("reopening the rewritten file: %v\n%s", err, before)
	}
	if msgs := rec.messages(slog.LevelInfo); len(msgs) != 0 {
		t.Errorf("reopening the rewritten file logs %q\nfile:\n%s", msgs, before)
	}
	if after := readFile(t, path); !bytes.Equal(after, before) {
		t.Errorf("reopening changed the file:\n%s", diffLines(string(after), string(before)))
	}
	checkInvariants(t, c)
}

func FuzzOpen(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.toml"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "[discover]\nname = \"x\"\n", "[discover\n", "a = 1\na = 2\n", "\uFEFF[general]\nmax_players = 1e3\n",
		"[custom_settings]\nx = nan\ny = -inf\nz = 1979-05-27T07:32:00.5-07:00\nw = 07:32:00\n[custom_settings.t]\nq = [[1], {a = 1}]\n",
		"[[discover]]\nname = 1\n", "[optimization]\ntick_rate = 0.5\nmax_send_rate = 64\n", "[server]\nport = 7778\nquery_port = 7778\n",
		"[game]\npackages = [\"a\", \" a\", \"\"]\n", "[discover]\ndescription = \"" + strings.Repeat("ü", 300) + "\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, FileName)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		_, decodeErr := toml.Decode(string(data), &raw)
		if decodeErr == nil && checkNesting(string(data)) >= 0 {
			// Valid TOML nested too deeply is refused like invalid TOML.
			decodeErr = errors.New("nested too deeply")
		}
		c, err := Open(dir, nil, discardLogger())
		if decodeErr != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("invalid TOML gave %v, want *ParseError", err)
			}
			if pe.Line < 1 || pe.Column < 1 {
				t.Errorf("bad position %d:%d", pe.Line, pe.Column)
			}
			if got := readFile(t, path); !bytes.Equal(got, data) {
				t.Fatalf("unparsable file was rewritten")
			}
			requireNoTempFiles(t, dir)
			return
		}
		if err != nil {
			t.Fatalf("valid TOML gave %v", err)
		}
		checkInvariants(t, c)
		if got := readFile(t, path); !bytes.Equal(got, Render(c)) {
			t.Fatalf("file is not the canonical rendering")
		}
		requireStable(t, dir)
	})
}

func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{
		"--port\n6666\n--map\ndefault-ocean-map\n--announce\n0\n--max_players\n1024\n--packages\nMyAwesomePackage, AnotherGoodPackage",
		"--save\n--profiling\n--auto_download\n1\n--name=x",
		"--custom_settings\nmax_props = 1000, enable_pvp = true, t = 'a, b'",
		"--gamemode\nsandbox\n--http_port\n7777",
		"--tracy\n--steam_app=game\n--thread_pool_count\n0\n--enable_unsafe_libs",
		"--max_tick_rate\n15\n--max_sync_rate=30\n--max_send_rate\n100000\n--max_file_transfer_rate\n-5",
		"--port\n7777\n--query_port\n7777\n--ip\nlocalhost\n--description\n" + strings.Repeat("x", 300),
		"--max_player\n10", "-port", "--", "x", "--help", "--save\n--port=99999999999999999999999",
		"--script_budget_ms\n0\n--script_memory_mb=16\n--save",
		"--script_budget_ms=-1", "--script_memory_mb\n99999999999999999999", "--script_budget_ms\n--script_memory_mb",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\n")
		if s == "" {
			args = nil
		}
		a, err := ParseArgs(args)
		if err != nil {
			if a != nil {
				t.Fatal("ParseArgs returned both Args and an error")
			}
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		dir := t.TempDir()
		c, err := Open(dir, a, discardLogger())
		if err != nil {
			t.Fatalf("Open with parsed args: %v", err)
		}
		checkInvariants(t, c)
		requireStable(t, dir)
		if r := a.Run; r.ScriptBudgetMS < 0 || r.ScriptBudgetMS > MaxScriptBudgetMS ||
			r.ScriptMemoryMB != 0 && (r.ScriptMemoryMB < MinScriptMemoryMB || r.ScriptMemoryMB > MaxScriptMemoryMB) {
			t.Errorf("script limits accepted out of range: budget %d ms, memory %d MiB", r.ScriptBudgetMS, r.ScriptMemoryMB)
		}
		if a.Save && (len(a.Overrides) > 0 || a.CustomSettings != nil) {
			saved, err := Open(dir, nil, discardLogger())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(Render(saved), Render(c)) {
				t.Errorf("--save did not write the running configuration")
			}
		}
	})
}

func FuzzCustomSettings(f *testing.F) {
	for _, s := range []string{
		"", "max_props = 1000, enable_pvp = true", "my_toggle = true, my_text_input = 'awesome text!'",
		"a.b = 1, a.c = [1, 2.5, 'x', { y = true }]", "'k' = 1979-05-27T00:32:00Z, f = -0.0, g = inf",
		"a = 1}, b = {", "a = ", "x = \"\\u00e9\\t\"", "x = 1,", "= 1", "a = 1\nb = 2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cs, err := ParseCustomSettings(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Column < 1 || pe.Line < 1 {
				t.Fatalf("error %v is not a positioned *ParseError", err)
			}
			return
		}
		c := Default()
		c.CustomSettings = cs
		text := Render(c)
		rec, log := newRecorder()
		back, err := parse(text, FileName, &notes{log: log, prefix: FileName + ": "})
		if err != nil {
			t.Fatalf("rendered settings do not parse: %v\n%s", err, text)
		}
		if msgs := rec.messages(slog.LevelInfo); len(msgs) != 0 {
			t.Errorf("rendered settings log %q", msgs)
		}
		if again := Render(back); !bytes.Equal(again, text) {
			t.Errorf("custom settings changed in a round trip:\n%s", diffLines(string(again), string(text)))
		}
	})
}
