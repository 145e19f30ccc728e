package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/storeclient"
)

func TestRecoverLeftoversOfAnInterruptedInstall(t *testing.T) {
	root := t.TempDir()
	lay := newLayout(root)
	oldFiles := map[string]string{"Package.toml": "[meta]\nversion = \"1.0.0\"\n", "Server/Index.lua": "-- 1.0.0\n"}
	newFiles := map[string]string{"Package.toml": "[meta]\nversion = \"2.0.0\"\n", "Server/Index.lua": "-- 2.0.0\n"}
	entry := func(name string) LockedRelease {
		dir := filepath.Join(t.TempDir(), name)
		writeTree(t, dir, oldFiles)
		files, _ := HashTree(dir)
		return LockedRelease{Kind: storeclient.Packages, Name: name, Version: "1.0.0", SHA256: strings.Repeat("a", 64), Files: files}
	}
	lock := &Lock{}
	for _, n := range []string{"moved-aside", "swapped-unrecorded", "finished"} {
		lock.Put(entry(n))
	}
	pk := lay.packages
	// Killed after moving the old version aside, before moving the new one in.
	writeTree(t, filepath.Join(pk, ".nanoforge-old-moved-aside-1700000000000000000"), oldFiles)
	// Killed after moving the new version in, before writing the lock file.
	writeTree(t, filepath.Join(pk, "swapped-unrecorded"), newFiles)
	writeTree(t, filepath.Join(pk, ".nanoforge-old-swapped-unrecorded-1700000000000000001"), oldFiles)
	// Killed while deleting the recorded old copy: the installed folder matches the lock.
	writeTree(t, filepath.Join(pk, "finished"), oldFiles)
	writeTree(t, filepath.Join(pk, ".nanoforge-old-finished-1700000000000000002"), map[string]string{"Package.toml": "partial"})
	// Killed while unpacking, downloading or uninstalling.
	writeTree(t, filepath.Join(pk, ".nanoforge-new-x-123"), map[string]string{"a": "b"})
	writeTree(t, filepath.Join(pk, ".nanoforge-trash-gone-1"), oldFiles)
	os.WriteFile(filepath.Join(pk, ".nanoforge-download-x-1.zip"), []byte("zip"), 0o644)
	// Not ours: untouched.
	writeTree(t, filepath.Join(pk, ".data"), map[string]string{"x.toml": "a = 1\n"})

	var out bytes.Buffer
	s := &session{out: &out}
	s.recoverLeftovers(lay, lock)

	for _, n := range []string{"moved-aside", "swapped-unrecorded", "finished"} {
		got, err := HashTree(filepath.Join(pk, n))
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if c := Compare(lock.Find(storeclient.Packages, n).Files, got); !c.Empty() {
			t.Errorf("%s does not match the lock after recovery: %s", n, c)
		}
	}
	entries, _ := os.ReadDir(pk)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != ".data finished moved-aside swapped-unrecorded" {
		t.Fatalf("Packages/ after recovery: %s", got)
	}
	if !strings.Contains(out.String(), "Restored Packages/moved-aside") || !strings.Contains(out.String(), "Restored package swapped-unrecorded 1.0.0") {
		t.Errorf("recovery not reported:\n%s", out.String())
	}
}
