package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/internal/cli"
	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/storeclient"
)

// The CLI refuses exactly the folders the Store would refuse, before sending anything.
func TestLocalChecksMatchTheStore(t *testing.T) {
	t.Parallel()
	token := account(t)
	c := client(t, token)
	unreachable := "http://" + mustFreeAddr(t)
	good := func(version string, reqs ...string) string {
		p, _ := manifest.NewPackage("placeholder", "T", "a", manifest.KindScript)
		p.Version, p.PackagesRequirements = version, reqs
		return string(p.Render())
	}
	cases := []struct {
		name  string
		files map[string]string
	}{
		{"good", map[string]string{"Package.toml": good("1.0.0"), "Server/Index.lua": "--"}},
		{"cache left out", map[string]string{"Package.toml": good("1.0.0"), ".cache/x": "junk", "Server/.cache/y": "junk"}},
		{"two-part version", map[string]string{"Package.toml": good("1.0")}},
		{"pre-release version", map[string]string{"Package.toml": good("1.0.0-beta.1")}},
		{"v prefix", map[string]string{"Package.toml": good("v1.0.0")}},
		{"bad requirement", map[string]string{"Package.toml": good("1.0.0", "Bad_Name")}},
		{"broken toml", map[string]string{"Package.toml": "[meta\ntitle = 1"}},
		{"no descriptor", map[string]string{"Server/Index.lua": "--"}},
		{"descriptor in a subfolder", map[string]string{"inner/Package.toml": good("1.0.0")}},
		{"git left out", map[string]string{"Package.toml": good("1.0.0"), ".git/HEAD": "ref: refs/heads/main\n", "Client/.git/config": "x"}},
		{"no version", map[string]string{"Package.toml": strings.Replace(good("1.0.0"), `"1.0.0"`, `""`, 1)}},
		{"huge version number", map[string]string{"Package.toml": good("1.0.99999999999999999999")}},
		{"leading zero", map[string]string{"Package.toml": good("1.02.0")}},
		{"self requirement", map[string]string{"Package.toml": good("1.0.0", "placeholder")}},
		{"unknown key", map[string]string{"Package.toml": good("1.0.0") + "\n[nonsense]\nx = 1\n"}},
		{"asset descriptor in a package", map[string]string{"Assets.toml": "[meta]\ntitle = \"x\"\nauthor = \"a\"\nversion = \"1.0.0\"\n"}},
		{"both descriptors", map[string]string{"Package.toml": good("1.0.0"), "Assets.toml": "[meta]\ntitle = \"x\"\nauthor = \"a\"\nversion = \"1.0.0\"\n"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			author := t.TempDir()
			name := fmt.Sprintf("parity-%d-%d", i, userSeq.Add(1))
			dir := filepath.Join(author, "Packages", name)
			writeFiles(t, dir, tc.files)

			// The CLI's verdict: with no Store reachable, only its own checks can refuse.
			r := runCLI(t, author, "upload", "package", name, "--token", token, "--store", unreachable, "--changelog", "x")
			cliAccepts := strings.Contains(r.stderr, "cannot reach the Store")
			if r.code == 0 {
				t.Fatalf("upload to an unreachable Store succeeded: %s", r)
			}

			// The Store's verdict on the same folder, zipped as the CLI zips it.
			var zip bytes.Buffer
			packed, err := cli.Pack(dir, &zip, cli.DefaultPackLimits)
			if err != nil {
				t.Fatal(err)
			}
			_, uerr := c.Upload(context.Background(), storeclient.UploadRequest{Kind: storeclient.Packages, Name: name,
				File: bytes.NewReader(zip.Bytes()), Size: packed.Size, Changelog: "x"})
			storeAccepts := uerr == nil
			t.Logf("CLI accepts %v, Store accepts %v", cliAccepts, storeAccepts)
			if strings.HasPrefix(tc.name, "good") || tc.name == "cache left out" {
				if !storeAccepts {
					t.Fatalf("the Store refused a valid package: %v", uerr)
				}
			}
			if cliAccepts != storeAccepts {
				t.Fatalf("the CLI accepts=%v but the Store accepts=%v\nCLI: %s\nStore: %v", cliAccepts, storeAccepts, r.stderr, uerr)
			}
		})
	}
}

func mustFreeAddr(t *testing.T) string {
	a, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAssetPackRoundTrip(t *testing.T) {
	t.Parallel()
	token := account(t)
	author, server := t.TempDir(), t.TempDir()
	name := uniq(t, "foliage")
	mustOK(t, runCLI(t, author, "add", "assets", name, "--title", "Foliage", "--author", "e2e"))
	writeFiles(t, filepath.Join(author, "Assets", name), map[string]string{"Content/Trees/T_Oak.uasset": randomString(4096)})
	mustOK(t, runCLI(t, author, "upload", "assets", name, "--token", token, "--changelog", "trees", "--publish"))
	mustOK(t, runCLI(t, server, "install", "assets", name))
	if v := installedVersion(t, server, storeclient.Assets, name); v != "0.1.0" {
		t.Fatalf("installed asset pack version %s", v)
	}
	a, _ := cli.HashTree(filepath.Join(author, "Assets", name))
	b, _ := cli.HashTree(filepath.Join(server, "Assets", name))
	if c := cli.Compare(a, b); !c.Empty() {
		t.Fatalf("installed asset pack differs from the uploaded folder: %s", c)
	}
	mustOK(t, runCLI(t, server, "uninstall", "assets", name))
	if _, err := os.Stat(filepath.Join(server, "Assets", name)); err == nil {
		t.Fatal("asset pack still there after uninstall")
	}
}
