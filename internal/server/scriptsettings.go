package server

import (
	"path/filepath"
	"time"

	"github.com/nanoforge/nanoforge/internal/manifest"
)

// UnsafeLibs reports whether --enable_unsafe_libs was given: the script host then keeps
// os.execute, io.* and the other functions it removes by default.
func (s *Server) UnsafeLibs() bool {
	return s.opts.Args != nil && s.opts.Args.Run.EnableUnsafeLibs
}

// AssetPackManifests reads the manifests of the asset packs the load plan loads, in order, for
// the script host's Assets class. A pack that cannot be read was already reported by the plan
// and is left out.
func (s *Server) AssetPackManifests() []*manifest.AssetPack {
	var packs []*manifest.AssetPack
	for _, name := range s.AssetPacks() {
		pack, _, err := manifest.LoadAssetsDir(filepath.Join(s.dir, "Assets", name), manifest.LoadOptions{ReadOnly: true})
		if err == nil {
			packs = append(packs, pack)
		}
	}
	return packs
}

// ScriptLimits returns the Lua watchdog budget and memory cap of this run
// (--script_budget_ms and --script_memory_mb, else their environment variables when the
// command line was passed through config.Args.ApplyEnv, else the defaults). Zero means no
// budget, or no cap.
func (s *Server) ScriptLimits() (budget time.Duration, memory int64) {
	r := s.cfg.Run
	return time.Duration(r.ScriptBudgetMS) * time.Millisecond, int64(r.ScriptMemoryMB) << 20
}
