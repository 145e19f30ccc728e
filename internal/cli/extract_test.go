package cli

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type zentry struct {
	name string
	body string
	mode fs.FileMode // 0 = regular file 0644
}

func buildZip(t testing.TB, entries []zentry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		} else {
			h.SetMode(0o644)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func extractBytes(t testing.TB, data []byte, lim Limits) (string, *Extracted, error) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", nil, err
	}
	dest := filepath.Join(t.TempDir(), "dest")
	if err := os.Mkdir(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	ex, err := extract(zr, "test.zip", int64(len(data)), dest, lim)
	return dest, ex, err
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestExtractWritesFilesAndHashes(t *testing.T) {
	data := buildZip(t, []zentry{
		{name: "Package.toml", body: "[meta]\n"},
		{name: "Server/", mode: fs.ModeDir | 0o755},
		{name: "Server/Index.lua", body: "print(1)\n"},
		{name: `Client\Index.lua`, body: "print(2)\n"}, // Windows separators
		{name: "Shared/deep/er/x.lua", body: ""},
	})
	dest, ex, err := extractBytes(t, data, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Package.toml": sum("[meta]\n"), "Server/Index.lua": sum("print(1)\n"),
		"Client/Index.lua": sum("print(2)\n"), "Shared/deep/er/x.lua": sum(""),
	}
	if len(ex.Files) != len(want) {
		t.Fatalf("files = %v", ex.Files)
	}
	for p, h := range want {
		if ex.Files[p] != h {
			t.Errorf("hash of %s = %s, want %s", p, ex.Files[p], h)
		}
	}
	got, err := HashTree(dest)
	if err != nil {
		t.Fatal(err)
	}
	if c := Compare(ex.Files, got); !c.Empty() {
		t.Fatalf("tree on disk differs from the reported hashes: %s", c)
	}
	if ex.Bytes != int64(len("[meta]\n")+len("print(1)\n")*2) {
		t.Errorf("bytes = %d", ex.Bytes)
	}
}

func TestExtractModes(t *testing.T) {
	data := buildZip(t, []zentry{
		{name: "bin/tool", body: "#!/bin/sh\n", mode: 0o4755 | fs.ModeSetuid},
		{name: "plain.txt", body: "x", mode: 0o666},
	})
	dest, _, err := extractBytes(t, data, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(filepath.Join(dest, "bin", "tool"))
	if st.Mode()&os.ModeSetuid != 0 || st.Mode().Perm()&0o100 == 0 || st.Mode().Perm()&0o022 != 0 {
		t.Errorf("executable mode = %v; want owner-executable, no set-uid, not group/world writable", st.Mode())
	}
	st, _ = os.Stat(filepath.Join(dest, "plain.txt"))
	if st.Mode().Perm()&0o133 != 0 {
		t.Errorf("plain file mode = %v; want at most 0644", st.Mode())
	}
}

func TestExtractRefusesHostileArchives(t *testing.T) {
	tests := []struct {
		name    string
		entries []zentry
		want    string
	}{
		{"absolute", []zentry{{name: "/etc/passwd", body: "x"}}, "absolute"},
		{"parent", []zentry{{name: "../evil", body: "x"}}, "relative path element"},
		{"nested parent", []zentry{{name: "a/../../evil", body: "x"}}, "relative path element"},
		{"backslash parent", []zentry{{name: `a\..\..\evil`, body: "x"}}, "relative path element"},
		{"dot", []zentry{{name: "./a", body: "x"}}, "relative path element"},
		{"drive", []zentry{{name: "C:/Windows/x", body: "x"}}, "drive letter"},
		{"double slash", []zentry{{name: "a//b", body: "x"}}, "empty path element"},
		{"nul", []zentry{{name: "a\x00b", body: "x"}}, "NUL"},
		{"symlink", []zentry{{name: "link", body: "/etc/passwd", mode: fs.ModeSymlink | 0o777}}, "symbolic link"},
		{"device", []zentry{{name: "dev", mode: fs.ModeDevice | 0o644}}, "special file"},
		{"case clash", []zentry{{name: "Index.lua", body: "1"}, {name: "index.lua", body: "2"}}, "letter case"},
		{"exact dup", []zentry{{name: "a.lua", body: "1"}, {name: "a.lua", body: "2"}}, "letter case"},
		{"file as folder", []zentry{{name: "a", body: "1"}, {name: "a/b", body: "2"}}, "which is a file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dest, _, err := extractBytes(t, buildZip(t, tt.entries), DefaultLimits)
			var xe *ExtractError
			if !errors.As(err, &xe) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v; want an ExtractError mentioning %q", err, tt.want)
			}
			// Names are checked before anything is written.
			if left, _ := os.ReadDir(dest); len(left) != 0 {
				t.Errorf("refused archive left %d entries in the destination", len(left))
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(dest), "evil")); err == nil {
				t.Error("a file escaped the destination")
			}
		})
	}
}

func TestExtractLimits(t *testing.T) {
	big := strings.Repeat("0", 1<<20)
	tests := []struct {
		name    string
		entries []zentry
		lim     Limits
		want    string
	}{
		{"files", []zentry{{name: "a", body: "1"}, {name: "b", body: "2"}, {name: "c", body: "3"}}, Limits{MaxFiles: 2, MaxFileBytes: 10, MaxTotalBytes: 10}, "entries"},
		{"one file", []zentry{{name: "a", body: big}}, Limits{MaxFiles: 10, MaxFileBytes: 1000, MaxTotalBytes: 1 << 30}, "per-file limit"},
		{"total", []zentry{{name: "a", body: big}, {name: "b", body: big}}, Limits{MaxFiles: 10, MaxFileBytes: 2 << 20, MaxTotalBytes: 3 << 19}, "the limit"},
		{"ratio", []zentry{{name: "a", body: big}, {name: "b", body: big}}, Limits{MaxFiles: 10, MaxFileBytes: 2 << 20, MaxTotalBytes: 1 << 30, MaxRatio: 50, RatioFloor: 1 << 20}, "zip bomb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := extractBytes(t, buildZip(t, tt.entries), tt.lim)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v; want one mentioning %q", err, tt.want)
			}
		})
	}
}

