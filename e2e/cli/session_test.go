package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/internal/cli"
	"github.com/nanoforge/nanoforge/storeclient"
)

// runSession runs the CLI with the given stdin; terminal says whether a person is at it.
func runSession(t *testing.T, dir, stdin string, terminal bool, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	return cliRun(ctx, dir, stdin, terminal, func(k string) string {
		if k == cli.StoreURLEnv {
			return storeURL
		}
		return ""
	}, args...)
}

func TestInteractivePromptAsksBeforeDiscardingChanges(t *testing.T) {
	t.Parallel()
	token := account(t)
	author, server := t.TempDir(), t.TempDir()
	name := uniq(t, "menu")
	publish(t, author, token, release{kind: storeclient.Packages, name: name, version: "1.0.0"})
	publish(t, author, token, release{kind: storeclient.Packages, name: name, version: "1.1.0"})
	mustOK(t, runCLI(t, server, "install", "package", name+"@1.0.0"))
	edited := filepath.Join(server, "Packages", name, "Shared", "Index.lua")
	os.WriteFile(edited, []byte("-- tuned\n"), 0o644)

	// At the prompt: the first update is declined, the second accepted.
	r := runSession(t, server, "update package "+name+"\nn\nupdate package "+name+"\nyes\nlist\nstop\n", false)
	if r.code != 0 {
		t.Fatalf("session: %s", r)
	}
	if n := strings.Count(r.stdout, "Discard these local changes and continue installing? [y/N]"); n != 2 {
		t.Fatalf("asked %d times:\n%s", n, r)
	}
	if !strings.Contains(r.stderr, "stopped: nothing was changed") {
		t.Errorf("declining was not reported:\n%s", r)
	}
	if v := installedVersion(t, server, storeclient.Packages, name); v != "1.1.0" {
		t.Fatalf("accepted update left %s", v)
	}
	if !strings.Contains(r.stdout, name) || !strings.Contains(r.stdout, "from the Store") {
		t.Errorf("list at the prompt:\n%s", r.stdout)
	}

	// One command at a terminal asks too; with the answer "no" nothing changes.
	os.WriteFile(edited, []byte("-- tuned again\n"), 0o644)
	r = runSession(t, server, "n\n", true, "uninstall", "package", name)
	if r.code != 1 || !strings.Contains(r.stdout, "continue uninstalling?") {
		t.Fatalf("terminal one-shot: %s", r)
	}
	if _, err := os.Stat(edited); err != nil {
		t.Fatal("declined uninstall removed files")
	}
}

func TestTerminalShowsProgressBars(t *testing.T) {
	t.Parallel()
	token := account(t)
	author, server := t.TempDir(), t.TempDir()
	name := uniq(t, "bars")
	publish(t, author, token, release{kind: storeclient.Packages, name: name, version: "1.0.0", extra: map[string]string{"Client/big.txt": strings.Repeat("data ", 200000)}})
	r := runSession(t, server, "", true, "install", "package", name)
	if r.code != 0 {
		t.Fatalf("install at a terminal: %s", r)
	}
	// mpb draws the bar with the label and finishes it with "done".
	if !strings.Contains(r.stdout, "Downloading package "+name+" 1.0.0") || !strings.Contains(r.stdout, "done") {
		t.Fatalf("no progress bar:\n%q", r.stdout)
	}
	// Without a terminal: plain lines, no escape sequences.
	other := t.TempDir()
	r = mustOK(t, runCLI(t, other, "install", "package", name))
	if strings.Contains(r.stdout, "\x1b[") || !strings.Contains(r.stdout, "INFO  Downloading package "+name+" 1.0.0") {
		t.Fatalf("plain output:\n%q", r.stdout)
	}
}

func TestLockInstallVerifiesHashes(t *testing.T) {
	t.Parallel()
	token := account(t)
	author, server := t.TempDir(), t.TempDir()
	a, b := uniq(t, "maps"), uniq(t, "weapons")
	publish(t, author, token, release{kind: storeclient.Packages, name: a, version: "1.0.0"})
	publish(t, author, token, release{kind: storeclient.Packages, name: b, version: "2.0.0", packages: []string{a}})
	mustOK(t, runCLI(t, server, "install", "package", b))
	lock, _ := os.ReadFile(filepath.Join(server, "Packages", cli.LockFileName))

	// A rebuild through a proxy that corrupts downloads installs nothing.
	other := t.TempDir()
	os.MkdirAll(filepath.Join(other, "Packages"), 0o755)
	os.WriteFile(filepath.Join(other, "Packages", cli.LockFileName), lock, 0o644)
	proxy := corruptingProxy(t)
	r := runCLI(t, other, "install", "--store", proxy.URL)
	if r.code != 1 || !strings.Contains(r.stderr, "corrupt") {
		t.Fatalf("corrupt rebuild: %s", r)
	}
	for _, n := range []string{a, b} {
		if _, err := os.Stat(filepath.Join(other, "Packages", n)); err == nil {
			t.Errorf("%s installed from a corrupt download", n)
		}
	}
	noTempLeft(t, other)

	// A newer release on the Store does not change what the lock rebuilds.
	publish(t, author, token, release{kind: storeclient.Packages, name: a, version: "1.5.0"})
	mustOK(t, runCLI(t, other, "install"))
	if v := installedVersion(t, other, storeclient.Packages, a); v != "1.0.0" {
		t.Fatalf("lock rebuild installed %s", v)
	}
	assertMatchesLock(t, other)

	// A yanked release still rebuilds from the lock (it is pinned there).
	if err := client(t, token).Yank(context.Background(), storeclient.Packages, a, "1.0.0", "superseded"); err != nil {
		t.Fatal(err)
	}
	third := t.TempDir()
	os.MkdirAll(filepath.Join(third, "Packages"), 0o755)
	os.WriteFile(filepath.Join(third, "Packages", cli.LockFileName), lock, 0o644)
	mustOK(t, runCLI(t, third, "install"))
	if v := installedVersion(t, third, storeclient.Packages, a); v != "1.0.0" {
		t.Fatalf("yanked pinned release: %s", v)
	}

	// `update` with no names follows the requested package and its requirements.
	r = mustOK(t, runCLI(t, other, "update"))
	if v := installedVersion(t, other, storeclient.Packages, a); v != "1.5.0" {
		t.Fatalf("update with no names left %s at %s:\n%s", a, v, r)
	}
	// Naming a requirement makes it requested.
	mustOK(t, runCLI(t, other, "install", "package", a))
	if e := readLock(t, other).Find(storeclient.Packages, a); e == nil || !e.Requested {
		t.Fatalf("lock entry after naming it: %+v", e)
	}
}

