package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/storeclient"
)

var hashA = strings.Repeat("a", 64)

func sampleLock() *Lock {
	return &Lock{Format: lockFormat, Store: "http://127.0.0.1:8080", Resources: []LockedRelease{
		{Kind: storeclient.Packages, Name: "zeta", Version: "1.0.0", SHA256: hashA, Size: 10, URL: "u", Requested: true,
			PackagesRequirements: []string{"alpha"}, InstalledAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			Files: map[string]string{"Package.toml": hashA}},
		{Kind: storeclient.Packages, Name: "alpha", Version: "2.0.0", SHA256: hashA, Size: 11, URL: "u2",
			InstalledAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Files: map[string]string{"Package.toml": hashA, "Server/Index.lua": hashA}},
		{Kind: storeclient.Assets, Name: "props", Version: "0.1.0", SHA256: hashA, Size: 12, URL: "u3",
			InstalledAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Files: map[string]string{"Assets.toml": hashA}},
	}}
}

func TestLockRoundTripAndOrder(t *testing.T) {
	l := sampleLock()
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseLock(data, "nanoforge.lock")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range back.Resources {
		names = append(names, string(r.Kind)+"/"+r.Name)
	}
	if got := strings.Join(names, " "); got != "assets/props packages/alpha packages/zeta" {
		t.Fatalf("order = %s; want asset packs first, then by name", got)
	}
	if !reflect.DeepEqual(back.Find(storeclient.Packages, "zeta"), l.Find(storeclient.Packages, "zeta")) {
		t.Fatalf("entry changed in the round trip:\n%+v\n%+v", back.Find(storeclient.Packages, "zeta"), l.Find(storeclient.Packages, "zeta"))
	}
	again, _ := back.Marshal()
	if string(again) != string(data) {
		t.Fatal("marshalling is not deterministic")
	}
}

func TestLockPutFindRemove(t *testing.T) {
	l := &Lock{}
	l.Put(LockedRelease{Kind: storeclient.Packages, Name: "a", Version: "1.0.0"})
	l.Put(LockedRelease{Kind: storeclient.Assets, Name: "a", Version: "3.0.0"})
	l.Put(LockedRelease{Kind: storeclient.Packages, Name: "a", Version: "2.0.0"})
	if len(l.Resources) != 2 || l.Find(storeclient.Packages, "a").Version != "2.0.0" || l.Find(storeclient.Assets, "a").Version != "3.0.0" {
		t.Fatalf("resources = %+v", l.Resources)
	}
	if !l.Remove(storeclient.Packages, "a") || l.Remove(storeclient.Packages, "a") || l.Find(storeclient.Packages, "a") != nil {
		t.Fatal("Remove did not remove exactly once")
	}
}

func TestParseLockErrors(t *testing.T) {
	good := `{"format":1,"resources":[{"kind":"packages","name":"x","version":"1.0.0","sha256":"` + hashA + `","size":1,"url":"u","requested":true,"installed_at":"2026-01-01T00:00:00Z","files":{}}]}`
	if _, err := ParseLock([]byte(good), "l"); err != nil {
		t.Fatalf("good lock refused: %v", err)
	}
	tests := []struct {
		name, data, want string
	}{
		{"syntax", "{\n\"format\": 1,\n,}", "line 3"},
		{"unknown key", `{"format":1,"resources":[],"extra":1}`, "unknown field"},
		{"future", `{"format":9,"resources":[]}`, "format 9"},
		{"no format", `{"resources":[]}`, "format 0"},
		{"kind", strings.Replace(good, `"packages"`, `"maps"`, 1), "kind"},
		{"traversal", strings.Replace(good, `"name":"x"`, `"name":"../x"`, 1), "not a valid folder name"},
		{"hidden", strings.Replace(good, `"name":"x"`, `"name":".data"`, 1), "not a valid folder name"},
		{"hash", strings.Replace(good, hashA, "abc", 1), "64 hex"},
		{"dup", strings.Replace(good, `]}`, `,`+good[strings.Index(good, "[")+1:strings.LastIndex(good, "]")]+`]}`, 1), "listed twice"},
		{"file path", strings.Replace(good, `"files":{}`, `"files":{"../x":"`+hashA+`"}`, 1), "file"},
		{"trailing", good + `{}`, "extra data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLock([]byte(tt.data), "Packages/nanoforge.lock")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "Packages/nanoforge.lock") {
				t.Fatalf("error = %v; want one naming the file and mentioning %q", err, tt.want)
			}
		})
	}
}

func TestLockWriteIsAtomicAndReadable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Packages", LockFileName)
	l, err := ReadLock(path)
	if err != nil || len(l.Resources) != 0 {
		t.Fatalf("missing lock = %+v, %v; want empty", l, err)
	}
	if err := sampleLock().Write(path); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left beside the lock: %v", entries)
	}
	back, err := ReadLock(path)
	if err != nil || len(back.Resources) != 3 {
		t.Fatalf("ReadLock = %+v, %v", back, err)
	}
}

func TestHashTreeAndCompare(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Package.toml", "a")
	write("Server/Index.lua", "b")
	write(".cache/thumb", "c")
	write("Server/.git/HEAD", "d")
	before, err := HashTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 2 || before["Package.toml"] != sum("a") || before["Server/Index.lua"] != sum("b") {
		t.Fatalf("HashTree = %v; want two files with .cache and .git left out", before)
	}
	write("Server/Index.lua", "changed")
	write("Client/Index.lua", "new")
	os.Remove(filepath.Join(dir, "Package.toml"))
	write(".cache/thumb", "other")
	after, _ := HashTree(dir)
	c := Compare(before, after)
	if !reflect.DeepEqual(c, Changes{Modified: []string{"Server/Index.lua"}, Added: []string{"Client/Index.lua"}, Removed: []string{"Package.toml"}}) {
		t.Fatalf("Compare = %+v", c)
	}
	if s := c.String(); !strings.Contains(s, "changed Server/Index.lua") || !strings.Contains(s, "added Client/Index.lua") || !strings.Contains(s, "deleted Package.toml") {
		t.Errorf("String = %q", s)
	}
	if !Compare(before, before).Empty() {
		t.Error("identical trees compare as changed")
	}
	many := Changes{Modified: []string{"a", "b", "c", "d", "e"}}
	if s := many.String(); !strings.Contains(s, "and 2 more") {
		t.Errorf("long list not shortened: %q", s)
	}
}

func FuzzParseLock(f *testing.F) {
	data, _ := sampleLock().Marshal()
	f.Add(data)
	f.Add([]byte(`{"format":1,"resources":null}`))
	f.Add([]byte(`{"format":1,"resources":[{"kind":"assets","name":"a","files":{"x":"y"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseLock(data, "fuzz.lock")
		if err != nil {
			return
		}
		// Whatever parses must name only folders inside Packages/ or Assets/.
		for _, r := range l.Resources {
			if !validFolderName(r.Name) {
				t.Fatalf("accepted name %q", r.Name)
			}
			for p := range r.Files {
				if _, _, err := cleanEntryName(p); err != nil {
					t.Fatalf("accepted file path %q", p)
				}
			}
		}
		if _, err := l.Marshal(); err != nil {
			t.Fatal(err)
		}
	})
}