// A header that understates the size must not let more bytes through than the limit.
func TestExtractDoesNotTrustHeaderSizes(t *testing.T) {
	body := []byte(strings.Repeat("A", 4096))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "liar", Method: zip.Store, CRC32: crc32.ChecksumIEEE(body),
		CompressedSize64: uint64(len(body)), UncompressedSize64: 10}
	w, err := zw.CreateRaw(h)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body)
	zw.Close()
	dest, _, err := extractBytes(t, buf.Bytes(), Limits{MaxFiles: 10, MaxFileBytes: 100, MaxTotalBytes: 100})
	if err == nil {
		t.Fatal("an entry larger than its header and the limit was accepted")
	}
	if st, err := os.Stat(filepath.Join(dest, "liar")); err == nil && st.Size() > 101 {
		t.Fatalf("wrote %d bytes past a 100-byte limit", st.Size())
	}
}

func TestExtractRefusesCorruptData(t *testing.T) {
	data := buildZip(t, []zentry{{name: "a.txt", body: strings.Repeat("hello world ", 100)}})
	// Flip a byte in the compressed data (after the 30-byte local header and the name).
	data[30+len("a.txt")+5] ^= 0xff
	_, _, err := extractBytes(t, data, DefaultLimits)
	if err == nil {
		t.Fatal("corrupt archive accepted")
	}
}

func TestExtractStaysInsideThroughPlantedLinks(t *testing.T) {
	outside := t.TempDir()
	dest := filepath.Join(t.TempDir(), "dest")
	os.Mkdir(dest, 0o755)
	if err := os.Symlink(outside, filepath.Join(dest, "link")); err != nil {
		t.Skip("symlinks not available:", err)
	}
	data := buildZip(t, []zentry{{name: "link/pwned", body: "x"}})
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	_, err := extract(zr, "t.zip", int64(len(data)), dest, DefaultLimits)
	if err == nil {
		t.Fatal("write through a planted symlink succeeded")
	}
	if _, err := os.Stat(filepath.Join(outside, "pwned")); err == nil {
		t.Fatal("file written outside the destination")
	}
}

func TestExtractZipFileErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "not.zip")
	os.WriteFile(p, []byte("definitely not a zip"), 0o644)
	if _, err := ExtractZip(p, dir, DefaultLimits); err == nil || !strings.Contains(err.Error(), "not a readable zip") {
		t.Fatalf("error = %v", err)
	}
}

func TestCleanEntryName(t *testing.T) {
	tests := []struct {
		in    string
		out   string
		isDir bool
		ok    bool
	}{
		{"a", "a", false, true},
		{"a/b/c.lua", "a/b/c.lua", false, true},
		{"dir/", "dir", true, true},
		{`w\in\dows.txt`, "w/in/dows.txt", false, true},
		{"..a", "..a", false, true}, // a name starting with dots is still a plain name
		{"", "", false, false},
		{"/", "", false, false},
		{"a/./b", "", false, false},
		{"a/", "a", true, true},
		{"..", "", false, false},
		{"a:b", "", false, false},
	}
	for _, tt := range tests {
		out, isDir, err := cleanEntryName(tt.in)
		if (err == nil) != tt.ok || (tt.ok && (out != tt.out || isDir != tt.isDir)) {
			t.Errorf("cleanEntryName(%q) = %q, %v, %v; want %q, %v, ok=%v", tt.in, out, isDir, err, tt.out, tt.isDir, tt.ok)
		}
	}
}

func FuzzExtract(f *testing.F) {
	f.Add(buildZip(f, []zentry{{name: "Package.toml", body: "[meta]"}, {name: "Server/Index.lua", body: "x"}}))
	f.Add(buildZip(f, []zentry{{name: "../x", body: "x"}}))
	f.Add(buildZip(f, []zentry{{name: "l", body: "/", mode: fs.ModeSymlink | 0o777}}))
	f.Add(buildZip(f, []zentry{{name: "A", body: "1"}, {name: "a/", mode: fs.ModeDir | 0o755}}))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		base := t.TempDir()
		dest := filepath.Join(base, "dest")
		os.Mkdir(dest, 0o755)
		ex, err := extract(zr, "fuzz.zip", int64(len(data)), dest, Limits{MaxFiles: 50, MaxFileBytes: 1 << 16, MaxTotalBytes: 1 << 18, MaxRatio: 100, RatioFloor: 1 << 12})
		// Whatever happens, nothing may appear beside dest.
		entries, _ := os.ReadDir(base)
		if len(entries) != 1 || entries[0].Name() != "dest" {
			t.Fatalf("extraction wrote outside its destination: %v", entries)
		}
		if err == nil {
			if ex.Bytes > 1<<18 {
				t.Fatalf("wrote %d bytes past the limit", ex.Bytes)
			}
			filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.Type()&fs.ModeSymlink != 0 {
					t.Fatalf("extraction created a symlink %s", p)
				}
				return nil
			})
		}
	})
}
