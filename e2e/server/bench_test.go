package server_test

import (
	"fmt"
	"io"
	"log/slog"
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

// BenchmarkStartup50Lua is start-up to the ready line with 50 packages whose Lua runs in the
// real script host, then shutdown.
func BenchmarkStartup50Lua(b *testing.B) {
	dir := b.TempDir()
	var list string
	for i := 1; i < 50; i++ {
		var reqs []string
		for _, j := range []int{i + 1, i + 7} {
			if j < 50 {
				reqs = append(reqs, fmt.Sprintf("pkg-%02d", j))
			}
		}
		name := fmt.Sprintf("pkg-%02d", i)
		packagestest.MustWrite(b, dir, packagestest.Spec{Name: name, Requires: reqs, Server: fmt.Sprintf(luaPackage, fmt.Sprint(i))})
		if list != "" {
			list += ","
		}
		list += name
	}
	packagestest.MustWrite(b, dir, packagestest.Spec{Name: "bench-gm", Kind: manifest.KindGameMode, Requires: []string{"pkg-01"}, Server: fmt.Sprintf(luaPackage, "gm")})
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
