package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for rel, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPackRoundTripsThroughExtract(t *testing.T) {
	src := t.TempDir()
	writeTree(t, src, map[string]string{
		"Package.toml":       "[meta]\nversion = \"1.0.0\"\n",
		"Server/Index.lua":   strings.Repeat("print('x')\n", 1000),
		"Client/image.png":   "\x89PNG not really",
		".cache/x":           "cache",
		"Shared/.cache":      "cache file",
		".git/HEAD":          "ref",
		"Shared/Index.lua":   "",
		"Client/empty/.keep": "",
	})
	var buf bytes.Buffer
	p, err := Pack(src, &buf, DefaultPackLimits)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(buf.Bytes())
	if p.Size != int64(buf.Len()) || p.SHA256 != hex.EncodeToString(h[:]) {
		t.Fatalf("Packed = %+v; size/hash do not describe the bytes written", p)
	}
	if strings.Join(p.Skipped, ",") != ".cache,.git,Shared/.cache" {
		t.Errorf("skipped = %v", p.Skipped)
	}
	zipPath := filepath.Join(t.TempDir(), "r.zip")
	os.WriteFile(zipPath, buf.Bytes(), 0o644)
	dest := filepath.Join(t.TempDir(), "out")
	os.Mkdir(dest, 0o755)
	ex, err := ExtractZip(zipPath, dest, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := HashTree(src)
	delete(want, "Shared/.cache")
	if c := Compare(want, ex.Files); !c.Empty() {
		t.Fatalf("unpacked archive differs from the folder: %s", c)
	}
	if _, err := os.Stat(filepath.Join(dest, "Client", "empty")); err != nil {
		t.Error("folders are not kept")
	}
}

func TestPackRefuses(t *testing.T) {
	t.Run("symlink", func(t *testing.T) {
		src := t.TempDir()
		writeTree(t, src, map[string]string{"Package.toml": "x"})
		if err := os.Symlink("/etc/passwd", filepath.Join(src, "leak")); err != nil {
			t.Skip(err)
		}
		if _, err := Pack(src, &bytes.Buffer{}, DefaultPackLimits); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Fatalf("error = %v", err)
		}
	})
	limits := []struct {
		name string
		lim  PackLimits
		want string
	}{
		{"files", PackLimits{MaxArchiveBytes: 1 << 30, MaxFiles: 2, MaxFileBytes: 1 << 30, MaxTotalBytes: 1 << 30}, "files and folders"},
		{"file size", PackLimits{MaxArchiveBytes: 1 << 30, MaxFiles: 100, MaxFileBytes: 10, MaxTotalBytes: 1 << 30}, "per file"},
		{"total", PackLimits{MaxArchiveBytes: 1 << 30, MaxFiles: 100, MaxFileBytes: 1 << 30, MaxTotalBytes: 30}, "limit"},
		{"archive", PackLimits{MaxArchiveBytes: 100, MaxFiles: 100, MaxFileBytes: 1 << 30, MaxTotalBytes: 1 << 30}, "upload limit"},
	}
	for _, tt := range limits {
		t.Run(tt.name, func(t *testing.T) {
			src := t.TempDir()
			writeTree(t, src, map[string]string{"Package.toml": strings.Repeat("a", 20), "b": strings.Repeat("b", 20), "c": "c"})
			if _, err := Pack(src, &bytes.Buffer{}, tt.lim); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v; want one mentioning %q", err, tt.want)
			}
		})
	}
}
