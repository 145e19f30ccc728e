package main

import (
	"errors"
	"log/slog"

	"github.com/nanoforge/nanoforge/internal/scripthost"
)

// newScriptHost creates the Lua scripting host the server runs packages with.
func newScriptHost(srv scripthost.Server, log *slog.Logger) (scripthost.Host, error) {
	return nil, errors.New("no Lua scripting host in this build")
}
