package manifest

import (
	"fmt"
	"strings"
)

// Kind is the type of a package as written in the docs, the Store categories
// and the CLI ("game-mode", with a hyphen). The Package.toml section of a
// kind uses an underscore instead; see [Kind.Section].
type Kind string

// The five package kinds.
const (
	KindScript        Kind = "script"
	KindGameMode      Kind = "game-mode"
	KindMap           Kind = "map"
	KindLoadingScreen Kind = "loading-screen"
	KindCModule       Kind = "c-module"
)

// Kinds lists every package kind in the order the docs present them.
var Kinds = []Kind{KindScript, KindGameMode, KindMap, KindLoadingScreen, KindCModule}

// Valid reports whether k is one of the five kinds.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Section is the Package.toml table that declares this kind ("game_mode").
func (k Kind) Section() string { return strings.ReplaceAll(string(k), "-", "_") }

// HasLua reports whether packages of this kind run Lua from Server/, Client/
// and Shared/ (only script, game-mode and map do).
func (k Kind) HasLua() bool { return k == KindScript || k == KindGameMode || k == KindMap }

// Requirable reports whether other packages may list this kind in
// packages_requirements (only script and c-module packages can be required).
func (k Kind) Requirable() bool { return k == KindScript || k == KindCModule }

// ParseKind accepts a kind in its hyphenated form or its section form
// ("game-mode" or "game_mode"), case-insensitively.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", "-"))
	if k.Valid() {
		return k, nil
	}
	return "", fmt.Errorf("unknown package type %q: use one of script, game-mode, map, loading-screen, c-module", s)
}

// kindForSection maps a Package.toml table name to its kind.
func kindForSection(section string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Section() == section {
			return k, true
		}
	}
	return "", false
}
