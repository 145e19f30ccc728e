package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/nanoforge/nanoforge/internal/cli"
	"github.com/nanoforge/nanoforge/internal/server"
)

// runCLI runs `nanoforge --cli ARGS...` and returns the process exit status. The first Ctrl-C
// cancels the running command (transfers stop, nothing half-installed is left in place) or
// leaves the interactive prompt; a second one ends the process at once.
func runCLI(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	return cli.Run(ctx, args, cli.Env{Version: server.Version})
}
