package store

import (
	"bytes"
	"context"
	"flag"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/store/blob"
	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/storetest"
)

// Two Store processes on one database and one blob store: upload through one, download and
// count through the other.
func TestTwoServersShareState(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cfg := Config{Listen: "127.0.0.1:0", Data: dir, Signup: true, RateLimit: 1000,
				Core: core.Config{Argon2: core.Argon2Params{Time: 1, Memory: 64, Threads: 1}}}
			cfg.Database = ""
			if b.DB == "postgres" {
				cfg.Database = storetest.DatabaseURL(t, "postgres", dir)
			}
			if b.Blob == "s3" {
				cfg.Blob = "s3://shared"
				cfg.S3 = blob.S3Options{Endpoint: storetest.S3Server(t), AccessKey: "k", SecretKey: "secretsecret", Region: "us-east-1"}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var addrs []string
			done := make(chan error, 2)
			for i := range 2 {
				c := cfg
				c.Core.TmpDir = t.TempDir()
				st, err := Open(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				ready := make(chan string, 1)
				go func() { done <- st.Serve(ctx, func(a string) { ready <- a }) }()
				select {
				case a := <-ready:
					addrs = append(addrs, "http://"+a)
				case err := <-done:
					t.Fatalf("server %d: %v", i, err)
				}
			}
			// Account and token through server 0's service, used on both.
			st0, _ := Open(ctx, cfg)
			defer st0.Close()
			u, err := st0.Service.CreateUser(ctx, "alice", "password-alice", false, false)
			if err != nil {
				t.Fatal(err)
			}
			tok, _, err := st0.Service.CreateToken(ctx, core.Actor{UserID: u.ID, Name: "alice", Scopes: core.ScopeAll}, "", "t", core.ScopeAll, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			upload := func(addr, version, extra string) (int, []byte) {
				var body bytes.Buffer
				mw := multipart.NewWriter(&body)
				mw.WriteField("changelog", "hi")
				mw.WriteField("publish", "true")
				fw, _ := mw.CreateFormFile("file", "release.zip")
				fw.Write(storetest.Zip(t, "Package.toml", storetest.PackageToml(version, nil, nil), "extra.txt", extra))
				mw.Close()
				req, _ := http.NewRequest("POST", addr+"/store/v1/packages/shared/releases", &body)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				req.Header.Set("Authorization", "Token "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return 0, nil
				}
				rb, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				return resp.StatusCode, rb
			}
			status, rb := upload(addrs[0], "1.0.0", "a")
			if status != 201 {
				t.Fatalf("upload via server 0: %d %s", status, rb)
			}
			// The same new version through both servers at once: exactly one wins.
			codes := make(chan int, 2)
			for i, addr := range addrs {
				go func() {
					c, _ := upload(addr, "2.0.0", string(rune('x'+i)))
					codes <- c
				}()
			}
			c1, c2 := <-codes, <-codes
			if !(c1 == 201 && c2 == 409 || c1 == 409 && c2 == 201) {
				t.Fatalf("concurrent uploads through two servers: %d and %d, want one 201 and one 409", c1, c2)
			}
			resp, err := http.Get(addrs[1] + "/api/v1/packages/shared/releases/1.0.0/download")
			if err != nil {
				t.Fatal(err)
			}
			zip, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.HasPrefix(zip, []byte("PK")) || !strings.Contains(string(rb), resp.Header.Get("X-Checksum-Sha256")) {
				t.Fatalf("download via server 1: %d", resp.StatusCode)
			}
			// Ranges work on both blob stores (S3 objects are seekable through ranged GETs).
			req, _ := http.NewRequest("GET", addrs[1]+"/api/v1/packages/shared/releases/1.0.0/download", nil)
			req.Header.Set("Range", "bytes=5-14")
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			part, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 206 || !bytes.Equal(part, zip[5:15]) {
				t.Fatalf("range via server 1: %d %q", resp.StatusCode, part)
			}
			resp, _ = http.Get(addrs[0] + "/api/v1/packages/shared")
			rb, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(rb), `"downloads":1`) {
				t.Fatalf("server 0 does not see the download counted by server 1: %s", rb)
			}
			cancel()
			for range 2 {
				if err := <-done; err != nil {
					t.Fatalf("graceful shutdown: %v", err)
				}
			}
		})
	}
}

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	run := func(stdin string, args ...string) int {
		out.Reset()
		errb.Reset()
		return Main(append(args, "--data", dir), strings.NewReader(stdin), &out, &errb)
	}
	if code := run("correct-horse\n", "admin", "create-user", "--name", "op", "--password-stdin", "--admin"); code != 0 {
		t.Fatalf("create-user: %d %s", code, errb.String())
	}
	if code := run("", "admin", "create-token", "--user", "op", "--label", "ci", "--expires", "3y"); code == 0 {
		t.Fatal("a three-year token was accepted")
	}
	if code := run("", "admin", "create-token", "--user", "op", "--label", "ci", "--expires", "30d", "--scopes", "read,publish"); code != 0 {
		t.Fatalf("create-token: %d %s", code, errb.String())
	}
	tok := strings.TrimSpace(out.String())
	if !strings.HasPrefix(tok, core.TokenPrefix) {
		t.Fatalf("token output %q", tok)
	}
	if code := run("", "admin", "list-users"); code != 0 || !strings.Contains(out.String(), "op") {
		t.Fatalf("list-users: %d %s", code, out.String())
	}
	if code := run("", "admin", "remove-user", "--name", "op"); code != 0 {
		t.Fatalf("remove-user: %d %s", code, errb.String())
	}
	if code := run("", "--signup", "maybe"); code != 2 {
		t.Fatalf("bad --signup accepted: %d", code)
	}
}

