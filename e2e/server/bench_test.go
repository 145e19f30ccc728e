package server_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/internal/config"
	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/internal/packages/packagestest"
	"github.com/nanoforge/nanoforge/internal/script"
	"github.com/nanoforge/nanoforge/internal/scripthost"
	"github.com/nanoforge/nanoforge/internal/server"
)

// luaPackage is the Server/Index.lua of every generated package: the usual start of a real
// package (an export, subscriptions, a timer, a command).
const luaPackage = `
local M = {}
function M.Hello(name) return "hello " .. name end
Package.Export("Bench_%[1]s", M)
Package.Subscribe("Load", function() end)
Server.Subscribe("Tick", function(dt) end)
Timer.SetInterval(function() end, 1000)
Console.RegisterCommand("bench_%[1]s", function() end, "bench command")
`

// writeBench50 writes 49 script packages (each requiring two later ones) and a game-mode
// requiring the first, all running luaPackage, and returns the --packages list.
func writeBench50(b *testing.B, dir string) string {
	var list []string
	for i := 1; i < 50; i++ {
		var reqs []string
		for _, j := range []int{i + 1, i + 7} {
			if j < 50 {
				reqs = append(reqs, fmt.Sprintf("pkg-%02d", j))
			}
		}
		name := fmt.Sprintf("pkg-%02d", i)
		packagestest.MustWrite(b, dir, packagestest.Spec{Name: name, Requires: reqs, Server: fmt.Sprintf(luaPackage, fmt.Sprint(i))})
		list = append(list, name)
	}
	packagestest.MustWrite(b, dir, packagestest.Spec{Name: "bench-gm", Kind: manifest.KindGameMode, Requires: []string{"pkg-01"}, Server: fmt.Sprintf(luaPackage, "gm")})
	return strings.Join(list, ",")
}

// BenchmarkBinaryStartup50 is what an operator or a game panel sees: the built nanoforge
// process started in a server folder with 50 packages running Lua, until it prints the
// `Server started` line; then `stop` on stdin and the exit (not timed).
func BenchmarkBinaryStartup50(b *testing.B) {
	bin := binary
	if bin == "" {
		// make bench runs benchmarks alone, without TestMain's build.
		bin = filepath.Join(b.TempDir(), "nanoforge")
		build := exec.Command("go", "build", "-o", bin, "github.com/nanoforge/nanoforge/cmd/nanoforge")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			b.Fatalf("building nanoforge: %v", err)
		}
	}
	dir := b.TempDir()
	list := writeBench50(b, dir)
	args := []string{"--game_mode", "bench-gm", "--packages", list, "--ip", "127.0.0.1"}
	for b.Loop() {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		stdin, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		ready := false
		var seen []string
		for sc.Scan() {
			seen = append(seen, sc.Text())
			if strings.Contains(sc.Text(), "Server started") {
				ready = true
				break
			}
		}
		b.StopTimer()
		if !ready {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			b.Fatalf("no Server started line; output:\n%s", strings.Join(seen, "\n"))
		}
		if n := strings.Count(strings.Join(seen, "\n"), "Package 'pkg-"); n != 2*49 {
			b.Fatalf("%d package lines before the ready line, want %d (loading and loaded for 49 scripts)", n, 2*49)
		}
		_, _ = io.WriteString(stdin, "stop\n")
		go func() { _, _ = io.Copy(io.Discard, stdout) }()
		if err := cmd.Wait(); err != nil {
			b.Fatalf("nanoforge after stop: %v", err)
		}
		b.StartTimer()
	}
}

// BenchmarkStartup50Lua is start-up to the ready line with 50 packages whose Lua runs in the
// real script host, then shutdown.
func BenchmarkStartup50Lua(b *testing.B) {
	dir := b.TempDir()
	list := writeBench50(b, dir)
	args, err := config.ParseArgs([]string{"--game_mode", "bench-gm", "--packages", list})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		srv, err := server.New(server.Options{
			Dir: dir, Args: args, Output: io.Discard, KeepLogs: 1,
			NewHost: func(s scripthost.Server, l *slog.Logger) (scripthost.Host, error) {
				return script.New(s, l, script.Options{})
			},
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			b.Fatal(err)
		}
		if n := len(srv.Loaded()); n != 50 {
			b.Fatalf("loaded %d packages, want 50", n)
		}
		_ = srv.Shutdown()
	}
}
