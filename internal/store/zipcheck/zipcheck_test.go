package zipcheck

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"testing"
)

type entry struct {
	name   string
	body   []byte
	mode   fs.FileMode
	method uint16
}

func build(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.method != 0 || e.mode != 0 {
			h.Method = e.method
		}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		f, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(e.body)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var manifest = entry{name: "Package.toml", body: []byte("[meta]\nversion = \"1.0.0\"\n[script]\n")}

func check(data []byte, lim Limits) (*Result, error) {
	return Check(bytes.NewReader(data), int64(len(data)), lim)
}

func TestHostileZips(t *testing.T) {
	big := bytes.Repeat([]byte{0}, 2<<20) // 2 MiB of zeros deflates ~1000:1
	many := []entry{manifest}
	for i := range 30 {
		many = append(many, entry{name: "f" + string(rune('a'+i%26)) + string(rune('a'+i/26)), body: []byte("x")})
	}
	valid := build(t, manifest, entry{name: "Server/Index.lua", body: []byte("print(1)")})
	cases := []struct {
		name  string
		data  []byte
		lim   Limits
		code  string
		entry string
	}{
		{"traversal", build(t, manifest, entry{name: "../evil.lua", body: []byte("x")}), Limits{}, CodeBadPath, "../evil.lua"},
		{"nested traversal", build(t, manifest, entry{name: "Server/../../evil", body: []byte("x")}), Limits{}, CodeBadPath, "Server/../../evil"},
		{"absolute", build(t, manifest, entry{name: "/etc/passwd", body: []byte("x")}), Limits{}, CodeBadPath, "/etc/passwd"},
		{"drive letter", build(t, manifest, entry{name: "C:/win.ini", body: []byte("x")}), Limits{}, CodeBadPath, "C:/win.ini"},
		{"backslash", build(t, manifest, entry{name: `Server\..\x`, body: []byte("x")}), Limits{}, CodeBadPath, `Server\..\x`},
		{"symlink", build(t, manifest, entry{name: "link", body: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}), Limits{}, CodeSymlink, "link"},
		{"case collision", build(t, manifest, entry{name: "Server/Index.lua", body: []byte("a")}, entry{name: "server/index.lua", body: []byte("b")}), Limits{}, CodeCollision, "server/index.lua"},
		{"duplicate", build(t, manifest, entry{name: "a", body: []byte("a")}, entry{name: "a", body: []byte("b")}), Limits{}, CodeCollision, "a"},
		{"too many entries", build(t, many...), Limits{MaxEntries: 10}, CodeTooManyEntries, ""},
		{"entry too large", build(t, manifest, entry{name: "big.bin", body: bytes.Repeat([]byte("ab"), 5000)}), Limits{MaxEntrySize: 1000}, CodeEntryTooLarge, "big.bin"},
		{"total too large", build(t, manifest, entry{name: "a", body: make([]byte, 600)}, entry{name: "b", body: make([]byte, 600)}), Limits{MaxTotalSize: 1000}, CodeTotalTooLarge, "b"},
		{"zip bomb", build(t, manifest, entry{name: "bomb.bin", body: big}), Limits{}, CodeZipBomb, "bomb.bin"},
		{"prepended data", append([]byte("MZ-self-extractor-stub-"), valid...), Limits{}, CodePrepended, ""},
		{"not a zip", []byte("hello world, not a zip at all"), Limits{}, CodeNotZip, ""},
		{"empty file", []byte{}, Limits{}, CodeNotZip, ""},
		{"no manifest", build(t, entry{name: "README.md", body: []byte("hi")}), Limits{}, CodeNoManifest, ""},
		{"manifest in a folder", build(t, entry{name: "mypkg/Package.toml", body: manifest.body}), Limits{}, CodeManifestNested, "mypkg/Package.toml"},
		{"two manifests", build(t, manifest, entry{name: "Assets.toml", body: []byte("[meta]\n")}), Limits{}, CodeTwoManifests, "Assets.toml"},
		{"manifest too large", build(t, entry{name: "Package.toml", body: make([]byte, 3000)}), Limits{MaxManifestSize: 1000}, CodeManifestSize, "Package.toml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := check(c.data, c.lim)
			var ze *Error
			if !errors.As(err, &ze) {
				t.Fatalf("want a *zipcheck.Error %s, got %v", c.code, err)
			}
			if ze.Code != c.code || ze.Entry != c.entry {
				t.Fatalf("got code %q entry %q (%v), want %q %q", ze.Code, ze.Entry, ze, c.code, c.entry)
			}
			if c.entry != "" && !strings.Contains(ze.Error(), strconv.Quote(c.entry)) {
				t.Fatalf("message does not name the entry: %v", ze)
			}
		})
	}
}