func TestCheckListsLocalAndStoreResources(t *testing.T) {
	t.Parallel()
	token, author, server, name := installedPackage(t, "radio")
	local := uniq(t, "homebrew")
	mustOK(t, runCLI(t, server, "add", "package", local, "--yes"))
	assets := uniq(t, "textures")
	mustOK(t, runCLI(t, server, "add", "assets", assets, "--yes"))
	publish(t, author, token, release{kind: storeclient.Packages, name: name, version: "1.2.0"})

	r := mustOK(t, runCLI(t, server, "check"))
	lines := strings.Split(r.stdout, "\n")
	find := func(n string) string {
		for _, l := range lines {
			if strings.Contains(l, " "+n+" ") {
				return l
			}
		}
		return ""
	}
	if l := find(name); !strings.Contains(l, "1.0.0") || !strings.Contains(l, "1.2.0") || !strings.Contains(l, "update available") {
		t.Errorf("installed package line: %q", l)
	}
	if l := find(local); !strings.Contains(l, "0.1.0") || !strings.Contains(l, "not on the Store") {
		t.Errorf("local package line: %q", l)
	}
	if l := find(assets); !strings.HasPrefix(l, "assets") || !strings.Contains(l, "not on the Store") {
		t.Errorf("local asset pack line: %q", l)
	}
	// Deleted folders listed in the lock show as missing.
	os.RemoveAll(filepath.Join(server, "Packages", name))
	r = mustOK(t, runCLI(t, server, "list"))
	if !strings.Contains(r.stdout, "missing") {
		t.Errorf("list after deleting a folder:\n%s", r.stdout)
	}
	mustOK(t, runCLI(t, server, "install"))
	if v := installedVersion(t, server, storeclient.Packages, name); v != "1.0.0" {
		t.Errorf("install from the lock restored %s", v)
	}
}

func TestUploadChangelogSources(t *testing.T) {
	t.Parallel()
	token := account(t)
	author := t.TempDir()
	name := uniq(t, "notes")
	mustOK(t, runCLI(t, author, "add", "package", name, "--yes"))
	toml := filepath.Join(author, "Packages", name, "Package.toml")
	setVersion := func(v string) {
		data, _ := os.ReadFile(toml)
		os.WriteFile(toml, []byte(strings.Replace(string(data), `version =               "`+prevVersion(v)+`"`, `version =               "`+v+`"`, 1)), 0o644)
	}
	// From a file.
	notes := filepath.Join(t.TempDir(), "CHANGES.md")
	os.WriteFile(notes, []byte("## 0.1.0\n\n- first\n"), 0o644)
	mustOK(t, runCLI(t, author, "upload", "package", name, "--token", token, "--changelog-file", notes))
	// At the prompt, several lines ended by an empty one.
	setVersion("0.2.0")
	r := runSession(t, author, "upload package "+name+" --token "+token+"\nline one\nline two\n\nstop\n", false)
	if r.code != 0 || !strings.Contains(r.stdout, "Please enter the Changelog") {
		t.Fatalf("prompted changelog: %s", r)
	}
	// Both flags at once are refused.
	setVersion("0.3.0")
	if r := runCLI(t, author, "upload", "package", name, "--token", token, "--changelog", "x", "--changelog-file", notes); r.code != 2 {
		t.Fatalf("both changelog flags: %s", r)
	}
	res, err := client(t, token).Resource(context.Background(), storeclient.Packages, name)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, rel := range res.Releases {
		got[rel.Version] = rel.Changelog
	}
	if got["0.1.0"] != "## 0.1.0\n\n- first" || got["0.2.0"] != "line one\nline two" || len(got) != 2 {
		t.Fatalf("changelogs = %q", got)
	}
}

func prevVersion(v string) string {
	switch v {
	case "0.2.0":
		return "0.1.0"
	case "0.3.0":
		return "0.2.0"
	}
	return v
}
