package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/internal/config"
	"github.com/nanoforge/nanoforge/internal/packages/packagestest"
	"github.com/nanoforge/nanoforge/internal/server"
)

// startWithHost starts a manual-mode server with the binary's script host and one script
// package whose Server/Index.lua is code, and returns what the server printed.
func startWithHost(t *testing.T, args []string, code string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Game.Packages = []string{"probe"}
	cfg.Game.Assets = []string{"props"}
	cfg.Debug.AsyncLog = false
	if err := config.Save(filepath.Join(dir, config.FileName), cfg); err != nil {
		t.Fatal(err)
	}
	if err := packagestest.WriteAssetPack(dir, "props"); err != nil {
		t.Fatal(err)
	}
	if _, err := packagestest.Write(dir, packagestest.Spec{Name: "probe", Server: code}); err != nil {
		t.Fatal(err)
	}
	parsed, err := config.ParseArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	srv, err := server.New(server.Options{Dir: dir, Args: parsed, Output: &out, NewHost: newScriptHost, NoLogFile: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	srv.Submit("stop")
	for i := 0; i < 10 && srv.Step(); i++ {
	}
	return out.String()
}

func TestScriptHostGetsUnsafeLibsFlag(t *testing.T) {
	const probe = `Console.Log("io available: " .. tostring(io ~= nil))`
	if out := startWithHost(t, nil, probe); !strings.Contains(out, "io available: false") {
		t.Errorf("without --enable_unsafe_libs, io should be absent; output:\n%s", out)
	}
	if out := startWithHost(t, []string{"--enable_unsafe_libs"}, probe); !strings.Contains(out, "io available: true") {
		t.Errorf("with --enable_unsafe_libs, io should be present; output:\n%s", out)
	}
}

func TestScriptHostSeesLoadedAssetPacks(t *testing.T) {
	const probe = `
local names = {}
for _, pack in ipairs(Assets.GetAssetPacks()) do names[#names + 1] = pack.Path end
Console.Log("asset packs: " .. table.concat(names, ","))`
	if out := startWithHost(t, nil, probe); !strings.Contains(out, "asset packs: props") {
		t.Errorf("Assets.GetAssetPacks should list the loaded pack 'props'; output:\n%s", out)
	}
}
