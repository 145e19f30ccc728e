// Command nanoforge is the Nanoforge dedicated server; with --cli as its first argument it is the CLI.
//
// The server folder is the working directory: Config.toml, Packages/, Assets/ and .logs/ live
// there. Exit status: 0 after a stop (console `stop`, SIGINT, SIGTERM), 2 for a bad command
// line, 1 for anything else that keeps the server from starting (such as a Config.toml that
// is not valid TOML).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/nanoforge/nanoforge/internal/cli"
	"github.com/nanoforge/nanoforge/internal/config"
	"github.com/nanoforge/nanoforge/internal/scripthost"
	"github.com/nanoforge/nanoforge/internal/server"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--cli" {
		os.Exit(runCLI(os.Args[2:]))
	}
	os.Exit(runServer(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// runServer runs the server in the working directory and returns the exit status.
func runServer(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	args, err := config.ParseArgs(argv)
	if errors.Is(err, config.ErrHelp) {
		fmt.Fprint(stdout, config.Usage())
		return 0
	}
	if err == nil {
		err = args.ApplyEnv(os.Getenv)
	}
	if err != nil {
		fmt.Fprintf(stderr, "nanoforge: %v\nRun nanoforge --help to list the parameters.\n", err)
		return 2
	}
	srv, err := server.New(server.Options{
		Args:    args,
		Console: stdin,
		Output:  stdout,
		NewHost: func(s scripthost.Server, log *slog.Logger) (scripthost.Host, error) {
			return newScriptHost(s, log)
		},
		Download: func(kind string, names []string) error {
			return download(kind, names, stdout, stderr)
		},
	})
	if err != nil {
		var pe *config.ParseError
		if errors.As(err, &pe) {
			fmt.Fprintf(stderr, "nanoforge: %v\n", err)
			if pe.Context != "" {
				fmt.Fprintln(stderr, pe.Context)
			}
			fmt.Fprintln(stderr, "The file was left as it is: fix it, or move it away to start with the default settings.")
		} else {
			fmt.Fprintf(stderr, "nanoforge: %v\n", err)
		}
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal the default handling comes back, so a second Ctrl+C ends a
		// shutdown that hangs.
		<-ctx.Done()
		stop()
	}()
	if err := srv.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "nanoforge: %v\n", err)
		return 1
	}
	return 0
}

// download runs the CLI's install for --auto_download: `install package|assets NAMES...` in
// the server folder, never prompting.
func download(kind string, names []string, stdout, stderr io.Writer) error {
	noTerminal := false
	args := append([]string{"install", kind}, names...)
	code := cli.Run(context.Background(), args, cli.Env{
		Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr,
		Terminal: &noTerminal, Version: server.Version,
	})
	if code != 0 {
		return fmt.Errorf("nanoforge --cli %s failed (exit status %d; see the lines above)", strings.Join(args, " "), code)
	}
	return nil
}
