// Package cli is `nanoforge --cli`: the command line that installs, updates, creates and
// uploads packages and asset packs against a Nanoforge Store, with nanos world's commands and
// prompts plus a few extensions (uninstall, list, search, info).
//
// Installs are reproducible: every resource the CLI puts in Packages/ or Assets/ is recorded
// in Packages/nanoforge.lock with its version, archive SHA-256 and per-file hashes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/nanoforge/nanoforge/storeclient"
)

// Env is what the CLI reads from and writes to. Zero fields take the process's own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Dir is the server folder (holding Config.toml, Packages/, Assets/); default the current folder.
	Dir string
	// Getenv reads environment variables; default os.Getenv.
	Getenv func(string) string
	// Terminal reports whether a person is at the keyboard (stdin and stdout are terminals);
	// default: checked on the process's stdin and stdout.
	Terminal *bool
	// HTTPClient is used for Store requests; default a client without a global timeout
	// (downloads of large asset packs take as long as they take; metadata calls carry their own).
	HTTPClient *http.Client
	// Version is the nanoforge version, sent in the User-Agent.
	Version string
}

// StoreURLEnv is the environment variable that sets the Store address.
const StoreURLEnv = "NANOFORGE_STORE_URL"

// TokenEnv is the environment variable that carries a Store token, for CI jobs where a
// command-line flag would show in process listings.
const TokenEnv = "NANOFORGE_TOKEN"

// session is one run of the CLI: one command, or an interactive loop of them.
type session struct {
	env         Env
	ctx         context.Context
	in          *input
	out, errw   io.Writer
	terminal    bool
	interactive bool
	base        Options
}

func (e *Env) defaults() {
	if e.Stdin == nil {
		e.Stdin = os.Stdin
	}
	if e.Stdout == nil {
		e.Stdout = os.Stdout
	}
	if e.Stderr == nil {
		e.Stderr = os.Stderr
	}
	if e.Getenv == nil {
		e.Getenv = os.Getenv
	}
	if e.Terminal == nil {
		t := isTerminal(e.Stdin) && isTerminal(e.Stdout)
		e.Terminal = &t
	}
	if e.HTTPClient == nil {
		e.HTTPClient = &http.Client{}
	}
	if e.Version == "" {
		e.Version = "dev"
	}
}

// isTerminal reports whether v is a terminal. A character device is not enough: /dev/null is
// one, and output sent there (cron jobs, services) must not get progress bars.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	return isTTY(f)
}

