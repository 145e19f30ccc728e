// Package zipcheck validates uploaded release archives before the Store accepts them.
//
// An upload is untrusted: Check refuses anything a server unpacking it could be hurt by (path
// traversal, absolute paths, symlinks, names that collide on case-insensitive file systems,
// zip bombs, prepended data) and finds the manifest (Package.toml or Assets.toml) at the root.
// Sizes are measured by decompressing every entry, never taken from headers alone.
package zipcheck

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"unicode/utf8"
)

// Limits bound what an upload may contain. Zero fields take the defaults.
type Limits struct {
	MaxEntries      int   // number of entries (files and folders)
	MaxEntrySize    int64 // unpacked bytes of one entry
	MaxTotalSize    int64 // unpacked bytes of all entries
	MaxRatio        int64 // unpacked/packed ratio above which an entry is a zip bomb
	MaxManifestSize int64 // bytes of Package.toml / Assets.toml
}

// DefaultLimits are generous for real asset packs and small for bombs.
func DefaultLimits() Limits {
	return Limits{
		MaxEntries:      20000,
		MaxEntrySize:    1 << 30,
		MaxTotalSize:    4 << 30,
		MaxRatio:        200,
		MaxManifestSize: 1 << 20,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxEntrySize <= 0 {
		l.MaxEntrySize = d.MaxEntrySize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = d.MaxTotalSize
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.MaxManifestSize <= 0 {
		l.MaxManifestSize = d.MaxManifestSize
	}
	return l
}

// Codes of validation failures, stable for clients.
const (
	CodeNotZip         = "not-zip"
	CodePrepended      = "prepended-data"
	CodeTooManyEntries = "too-many-entries"
	CodeBadPath        = "bad-path"
	CodeSymlink        = "symlink"
	CodeCollision      = "name-collision"
	CodeEntryTooLarge  = "entry-too-large"
	CodeTotalTooLarge  = "total-too-large"
	CodeZipBomb        = "zip-bomb"
	CodeCorrupt        = "corrupt-entry"
	CodeNoManifest     = "manifest-missing"
	CodeManifestNested = "manifest-not-at-root"
	CodeTwoManifests   = "two-manifests"
	CodeManifestSize   = "manifest-too-large"
)

// Error is one validation failure, naming the entry at fault.
type Error struct {
	Code  string
	Entry string // zip entry name, empty when the archive as a whole is at fault
	Msg   string
}

// Error renders "code: entry \"name\": message".
func (e *Error) Error() string {
	if e.Entry != "" {
		return fmt.Sprintf("%s: entry %q: %s", e.Code, e.Entry, e.Msg)
	}
	return e.Code + ": " + e.Msg
}

func fail(code, entry, format string, args ...any) *Error {
	return &Error{Code: code, Entry: entry, Msg: fmt.Sprintf(format, args...)}
}

// Manifest file names at the archive root and the resource kind each one means.
const (
	PackageManifest = "Package.toml"
	AssetsManifest  = "Assets.toml"
)

// Result is what a valid archive contains.
type Result struct {
	Kind         string // "packages" (Package.toml) or "assets" (Assets.toml)
	ManifestName string // Package.toml or Assets.toml
	Manifest     []byte // the manifest's bytes
	Entries      int    // entries kept
	UnpackedSize int64  // unpacked bytes of the entries kept
	Removed      []string
}

// removable reports entries the Store drops from uploads: `.cache` files and folders, which the
// nanos world editor leaves behind and which the upload guidelines say to delete.
func removable(name string) bool {
	for _, part := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if part == ".cache" {
			return true
		}
	}
	return false
}

// checkName refuses names that could escape or confuse the folder they are unpacked into.
func checkName(name string) *Error {
	switch {
	case name == "":
		return fail(CodeBadPath, name, "empty entry name")
	case !utf8.ValidString(name):
		return fail(CodeBadPath, name, "entry name is not valid UTF-8")
	case strings.ContainsAny(name, "\x00\\"):
		return fail(CodeBadPath, name, "entry name contains a backslash or NUL; zip paths use forward slashes")
	case strings.HasPrefix(name, "/"):
		return fail(CodeBadPath, name, "absolute path; entries must be relative to the package folder")
	case len(name) >= 2 && name[1] == ':':
		return fail(CodeBadPath, name, "drive-letter path; entries must be relative to the package folder")
	}
	for _, part := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if part == ".." {
			return fail(CodeBadPath, name, "path traversal (..); entries must stay inside the package folder")
		}
		if part == "" || part == "." {
			return fail(CodeBadPath, name, "empty or '.' path component")
		}
	}
	return nil
}

