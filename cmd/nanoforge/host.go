package main

import (
	"log/slog"

	"github.com/nanoforge/nanoforge/internal/script"
	"github.com/nanoforge/nanoforge/internal/scripthost"
)

// newScriptHost creates the Lua scripting host the server runs packages with: one Lua 5.4
// state with the nanos world API, the default callback budget and memory cap.
func newScriptHost(srv scripthost.Server, log *slog.Logger) (scripthost.Host, error) {
	return script.New(srv, log, script.Options{})
}
