package store

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/web"
)

// Main runs the nanoforge-store command line (args without the program name) and returns the
// process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "admin" {
		return admin(args[1:], stdin, stdout, stderr)
	}
	fs := flag.NewFlagSet("nanoforge-store", flag.ContinueOnError)
	fs.SetOutput(stderr)
	final := bindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := final()
	if err != nil {
		fmt.Fprintln(stderr, "nanoforge-store:", err)
		return 2
	}
	cfg.NewWeb = func(svc *core.Service, secure bool) http.Handler {
		return web.New(svc, web.Options{SecureCookies: secure, Logger: cfg.Logger})
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := Open(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "nanoforge-store:", err)
		return 1
	}
	defer st.Close()
	if err := st.Serve(ctx, nil); err != nil {
		fmt.Fprintln(stderr, "nanoforge-store:", err)
		return 1
	}
	return 0
}

// env returns the environment variable's value or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// bindFlags declares the server flags; each defaults to its NANOFORGE_STORE_* variable. The
// returned function gives the configuration once the flags are parsed.
func bindFlags(fs *flag.FlagSet) func() (Config, error) {
	c := &Config{}
	fs.StringVar(&c.Listen, "listen", env("NANOFORGE_STORE_LISTEN", "127.0.0.1:8080"), "address to serve on (NANOFORGE_STORE_LISTEN)")
	fs.StringVar(&c.Data, "data", env("NANOFORGE_STORE_DATA", "store-data"), "data folder for SQLite, blobs and temporary files (NANOFORGE_STORE_DATA)")
	fs.StringVar(&c.Database, "database", env("NANOFORGE_STORE_DATABASE", ""), "postgres:// URL; empty uses SQLite in the data folder (NANOFORGE_STORE_DATABASE)")
	fs.StringVar(&c.Blob, "blob", env("NANOFORGE_STORE_BLOB", ""), "blob store: a folder or s3://bucket[/prefix]; default <data>/blobs (NANOFORGE_STORE_BLOB)")
	fs.StringVar(&c.S3.Endpoint, "s3-endpoint", env("NANOFORGE_STORE_S3_ENDPOINT", ""), "S3 endpoint URL, default AWS_ENDPOINT_URL (NANOFORGE_STORE_S3_ENDPOINT)")
	fs.StringVar(&c.S3.AccessKey, "s3-access-key", env("NANOFORGE_STORE_S3_ACCESS_KEY", ""), "S3 access key, default AWS_ACCESS_KEY_ID (NANOFORGE_STORE_S3_ACCESS_KEY)")
	fs.StringVar(&c.S3.SecretKey, "s3-secret-key", env("NANOFORGE_STORE_S3_SECRET_KEY", ""), "S3 secret key, default AWS_SECRET_ACCESS_KEY (NANOFORGE_STORE_S3_SECRET_KEY)")
	fs.StringVar(&c.S3.Region, "s3-region", env("NANOFORGE_STORE_S3_REGION", ""), "S3 region, default AWS_REGION (NANOFORGE_STORE_S3_REGION)")
	fs.StringVar(&c.PublicURL, "public-url", env("NANOFORGE_STORE_PUBLIC_URL", ""), "external URL (https://… marks cookies Secure) (NANOFORGE_STORE_PUBLIC_URL)")
	signup := env("NANOFORGE_STORE_SIGNUP", "on")
	fs.Func("signup", "on or off: whether anyone may create an account (NANOFORGE_STORE_SIGNUP, default on)", func(s string) error {
		signup = s
		return nil
	})
	fs.IntVar(&c.RateLimit, "rate-limit", atoiEnv("NANOFORGE_STORE_RATE_LIMIT", 600), "API requests per client per minute, 0 for none (NANOFORGE_STORE_RATE_LIMIT)")
	fs.Int64Var(&c.Core.MaxUploadSize, "max-upload", int64(atoiEnv("NANOFORGE_STORE_MAX_UPLOAD", 512<<20)), "largest accepted zip in bytes (NANOFORGE_STORE_MAX_UPLOAD)")
	fs.Int64Var(&c.Core.Zip.MaxTotalSize, "max-unpacked", int64(atoiEnv("NANOFORGE_STORE_MAX_UNPACKED", 4<<30)), "largest unpacked release in bytes (NANOFORGE_STORE_MAX_UNPACKED)")
	fs.IntVar(&c.Core.Zip.MaxEntries, "max-entries", atoiEnv("NANOFORGE_STORE_MAX_ENTRIES", 20000), "most entries in a release zip (NANOFORGE_STORE_MAX_ENTRIES)")
	return func() (Config, error) {
		on, err := parseOnOff(signup)
		c.Signup = on
		return *c, err
	}
}