// Check validates the archive in r (size bytes).
func Check(r io.ReaderAt, size int64, lim Limits) (*Result, error) {
	lim = lim.withDefaults()
	var sig [4]byte
	if _, err := r.ReadAt(sig[:], 0); err != nil {
		return nil, fail(CodeNotZip, "", "the file is not a zip archive (too short)")
	}
	switch binary.LittleEndian.Uint32(sig[:]) {
	case 0x04034b50: // local file header: the archive starts where it should
	case 0x06054b50: // end of central directory: an empty archive
	default:
		if _, err := zip.NewReader(r, size); err == nil {
			return nil, fail(CodePrepended, "", "data before the first zip entry (a self-extractor or a file glued in front); upload a plain zip")
		}
		return nil, fail(CodeNotZip, "", "the file is not a zip archive; zip the package folder's contents")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fail(CodeNotZip, "", "cannot read the zip archive: %v", err)
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, fail(CodeTooManyEntries, "", "%d entries, the limit is %d", len(zr.File), lim.MaxEntries)
	}
	res := &Result{}
	seen := make(map[string]string, len(zr.File))
	var nested string
	for _, f := range zr.File {
		if e := checkName(f.Name); e != nil {
			return nil, e
		}
		if f.Mode()&fs.ModeSymlink != 0 {
			return nil, fail(CodeSymlink, f.Name, "symbolic links are not allowed; replace the link by the file it points to")
		}
		if f.Mode()&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice) != 0 {
			return nil, fail(CodeBadPath, f.Name, "special file (device, pipe or socket)")
		}
		isDir := strings.HasSuffix(f.Name, "/")
		key := strings.ToLower(strings.TrimSuffix(f.Name, "/"))
		if prev, ok := seen[key]; ok {
			return nil, fail(CodeCollision, f.Name, "collides with %q when letter case is ignored (Windows and macOS cannot hold both)", prev)
		}
		seen[key] = f.Name
		if removable(f.Name) {
			res.Removed = append(res.Removed, f.Name)
			continue
		}
		if isDir {
			res.Entries++
			continue
		}
		if f.UncompressedSize64 > uint64(lim.MaxEntrySize) {
			return nil, fail(CodeEntryTooLarge, f.Name, "%d bytes unpacked, the limit per file is %d", f.UncompressedSize64, lim.MaxEntrySize)
		}
		n, err := measure(f, lim)
		if err != nil {
			return nil, err
		}
		res.UnpackedSize += n
		if res.UnpackedSize > lim.MaxTotalSize {
			return nil, fail(CodeTotalTooLarge, f.Name, "the archive unpacks to more than %d bytes", lim.MaxTotalSize)
		}
		res.Entries++
		base := path.Base(f.Name)
		if base == PackageManifest || base == AssetsManifest {
			if f.Name != base {
				if nested == "" {
					nested = f.Name
				}
				continue
			}
			if res.ManifestName != "" {
				return nil, fail(CodeTwoManifests, f.Name, "the archive holds both %s and %s; a release is either a package or an asset pack", res.ManifestName, f.Name)
			}
			if f.UncompressedSize64 > uint64(lim.MaxManifestSize) {
				return nil, fail(CodeManifestSize, f.Name, "manifest is %d bytes, the limit is %d", f.UncompressedSize64, lim.MaxManifestSize)
			}
			data, err := readAll(f, lim.MaxManifestSize)
			if err != nil {
				return nil, err
			}
			res.ManifestName = f.Name
			res.Manifest = data
			res.Kind = "packages"
			if f.Name == AssetsManifest {
				res.Kind = "assets"
			}
		}
	}
	if res.ManifestName == "" {
		if nested != "" {
			return nil, fail(CodeManifestNested, nested, "the manifest must be at the root of the zip; zip the contents of the package folder, not the folder itself")
		}
		return nil, fail(CodeNoManifest, "", "no Package.toml or Assets.toml at the root of the zip")
	}
	return res, nil
}

// measure decompresses an entry, checking its real size against its header, the limits and the
// compression ratio; archive/zip verifies the CRC-32 at the end.
func measure(f *zip.File, lim Limits) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, fail(CodeCorrupt, f.Name, "cannot open entry: %v", err)
	}
	defer rc.Close()
	maxN := int64(f.UncompressedSize64)
	if maxN > lim.MaxEntrySize {
		maxN = lim.MaxEntrySize
	}
	packed := int64(f.CompressedSize64)
	if packed < 1 {
		packed = 1
	}
	// The ratio check runs on the real byte count too, so a lying header does not hide a bomb.
	const ratioFloor = 1 << 20 // small files compress well legitimately
	n, err := io.Copy(io.Discard, io.LimitReader(rc, maxN+1))
	if n > maxN {
		if n > lim.MaxEntrySize {
			return n, fail(CodeEntryTooLarge, f.Name, "unpacks to more than %d bytes", lim.MaxEntrySize)
		}
		return n, fail(CodeCorrupt, f.Name, "unpacks to more bytes than its header says (%d)", f.UncompressedSize64)
	}
	if err != nil {
		return n, fail(CodeCorrupt, f.Name, "damaged entry: %v", err)
	}
	if n != int64(f.UncompressedSize64) {
		return n, fail(CodeCorrupt, f.Name, "unpacks to %d bytes but its header says %d", n, f.UncompressedSize64)
	}
	if n > ratioFloor && n/packed > lim.MaxRatio {
		return n, fail(CodeZipBomb, f.Name, "compression ratio %d:1 is above %d:1 (zip bomb)", n/packed, lim.MaxRatio)
	}
	return n, nil
}

func readAll(f *zip.File, max int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fail(CodeCorrupt, f.Name, "cannot open entry: %v", err)
	}
	defer rc.Close()
	var b bytes.Buffer
	n, err := io.Copy(&b, io.LimitReader(rc, max+1))
	if err != nil {
		return nil, fail(CodeCorrupt, f.Name, "damaged entry: %v", err)
	}
	if n > max {
		return nil, fail(CodeManifestSize, f.Name, "manifest is larger than %d bytes", max)
	}
	return b.Bytes(), nil
}

// Strip copies the archive in r to w without the entries Check reported as removed, copying the
// kept entries' compressed bytes as they are (no recompression).
func Strip(r io.ReaderAt, size int64, w io.Writer) error {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return err
	}
	zw := zip.NewWriter(w)
	for _, f := range zr.File {
		if removable(f.Name) {
			continue
		}
		raw, err := f.OpenRaw()
		if err != nil {
			return fmt.Errorf("entry %q: %w", f.Name, err)
		}
		hdr := f.FileHeader
		out, err := zw.CreateRaw(&hdr)
		if err != nil {
			return fmt.Errorf("entry %q: %w", f.Name, err)
		}
		if _, err := io.Copy(out, raw); err != nil {
			return fmt.Errorf("entry %q: %w", f.Name, err)
		}
	}
	return zw.Close()
}
