package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"
)

// typicalFile is a Config.toml as operators keep it: the current layout with a few packages,
// custom settings and one out-of-range value to repair.
func typicalFile(b *testing.B) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "typical.toml"))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkParseAndRewrite measures one start's work on Config.toml without disk I/O: decode,
// migrate, validate and render the canonical file.
func BenchmarkParseAndRewrite(b *testing.B) {
	data := typicalFile(b)
	n := &notes{log: discardLogger(), prefix: FileName + ": "}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		c, err := parse(data, FileName, n)
		if err != nil {
			b.Fatal(err)
		}
		_ = Render(c)
	}
}

// BenchmarkReferenceDecode is the reference for BenchmarkParseAndRewrite: the TOML decoder alone
// on the same bytes into a generic map, the least any implementation has to do.
func BenchmarkReferenceDecode(b *testing.B) {
	data := typicalFile(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if _, err := toml.Decode(string(data), &m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseArgs measures a long realistic server command line.
func BenchmarkParseArgs(b *testing.B) {
	args := []string{"--port", "6666", "--map", "default-ocean-map", "--announce", "0", "--max_players", "128",
		"--packages", "sandbox,battlefield-kill-ui,ts-fireworks-tools", "--custom_settings", "max_props = 1000, enable_pvp = true",
		"--save", "--log_level=2", "--max_tick_rate", "60"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseArgs(args); err != nil {
			b.Fatal(err)
		}
	}
}