func atoiEnv(name string, def int) int {
	var n int
	if v := os.Getenv(name); v != "" {
		if _, err := fmt.Sscan(v, &n); err == nil {
			return n
		}
	}
	return def
}

func parseOnOff(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "1", "yes":
		return true, nil
	case "off", "false", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("--signup takes on or off, not %q", s)
}

func admin(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	usage := "usage: nanoforge-store admin create-user|create-token|list-users|remove-user [flags]\n" +
		"  create-user --name N --password-stdin [--admin]\n" +
		"  create-token --user N --label L --expires 30d [--scopes read,publish,manage]\n" +
		"  list-users\n  remove-user --name N"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	cmd := args[0]
	fs := flag.NewFlagSet("nanoforge-store admin "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	final := bindFlags(fs)
	name := fs.String("name", "", "user name")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	isAdmin := fs.Bool("admin", false, "make the user a Store operator")
	user := fs.String("user", "", "user the token is for")
	label := fs.String("label", "", "token label")
	expires := fs.String("expires", "", "token lifetime like 30d, 12h or 1y (at most 2y)")
	scopes := fs.String("scopes", "read,publish,manage", "token scopes")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	cfg, err := final()
	if err != nil {
		fmt.Fprintln(stderr, "nanoforge-store:", err)
		return 2
	}
	ctx := context.Background()
	st, err := Open(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "nanoforge-store:", err)
		return 1
	}
	defer st.Close()
	svc := st.Service
	op := core.Actor{UserID: -1, Name: "operator", Operator: true, Scopes: core.ScopeAll}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "nanoforge-store admin "+cmd+":", err)
		return 1
	}
	switch cmd {
	case "create-user":
		if *name == "" || !*pwStdin {
			return fail(errors.New("give --name and --password-stdin (the password is read from standard input so it stays out of shell history)"))
		}
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fail(fmt.Errorf("read the password from standard input: %w", err))
		}
		u, err := svc.CreateUser(ctx, *name, strings.TrimRight(line, "\r\n"), *isAdmin, false)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "created user %s (operator: %v) with personal team %s\n", u.Name, u.Operator, u.Name)
	case "create-token":
		if *user == "" || *label == "" || *expires == "" {
			return fail(errors.New("give --user, --label and --expires (e.g. --expires 90d)"))
		}
		life, err := core.ParseLifetime(*expires)
		if err != nil {
			return fail(err)
		}
		sc, err := core.ParseScopes(strings.Split(*scopes, ","))
		if err != nil {
			return fail(err)
		}
		secret, t, err := svc.CreateToken(ctx, op, *user, *label, sc, life)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stderr, "token %q for %s, scopes %s, expires %s; it is shown only once:\n", t.Label, *user, strings.Join(t.Scopes, ","), t.ExpiresAt.Format("2006-01-02"))
		fmt.Fprintln(stdout, secret)
	case "list-users":
		us, err := svc.ListUsers(ctx, op)
		if err != nil {
			return fail(err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tOPERATOR\tCREATED")
		for _, u := range us {
			fmt.Fprintf(tw, "%s\t%v\t%s\n", u.Name, u.Operator, u.CreatedAt.Format("2006-01-02 15:04"))
		}
		tw.Flush()
	case "remove-user":
		if *name == "" {
			return fail(errors.New("give --name"))
		}
		if err := svc.RemoveUser(ctx, op, *name); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "removed user %s\n", *name)
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	return 0
}
