package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/nanoforge/nanoforge/internal/cli"
)

// runCLI runs `nanoforge --cli ARGS...` and returns the process exit status. Ctrl-C cancels
// the running command; transfers stop and nothing half-installed is left in place.
func runCLI(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return cli.Run(ctx, args, cli.Env{})
}