// TestCommandLineFlagPlacement checks that server flags work before "admin", between "admin"
// and the command, and after it, and that a stray word or misplaced flag is refused before any
// store is opened or served (a served store would block the test until its timeout).
func TestCommandLineFlagPlacement(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	run := func(stdin string, args ...string) int {
		out.Reset()
		errb.Reset()
		return Main(args, strings.NewReader(stdin), &out, &errb)
	}
	if code := run("password-one\n", "--data", dir, "admin", "create-user", "--name", "before", "--password-stdin"); code != 0 {
		t.Fatalf("flags before admin: exit %d, %s", code, errb.String())
	}
	if code := run("password-two\n", "admin", "--data="+dir, "create-user", "--name", "between", "--password-stdin"); code != 0 {
		t.Fatalf("flags between admin and the command: exit %d, %s", code, errb.String())
	}
	if code := run("password-three\n", "admin", "create-user", "--name", "after", "--password-stdin", "--data", dir); code != 0 {
		t.Fatalf("flags after the command: exit %d, %s", code, errb.String())
	}
	// A later --data wins over an earlier one: all three users landed in dir.
	other := t.TempDir()
	if code := run("", "--data", other, "admin", "list-users", "--data", dir); code != 0 {
		t.Fatalf("list-users: exit %d, %s", code, errb.String())
	}
	for _, u := range []string{"before", "between", "after"} {
		if !strings.Contains(out.String(), u) {
			t.Errorf("user %q missing from list-users in %s:\n%s", u, dir, out.String())
		}
	}
	if entries, _ := os.ReadDir(other); len(entries) != 0 {
		t.Errorf("the overridden --data folder %s was used: %v", other, entries)
	}

	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown word", []string{"--data", dir, "amdin", "create-user"}, `unknown command or argument "amdin"`},
		{"admin as a flag value", []string{"--data", "admin"}, "not serving"},
		{"admin-only flag before admin", []string{"--data", dir, "--name", "x", "admin", "create-user"}, "flag provided but not defined: -name"},
		{"unknown admin command", []string{"--data", dir, "admin", "create-usr"}, `unknown command "create-usr"`},
		{"no admin command", []string{"--data", dir, "admin"}, "usage: nanoforge-store"},
		{"stray argument after the command", []string{"admin", "list-users", "--data", dir, "extra"}, `unexpected argument "extra"`},
		{"unknown flag between admin and command", []string{"admin", "--bogus", "list-users"}, "flag provided but not defined: -bogus"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if code := run("", c.args...); code != 2 {
				t.Fatalf("Main(%q) = %d, want 2; stderr:\n%s", c.args, code, errb.String())
			}
			if !strings.Contains(errb.String(), c.want) || !strings.Contains(errb.String(), "usage") {
				t.Fatalf("Main(%q) stderr lacks %q and a usage line:\n%s", c.args, c.want, errb.String())
			}
		})
	}
	if _, err := os.Stat("admin"); err == nil {
		t.Error(`a folder "admin" was created from --data admin`)
	}
}

