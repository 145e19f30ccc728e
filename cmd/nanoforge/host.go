package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/internal/script"
	"github.com/nanoforge/nanoforge/internal/script/lib"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

// scriptSettings is what the server tells the script host beyond scripthost.Server:
// implemented by *server.Server.
type scriptSettings interface {
	UnsafeLibs() bool
	AssetPackManifests() []*manifest.AssetPack
	// ScriptLimits are --script_budget_ms and --script_memory_mb; 0 means no limit.
	ScriptLimits() (budget time.Duration, memory int64)
}

// newScriptHost creates the Lua scripting host the server runs packages with: one Lua 5.4
// state with the nanos world API, the callback budget and memory cap the operator chose.
func newScriptHost(srv scripthost.Server, log *slog.Logger) (scripthost.Host, error) {
	var opts script.Options
	if settings, ok := srv.(scriptSettings); ok {
		opts.UnsafeLibs = settings.UnsafeLibs()
		budget, memory := settings.ScriptLimits()
		opts.Budget, opts.MemoryLimit = scriptLimits(budget, memory)
		if budget != script.DefaultBudget || memory != script.DefaultMemoryLimit {
			// Limits other than the defaults are said once, so a log shows why a handler was
			// interrupted sooner (or never).
			log.Info(fmt.Sprintf("Script limits: watchdog %s, Lua memory cap %s", describeBudget(budget), describeMemory(memory)))
		}
		opts.AssetPacks = func() []lib.AssetPack {
			var packs []lib.AssetPack
			for _, m := range settings.AssetPackManifests() {
				packs = append(packs, lib.AssetPackFromManifest(m))
			}
			return packs
		}
	}
	return script.New(srv, log, opts)
}

// scriptLimits converts the server's limits, where 0 means none, into script.Options, where 0
// means the default and a negative value means none.
func scriptLimits(budget time.Duration, memory int64) (time.Duration, int64) {
	if budget == 0 {
		budget = -1
	}
	if memory == 0 {
		memory = -1
	}
	return budget, memory
}

func describeBudget(d time.Duration) string {
	if d == 0 {
		return "off"
	}
	return d.String() + " per call"
}

func describeMemory(n int64) string {
	if n == 0 {
		return "off"
	}
	return fmt.Sprintf("%d MiB", n>>20)
}
