package main

import (
	"log/slog"

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
}

// newScriptHost creates the Lua scripting host the server runs packages with: one Lua 5.4
// state with the nanos world API, the default callback budget and memory cap.
func newScriptHost(srv scripthost.Server, log *slog.Logger) (scripthost.Host, error) {
	var opts script.Options
	if settings, ok := srv.(scriptSettings); ok {
		opts.UnsafeLibs = settings.UnsafeLibs()
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
