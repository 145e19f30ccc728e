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
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/web"
)

// usageText is printed for a word or flag the command line does not take.
const usageText = "usage: nanoforge-store [server flags]              serve the Store\n" +
	"       nanoforge-store [server flags] admin <command> [flags]\n" +
	"admin commands: create-user, create-token, list-users, remove-user\n" +
	"server flags (--data, --database, --blob, ...) go before or after `admin <command>`; see nanoforge-store -h"

// Main runs the nanoforge-store command line (args without the program name) and returns the
// process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("nanoforge-store", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, usageText)
		fs.PrintDefaults()
	}
	final := bindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if rest := fs.Args(); len(rest) > 0 {
		if rest[0] != "admin" {
			fmt.Fprintf(stderr, "nanoforge-store: unknown command or argument %q\n%s\n", rest[0], usageText)
			return 2
		}
		return admin(leadingFlags(args, rest), rest[1:], stdin, stdout, stderr)
	}
	// An operator command must never start a server by accident: "admin" as a flag's value
	// (nanoforge-store --data admin) is almost surely a mistyped command line.
	for _, a := range args {
		if a == "admin" {
			fmt.Fprintf(stderr, "nanoforge-store: \"admin\" was read as a flag's value, not as the command; not serving\n%s\n", usageText)
			return 2
		}
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
	var errs []error
	// number binds an integer flag with an environment default; sizes also take K, M, G, T
	// suffixes (powers of 1024: 512M, 4G). A malformed value is reported, never ignored.
	number := func(dst *int64, name, envName string, def int64, size bool, usage string) {
		*dst = def
		if v := os.Getenv(envName); v != "" {
			n, err := parseNumber(v, size)
			if err != nil {
				errs = append(errs, fmt.Errorf("environment variable %s: %w", envName, err))
			}
			*dst = n
		}
		fs.Func(name, fmt.Sprintf("%s (%s, default %s)", usage, envName, formatNumber(def, size)), func(v string) error {
			n, err := parseNumber(v, size)
			*dst = n
			return err
		})
	}
	var rate, entries int64
	number(&rate, "rate-limit", "NANOFORGE_STORE_RATE_LIMIT", 600, false, "API requests per client per minute, 0 for none")
	number(&c.Core.MaxUploadSize, "max-upload", "NANOFORGE_STORE_MAX_UPLOAD", 512<<20, true, "largest accepted zip")
	number(&c.Core.Zip.MaxTotalSize, "max-unpacked", "NANOFORGE_STORE_MAX_UNPACKED", 4<<30, true, "largest unpacked release")
	number(&c.Core.Zip.MaxEntrySize, "max-entry-size", "NANOFORGE_STORE_MAX_ENTRY_SIZE", 1<<30, true, "largest unpacked file in a release")
	number(&entries, "max-entries", "NANOFORGE_STORE_MAX_ENTRIES", 20000, false, "most entries (files and folders) in a release zip")
	number(&c.Core.Zip.MaxRatio, "max-ratio", "NANOFORGE_STORE_MAX_RATIO", 200, false, "unpacked/packed ratio above which an entry is refused as a zip bomb")
	return func() (Config, error) {
		on, err := parseOnOff(signup)
		c.Signup = on
		c.RateLimit, c.Core.Zip.MaxEntries = int(rate), int(entries)
		if err != nil {
			errs = append(errs, err)
		}
		return *c, errors.Join(errs...)
	}
}

// parseNumber reads a non-negative integer; with size, an optional K, M, G or T suffix
// (with or without "iB"/"B") multiplies by powers of 1024.
func parseNumber(v string, size bool) (int64, error) {
	s := strings.TrimSpace(v)
	mult := int64(1)
	if size {
		u := strings.ToUpper(s)
		u = strings.TrimSuffix(strings.TrimSuffix(u, "B"), "I")
		for i, suf := range []string{"K", "M", "G", "T"} {
			if strings.HasSuffix(u, suf) {
				mult = 1 << (10 * (i + 1))
				u = strings.TrimSuffix(u, suf)
				break
			}
		}
		s = strings.TrimSpace(u)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		if size {
			return 0, fmt.Errorf("%q is not a size: write bytes or a number with K, M, G or T (512M, 4G)", v)
		}
		return 0, fmt.Errorf("%q is not a whole number of 0 or more", v)
	}
	return n * mult, nil
}

func formatNumber(n int64, size bool) string {
	if size {
		for _, u := range []struct {
			s string
			m int64
		}{{"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}} {
			if n >= u.m && n%u.m == 0 {
				return strconv.FormatInt(n/u.m, 10) + u.s
			}
		}
	}
	return strconv.FormatInt(n, 10)
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

// leadingFlags returns the flags of args that came before rest (what flag parsing left), without
// a "--" terminator, so they can be parsed again together with a subcommand's own flags.
func leadingFlags(args, rest []string) []string {
	lead := args[:len(args)-len(rest)]
	if n := len(lead); n > 0 && lead[n-1] == "--" {
		lead = lead[:n-1]
	}
	return lead[:len(lead):len(lead)]
}

// admin runs an operator command. global holds the server flags given before "admin"; more may
// follow "admin" (before or after the command's name), and later ones win.
func admin(global, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	usage := "usage: nanoforge-store [server flags] admin create-user|create-token|list-users|remove-user [flags]\n" +
		"  create-user --name N --password-stdin [--admin]\n" +
		"  create-token --user N --label L --expires 30d [--scopes read,publish,manage]\n" +
		"  list-users\n  remove-user --name N"
	// Server flags may sit between "admin" and the command: skip them to find the command.
	pre := flag.NewFlagSet("nanoforge-store admin", flag.ContinueOnError)
	pre.SetOutput(stderr)
	bindFlags(pre)
	if err := pre.Parse(args); err != nil {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	rest := pre.Args()
	if len(rest) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	cmd := rest[0]
	switch cmd {
	case "create-user", "create-token", "list-users", "remove-user":
	default:
		fmt.Fprintf(stderr, "nanoforge-store admin: unknown command %q\n%s\n", cmd, usage)
		return 2
	}
	global = append(global, leadingFlags(args, rest)...)
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
	if err := fs.Parse(append(global, rest[1:]...)); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "nanoforge-store admin %s: unexpected argument %q (flags start with --)\n%s\n", cmd, fs.Arg(0), usage)
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
	}
	return 0
}
