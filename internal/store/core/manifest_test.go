package core

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/nanoforge/nanoforge/internal/store/storetest"
	"github.com/nanoforge/nanoforge/internal/store/zipcheck"
)

func TestParseManifest(t *testing.T) {
	cases := []struct {
		name, kind, toml string
		ok               bool
		category         string
	}{
		{"script", KindPackages, storetest.PackageToml("1.2.3", []string{"lib"}, []string{"pack"}), true, "script"},
		{"game-mode", KindPackages, "[meta]\ntitle = \"G\"\nversion = \"0.1.0\"\n[game_mode]\n", true, "game-mode"},
		{"assets", KindAssets, storetest.AssetsToml("2.0.0", nil), true, ""},
		{"prerelease refused", KindPackages, storetest.PackageToml("1.0.0-beta.1", nil, nil), false, ""},
		{"short version", KindPackages, storetest.PackageToml("1.0", nil, nil), false, ""},
		{"no type", KindPackages, "[meta]\nversion = \"1.0.0\"\n", false, ""},
		{"bad toml", KindPackages, "[meta\n", false, ""},
		{"bad requirement", KindPackages, storetest.PackageToml("1.0.0", []string{"Bad Name"}, nil), false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := ParseManifest(c.kind, []byte(c.toml))
			if (err == nil) != c.ok {
				t.Fatalf("ok=%v err=%v", c.ok, err)
			}
			if err != nil && StatusOf(err) != http.StatusUnprocessableEntity {
				t.Fatalf("status %d: %v", StatusOf(err), err)
			}
			if c.ok && m.Category != c.category {
				t.Fatalf("category %q, want %q", m.Category, c.category)
			}
		})
	}
}

func FuzzReadManifest(f *testing.F) {
	f.Add(storetest.PackageZip(f, "1.0.0", "dep"))
	f.Add(storetest.Zip(f, "Assets.toml", storetest.AssetsToml("1.0.0", []string{"x"})))
	f.Add(storetest.Zip(f, "Package.toml", "[meta]\nversion = 1\n[script]\npackages_requirements = 5\n"))
	f.Add(storetest.Zip(f, "Package.toml", "[package]\nname = \"old\"\nversion = \"1.0.0\"\ntype = \"script\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, m, err := ReadManifest(bytes.NewReader(data), int64(len(data)), zipcheck.Limits{MaxEntries: 100, MaxTotalSize: 1 << 22})
		if err != nil {
			if StatusOf(err) != http.StatusUnprocessableEntity {
				t.Fatalf("untrusted input must give a 422, got %d: %v", StatusOf(err), err)
			}
			return
		}
		if res == nil || m.Kind != res.Kind || m.Version == "" {
			t.Fatalf("accepted manifest without kind or version: %+v %+v", res, m)
		}
	})
}
