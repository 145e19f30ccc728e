package server

import (
	"path/filepath"

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
