package main

import (
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
		opts.Budget, opts.MemoryLimit = scriptLimits(settings.ScriptLimits())
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
