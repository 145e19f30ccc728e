package script

import (
	"fmt"
	"strings"

	"github.com/nanoforge/nanoforge/internal/lua"
	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

// ServerDetails, DetailedServer and MapChanger are the scripthost types of the same names,
// kept here under their old names for the code that uses them.
type (
	ServerDetails  = scripthost.ServerDetails
	DetailedServer = scripthost.DetailedServer
	MapChanger     = scripthost.MapChanger
)

// details returns the server's details, or the Config.toml defaults.
func (h *Host) details() ServerDetails {
	if d, ok := h.srv.(DetailedServer); ok {
		return d.Details()
	}
	return ServerDetails{Compression: 1, Announced: true}
}

// mapAsset is the level of the current map: what the server reports, else the map_asset of
// the map package named by the server's map setting, else that setting itself when it already
// is an asset reference ("nanos-world::BlankMap").
func (h *Host) mapAsset() string {
	if a := h.details().MapAsset; a != "" {
		return a
	}
	m := h.srv.Info().Map
	if strings.Contains(m, "::") {
		return m
	}
	for _, p := range h.srv.Packages() {
		if p.Name != m || p.Dir == "" {
			continue
		}
		if p.Kind != "" && p.Kind != scripthost.KindMap {
			break
		}
		mp, _, err := manifest.LoadPackageDir(p.Dir, manifest.LoadOptions{ReadOnly: true, DefaultKind: manifest.KindMap})
		if err != nil {
			h.log.Warn(fmt.Sprintf("Server.GetMapAsset: reading the map package %q: %v", m, err))
			break
		}
		return mp.MapAsset
	}
	return ""
}

// nChangeMap(map_path) asks the server to restart in another map.
func (h *Host) nChangeMap(s *lua.State) (int, error) {
	path := argString(s, 1)
	mc, ok := h.srv.(MapChanger)
	if !ok {
		return 0, fmt.Errorf("Server.ChangeMap(%q): this server cannot change maps while running; set map in Config.toml and restart it", path)
	}
	if err := mc.ChangeMap(path); err != nil {
		return 0, fmt.Errorf("Server.ChangeMap(%q): %w", path, err)
	}
	return 0, nil
}