// Run runs `nanoforge --cli ARGS...` and returns the exit status: 0 on success, 1 when a
// command failed, 2 for a command line that cannot be understood. With no command it reads
// commands from stdin until `stop` or end of input.
func Run(ctx context.Context, args []string, env Env) int {
	env.defaults()
	s := &session{env: env, ctx: ctx, in: newInput(env.Stdin), out: env.Stdout, errw: env.Stderr, terminal: *env.Terminal}
	pos, opts, err := ParseArgs(args)
	if err != nil {
		s.errorf("%v", err)
		return 2
	}
	if len(pos) == 0 {
		s.base = opts
		return s.loop(ctx)
	}
	cmd, err := ParseCommand(args)
	if err != nil {
		s.errorf("%v", err)
		return 2
	}
	if err := s.exec(ctx, cmd); err != nil {
		s.reportError(err)
		var ue *UsageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

// loop is the interactive prompt.
func (s *session) loop(ctx context.Context) int {
	s.interactive = true
	s.infof("Starting Nanoforge CLI - Command Line Interface")
	s.infof("Type `help` for the list of commands, `stop` to quit.")
	status := 0
	for {
		fmt.Fprint(s.out, "nanoforge cli> ")
		line, err := s.in.readLine(ctx)
		if ctx.Err() != nil {
			fmt.Fprintln(s.out)
			return 1
		}
		if line == "" && err != nil {
			fmt.Fprintln(s.out)
			return status
		}
		words, perr := SplitLine(line)
		if perr != nil {
			s.errorf("%v", perr)
			continue
		}
		if len(words) == 0 {
			continue
		}
		cmd, perr := ParseCommand(words)
		if perr != nil {
			s.errorf("%v", perr)
			continue
		}
		if cmd.Name == "stop" {
			return status
		}
		if err := s.exec(ctx, cmd); err != nil {
			s.reportError(err)
			status = 1
		} else {
			status = 0
		}
		if ctx.Err() != nil {
			return 1
		}
	}
}

func (s *session) exec(ctx context.Context, cmd *Command) error {
	cmd.Opts.merge(&s.base)
	switch cmd.Name {
	case "help":
		fmt.Fprint(s.out, HelpText())
		return nil
	case "stop":
		return nil
	case "install":
		if len(cmd.Args) == 0 {
			return s.installFromLock(ctx, cmd)
		}
		return s.installNames(ctx, cmd, false)
	case "update":
		return s.update(ctx, cmd)
	case "uninstall":
		return s.uninstall(ctx, cmd)
	case "add":
		return s.add(cmd)
	case "upload":
		return s.upload(ctx, cmd)
	case "check":
		return s.check(ctx, cmd)
	case "list":
		return s.list(cmd)
	case "search":
		return s.search(ctx, cmd)
	case "info":
		return s.info(ctx, cmd)
	}
	return usagef("unknown command %q", cmd.Name)
}

// Output helpers: nanos world's CLI prefixes its lines with the level.
func (s *session) infof(format string, a ...any) {
	fmt.Fprintf(s.out, "INFO  "+format+"\n", a...)
}

func (s *session) warnf(format string, a ...any) {
	fmt.Fprintf(s.out, "WARN  "+format+"\n", a...)
}

func (s *session) errorf(format string, a ...any) {
	fmt.Fprintf(s.errw, "ERROR "+format+"\n", a...)
}

// reportError prints err as one line; Store problems already read as one sentence.
func (s *session) reportError(err error) {
	msg := err.Error()
	msg = strings.ReplaceAll(msg, "\n", " ")
	s.errorf("%s", msg)
}

// serverDir returns the server folder for a command.
func (s *session) serverDir(o *Options) (string, error) {
	dir := o.Dir
	if dir == "" {
		dir = s.env.Dir
	}
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return "", fmt.Errorf("finding the current folder: %w", err)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("server folder %q: %w", dir, err)
	}
	return abs, nil
}

// layout names the folders of a server.
type layout struct {
	root     string
	packages string
	assets   string
	lockPath string
}

func newLayout(root string) layout {
	return layout{
		root:     root,
		packages: filepath.Join(root, "Packages"),
		assets:   filepath.Join(root, "Assets"),
		lockPath: filepath.Join(root, "Packages", LockFileName),
	}
}

// folder is where a resource of kind lives.
func (l layout) folder(kind storeclient.Kind, name string) string {
	if kind == storeclient.Assets {
		return filepath.Join(l.assets, name)
	}
	return filepath.Join(l.packages, name)
}

func (l layout) parent(kind storeclient.Kind) string {
	if kind == storeclient.Assets {
		return l.assets
	}
	return l.packages
}

// openServer finds the server folder a command works in, creates it and its Config.toml
// when missing, and returns its layout.
func (s *session) openServer(o *Options) (layout, error) {
	root, err := s.serverDir(o)
	if err != nil {
		return layout{}, err
	}
	if _, err := s.openConfig(root); err != nil {
		return layout{}, err
	}
	return newLayout(root), nil
}

// readClient builds a Store client for commands that only read from the Store (a token, when
// one is configured, is still sent).
func (s *session) readClient(o *Options) (*storeclient.Client, error) {
	root, err := s.serverDir(o)
	if err != nil {
		return nil, err
	}
	return s.client(o, root, false)
}

// client builds the Store client for a command from flags, environment and Config.toml.
func (s *session) client(o *Options, root string, needToken bool) (*storeclient.Client, error) {
	return s.clientAt(s.storeAddr(o), o, root, needToken)
}

// storeAddr is the Store address a command names by --store or the environment, or "".
func (s *session) storeAddr(o *Options) string {
	if o.Store != "" {
		return o.Store
	}
	return s.env.Getenv(StoreURLEnv)
}

// clientAt builds the Store client for addr (the default Store when empty).
func (s *session) clientAt(addr string, o *Options, root string, needToken bool) (*storeclient.Client, error) {
	if addr == "" {
		addr = storeclient.DefaultURL
	}
	token := o.Token
	if token == "" {
		token = s.env.Getenv(TokenEnv)
	}
	if token == "" {
		t, err := configToken(root)
		if err != nil {
			return nil, err
		}
		token = t
	}
	if needToken && token == "" {
		return nil, errors.New("no Store token: create one on the Store (account → tokens) and pass it with --token, set NANOFORGE_TOKEN, or put it in Config.toml under [general] token")
	}
	return storeclient.New(addr, token,
		storeclient.WithHTTPClient(s.env.HTTPClient),
		storeclient.WithUserAgent("nanoforge-cli/"+s.env.Version))
}

// confirm asks a yes/no question. Without a person at the keyboard it answers def unless
// --yes was given, in which case it answers yes.
func (s *session) confirm(o *Options, question string, def bool) (bool, error) {
	if o.Yes {
		return true, nil
	}
	if !s.interactive && !s.terminal {
		return def, nil
	}
	hint := "[y/N]"
	if def {
		hint = "[Y/n]"
	}
	fmt.Fprintf(s.out, "%s %s ", question, hint)
	line, err := s.in.readLine(s.ctx)
	if s.ctx.Err() != nil {
		return false, s.ctx.Err()
	}
	if err != nil && line == "" {
		return false, fmt.Errorf("no answer to %q (end of input)", question)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "":
		return def, nil
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// prompt asks for a value with a default, nanos world style: `Question: (default) `.
func (s *session) prompt(question, def string) (string, error) {
	fmt.Fprintf(s.out, "%s: (%s) ", question, def)
	line, err := s.in.readLine(s.ctx)
	if s.ctx.Err() != nil {
		return "", s.ctx.Err()
	}
	if err != nil && line == "" {
		if errors.Is(err, io.EOF) {
			return def, nil
		}
		return "", err
	}
	if v := strings.TrimSpace(line); v != "" {
		return v, nil
	}
	return def, nil
}

// canAsk reports whether a question can be put to someone.
func (s *session) canAsk() bool { return s.interactive || s.terminal }
