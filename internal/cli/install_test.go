package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/storeclient"
)

// fakeStore answers resolve with whatever releases the test sets and serves their archives:
// a Store gone wrong (or hostile), which the real one never is, to test what the CLI does
// with archives that pass the hash check but must not be installed.
type fakeStore struct {
	mu    sync.Mutex
	srv   *httptest.Server
	items []storeclient.ResolvedItem
	zips  map[string][]byte
}

func newFakeStore(t *testing.T) *fakeStore {
	f := &fakeStore{zips: map[string][]byte{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		switch {
		case r.URL.Path == "/api/v1/resolve":
			json.NewEncoder(w).Encode(map[string]any{"items": f.items})
		case strings.HasPrefix(r.URL.Path, "/dl/"):
			w.Write(f.zips[strings.TrimPrefix(r.URL.Path, "/dl/")])
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// set makes resolve return these releases, in order, with their archives.
func (f *fakeStore) set(t *testing.T, rels ...fakeRelease) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = nil
	for i, r := range rels {
		data := buildZip(t, r.entries)
		key := r.name + "-" + r.version
		f.zips[key] = data
		sum := sha256.Sum256(data)
		f.items = append(f.items, storeclient.ResolvedItem{
			Kind: storeclient.Packages, Name: r.name, Version: r.version, Channel: "stable",
			SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), DownloadURL: f.srv.URL + "/dl/" + key,
			Requested: i == len(rels)-1,
		})
	}
}

type fakeRelease struct {
	name, version string
	entries       []zentry
}

func goodPackage(t *testing.T, version string) []zentry {
	p, err := manifest.NewPackage("x", "X", "me", manifest.KindScript)
	if err != nil {
		t.Fatal(err)
	}
	p.Version = version
	return []zentry{{name: "Package.toml", body: string(p.Render())}, {name: "Server/Index.lua", body: "-- " + version + "\n"}}
}

func TestInstallRefusesBadArchivesAndKeepsTheOldVersion(t *testing.T) {
	store := newFakeStore(t)
	dir := t.TempDir()
	run := func(args ...string) runResult {
		return runCLI(t, dir, "", append(args, "--store", store.srv.URL)...)
	}
	store.set(t, fakeRelease{"pkg", "1.0.0", goodPackage(t, "1.0.0")})
	if r := run("install", "package", "pkg"); r.code != 0 {
		t.Fatalf("good install: %s %s", r.stdout, r.stderr)
	}
	lockPath := filepath.Join(dir, "Packages", LockFileName)
	lockBefore, _ := os.ReadFile(lockPath)
	treeBefore, _ := HashTree(filepath.Join(dir, "Packages", "pkg"))

	tests := []struct {
		name    string
		entries []zentry
		want    string
	}{
		{"traversal", append(goodPackage(t, "2.0.0"), zentry{name: "../../escaped.lua", body: "x"}), "relative path element"},
		{"symlink", append(goodPackage(t, "2.0.0"), zentry{name: "Server/link", body: "/etc/passwd", mode: os.ModeSymlink | 0o777}), "symbolic link"},
		{"no descriptor", []zentry{{name: "Server/Index.lua", body: "x"}}, "no Package.toml at its root"},
		{"nested descriptor", []zentry{{name: "pkg/Package.toml", body: "[meta]\n"}}, "no Package.toml at its root"},
		{"wrong version", goodPackage(t, "9.9.9"), `says version "9.9.9"`},
		{"broken descriptor", []zentry{{name: "Package.toml", body: "[meta\n"}}, "Package.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store.set(t, fakeRelease{"pkg", "2.0.0", tt.entries})
			r := run("update", "package", "pkg")
			if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want a refusal mentioning %q", r.code, r.stderr, tt.want)
			}
			treeAfter, _ := HashTree(filepath.Join(dir, "Packages", "pkg"))
			if c := Compare(treeBefore, treeAfter); !c.Empty() {
				t.Fatalf("installed files changed: %s", c)
			}
			if lockAfter, _ := os.ReadFile(lockPath); string(lockAfter) != string(lockBefore) {
				t.Fatal("lock file changed")
			}
			entries, _ := os.ReadDir(filepath.Join(dir, "Packages"))
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".nanoforge-new") || strings.HasPrefix(e.Name(), ".nanoforge-old") || strings.HasPrefix(e.Name(), ".nanoforge-download") {
					t.Errorf("left behind: %s", e.Name())
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "escaped.lua")); err == nil {
				t.Fatal("a file escaped the server folder")
			}
		})
	}

	// Several resources: each is atomic on its own, and the message says what happened.
	store.set(t,
		fakeRelease{"first", "1.0.0", goodPackage(t, "1.0.0")},
		fakeRelease{"second", "1.0.0", []zentry{{name: "Server/Index.lua", body: "x"}}},
		fakeRelease{"third", "1.0.0", goodPackage(t, "1.0.0")},
	)
	r := run("install", "package", "third")
	if r.code != 1 || !strings.Contains(r.stderr, "already installed: first") || !strings.Contains(r.stderr, "not installed: third") {
		t.Fatalf("partial install: %s", r.stderr)
	}
	l, _ := ReadLock(lockPath)
	if l.Find(storeclient.Packages, "first") == nil || l.Find(storeclient.Packages, "second") != nil || l.Find(storeclient.Packages, "third") != nil {
		t.Fatalf("lock after a partial install: %+v", l.Resources)
	}
}

func TestInstallRefusesUnsafeAnswersFromTheStore(t *testing.T) {
	store := newFakeStore(t)
	dir := t.TempDir()
	store.set(t, fakeRelease{"pkg", "1.0.0", goodPackage(t, "1.0.0")})
	store.mu.Lock()
	store.items[0].Name = "../../outside"
	store.mu.Unlock()
	if r := runCLI(t, dir, "", "install", "package", "pkg", "--store", store.srv.URL); r.code != 1 || !strings.Contains(r.stderr, "invalid name") {
		t.Fatalf("hostile name: %d %q", r.code, r.stderr)
	}
	store.set(t, fakeRelease{"pkg", "1.0.0", goodPackage(t, "1.0.0")})
	store.mu.Lock()
	store.items[0].SHA256 = ""
	store.mu.Unlock()
	if r := runCLI(t, dir, "", "install", "package", "pkg", "--store", store.srv.URL); r.code != 1 || !strings.Contains(r.stderr, "no SHA-256") {
		t.Fatalf("missing hash: %d %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "Packages", "pkg")); err == nil {
		t.Fatal("installed despite the refusal")
	}
}
