package server

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/nanoforge/nanoforge/internal/config"
	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/internal/packages/packagestest"
)

// benchPackages is the size of the generated server of the start-up benchmarks.
const benchPackages = 50

// writeBenchServer writes a game-mode and benchPackages-1 script packages whose requirements
// form a DAG (each requires the next and the one seven further), and returns the folder and
// the command line that loads them all.
func writeBenchServer(b *testing.B) (string, []string) {
	dir := b.TempDir()
	var list string
	for i := 1; i < benchPackages; i++ {
		var reqs []string
		for _, j := range []int{i + 1, i + 7} {
			if j < benchPackages {
				reqs = append(reqs, fmt.Sprintf("pkg-%02d", j))
			}
		}
		name := fmt.Sprintf("pkg-%02d", i)
		packagestest.MustWrite(b, dir, packagestest.Spec{Name: name, Requires: reqs})
		if list != "" {
			list += ","
		}
		list += name
	}
	packagestest.MustWrite(b, dir, packagestest.Spec{Name: "bench-gm", Kind: manifest.KindGameMode, Requires: []string{"pkg-01", "pkg-25"}})
	return dir, []string{"--game_mode", "bench-gm", "--packages", list}
}

// BenchmarkStartup50 measures start-up to the `Server started` line with 50 packages: open
// and rewrite Config.toml, open the session log, read every manifest, resolve the load order
// and load the packages (into the no-op host: script time is the script host's benchmark),
// then shut down.
func BenchmarkStartup50(b *testing.B) {
	dir, argv := writeBenchServer(b)
	args, err := config.ParseArgs(argv)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		srv, err := New(Options{Dir: dir, Args: args, Output: discard{}, KeepLogs: 1})
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			b.Fatal(err)
		}
		if n := len(srv.Loaded()); n != benchPackages {
			b.Fatalf("loaded %d packages, want %d", n, benchPackages)
		}
		_ = srv.Shutdown()
	}
}

// BenchmarkReadManifests50 is the reference for BenchmarkStartup50: only reading the same 50
// Package.toml files with internal/manifest.
func BenchmarkReadManifests50(b *testing.B) {
	dir, _ := writeBenchServer(b)
	names, err := filepath.Glob(filepath.Join(dir, "Packages", "*"))
	if err != nil || len(names) != benchPackages {
		b.Fatalf("%d package folders (%v), want %d", len(names), err, benchPackages)
	}
	for b.Loop() {
		for _, n := range names {
			if _, _, err := manifest.LoadPackageDir(n, manifest.LoadOptions{ReadOnly: true}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