// A header that understates the real size is caught by decompressing.
func TestLyingHeader(t *testing.T) {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	w.CreateHeader(&zip.FileHeader{Name: "Package.toml", Method: zip.Store})
	// Write a raw deflate stream whose header claims 10 bytes but which inflates to 1 MiB.
	var comp bytes.Buffer
	cw := zip.NewWriter(&comp)
	f, _ := cw.CreateHeader(&zip.FileHeader{Name: "x", Method: zip.Deflate})
	f.Write(bytes.Repeat([]byte("A"), 1<<20))
	cw.Close()
	zr, _ := zip.NewReader(bytes.NewReader(comp.Bytes()), int64(comp.Len()))
	raw, _ := zr.File[0].OpenRaw()
	hdr := zr.File[0].FileHeader
	hdr.Name = "liar.bin"
	hdr.UncompressedSize64 = 10
	out, err := w.CreateRaw(&hdr)
	if err != nil {
		t.Fatal(err)
	}
	var rb bytes.Buffer
	rb.ReadFrom(raw)
	out.Write(rb.Bytes())
	w.Close()
	_, err = check(b.Bytes(), Limits{})
	var ze *Error
	if !errors.As(err, &ze) || ze.Code != CodeCorrupt || ze.Entry != "liar.bin" {
		t.Fatalf("want corrupt-entry on liar.bin, got %v", err)
	}
}

func TestValidAndCacheRemoved(t *testing.T) {
	data := build(t, manifest,
		entry{name: "Server/", mode: fs.ModeDir | 0o755, method: zip.Store},
		entry{name: "Server/Index.lua", body: []byte("print(1)")},
		entry{name: ".cache/thumb.bin", body: []byte("junk")},
		entry{name: "Client/.cache", body: []byte("junk")})
	res, err := check(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != "packages" || res.ManifestName != "Package.toml" || string(res.Manifest) != string(manifest.body) {
		t.Fatalf("result: %+v", res)
	}
	if len(res.Removed) != 2 || res.Entries != 3 || res.UnpackedSize != int64(len(manifest.body)+8) {
		t.Fatalf("removed %v entries %d size %d", res.Removed, res.Entries, res.UnpackedSize)
	}
	var out bytes.Buffer
	if err := Strip(bytes.NewReader(data), int64(len(data)), &out); err != nil {
		t.Fatal(err)
	}
	res2, err := check(out.Bytes(), Limits{})
	if err != nil || len(res2.Removed) != 0 || res2.Entries != 3 {
		t.Fatalf("stripped archive: %+v %v", res2, err)
	}
	assets := build(t, entry{name: "Assets.toml", body: []byte("[meta]\n")})
	if res, err := check(assets, Limits{}); err != nil || res.Kind != "assets" {
		t.Fatalf("asset pack: %+v %v", res, err)
	}
	if res, err := check(build(t), Limits{}); err == nil {
		t.Fatalf("empty archive accepted: %+v", res)
	}
}

func FuzzCheck(f *testing.F) {
	f.Add(build(f, manifest, entry{name: "Server/Index.lua", body: []byte("print(1)")}))
	f.Add(build(f, manifest, entry{name: "../x", body: []byte("x")}))
	f.Add(build(f, entry{name: "Assets.toml", body: []byte("[meta]")}, entry{name: ".cache/a", body: []byte("a")}))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte("PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxEntries: 100, MaxEntrySize: 1 << 20, MaxTotalSize: 4 << 20, MaxManifestSize: 64 << 10}
		res, err := check(data, lim)
		if err == nil {
			if res.ManifestName != PackageManifest && res.ManifestName != AssetsManifest {
				t.Fatalf("accepted without a root manifest: %+v", res)
			}
			if res.UnpackedSize > lim.MaxTotalSize {
				t.Fatalf("accepted %d bytes over the limit", res.UnpackedSize)
			}
			var out bytes.Buffer
			if err := Strip(bytes.NewReader(data), int64(len(data)), &out); err != nil {
				t.Fatalf("accepted archive cannot be stripped: %v", err)
			}
		}
	})
}