func TestFlagsReadEnvironment(t *testing.T) {
	t.Setenv("NANOFORGE_STORE_LISTEN", "127.0.0.1:9999")
	t.Setenv("NANOFORGE_STORE_SIGNUP", "off")
	t.Setenv("NANOFORGE_STORE_DATABASE", "postgres://example/db")
	t.Setenv("NANOFORGE_STORE_RATE_LIMIT", "42")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	final := bindFlags(fs)
	if err := fs.Parse([]string{"--public-url", "https://store.example.org"}); err != nil {
		t.Fatal(err)
	}
	c, err := final()
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9999" || c.Signup || c.Database != "postgres://example/db" || c.RateLimit != 42 || c.PublicURL != "https://store.example.org" {
		t.Fatalf("config from environment and flags: %+v", c)
	}
	// Flags win over the environment.
	fs = flag.NewFlagSet("t", flag.ContinueOnError)
	final = bindFlags(fs)
	fs.Parse([]string{"--signup", "on", "--listen", "127.0.0.1:1"})
	if c, _ := final(); !c.Signup || c.Listen != "127.0.0.1:1" {
		t.Fatalf("flags over environment: %+v", c)
	}
}

func TestLimitFlags(t *testing.T) {
	t.Setenv("NANOFORGE_STORE_MAX_UPLOAD", "64M")
	t.Setenv("NANOFORGE_STORE_MAX_RATIO", "50")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	final := bindFlags(fs)
	if err := fs.Parse([]string{"--max-unpacked", "2GiB", "--max-entry-size", "1048576", "--max-entries", "10"}); err != nil {
		t.Fatal(err)
	}
	c, err := final()
	if err != nil {
		t.Fatal(err)
	}
	z := c.Core.Zip
	if c.Core.MaxUploadSize != 64<<20 || z.MaxTotalSize != 2<<30 || z.MaxEntrySize != 1<<20 || z.MaxEntries != 10 || z.MaxRatio != 50 || c.RateLimit != 600 {
		t.Fatalf("limits: upload %d, %+v, rate %d", c.Core.MaxUploadSize, z, c.RateLimit)
	}
	// Malformed values are reported with the variable's or flag's name, never silently replaced.
	t.Setenv("NANOFORGE_STORE_MAX_UPLOAD", "lots")
	fs = flag.NewFlagSet("t", flag.ContinueOnError)
	final = bindFlags(fs)
	fs.Parse(nil)
	if _, err := final(); err == nil || !strings.Contains(err.Error(), "NANOFORGE_STORE_MAX_UPLOAD") {
		t.Fatalf("malformed environment value: %v", err)
	}
	t.Setenv("NANOFORGE_STORE_MAX_UPLOAD", "")
	fs = flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	bindFlags(fs)
	if err := fs.Parse([]string{"--max-ratio", "-3"}); err == nil || !strings.Contains(err.Error(), "max-ratio") {
		t.Fatalf("negative ratio: %v", err)
	}
	for _, c := range []struct {
		in   string
		size bool
		want int64
		ok   bool
	}{{"0", true, 0, true}, {"512", true, 512, true}, {"4k", true, 4096, true}, {"3 MB", true, 3 << 20, true}, {"1T", true, 1 << 40, true},
		{"1.5G", true, 0, false}, {"G", true, 0, false}, {"12M", false, 0, false}, {"-1", false, 0, false}, {"99999999999999999999", false, 0, false}} {
		n, err := parseNumber(c.in, c.size)
		if (err == nil) != c.ok || c.ok && n != c.want {
			t.Errorf("parseNumber(%q, %v) = %d, %v; want %d ok=%v", c.in, c.size, n, err, c.want, c.ok)
		}
	}
}
