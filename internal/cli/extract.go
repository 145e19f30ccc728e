package cli

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Limits bound what an archive may unpack to. Sizes are counted from the bytes actually
// decompressed, never from the zip headers, which a hostile archive can falsify.
type Limits struct {
	MaxFiles      int   // entries (files and folders)
	MaxFileBytes  int64 // one file, uncompressed
	MaxTotalBytes int64 // all files, uncompressed
	// MaxRatio bounds the uncompressed total against the archive size once the total passes
	// RatioFloor bytes, which stops small zip bombs long before MaxTotalBytes.
	MaxRatio   int64
	RatioFloor int64
}

// DefaultLimits fit the largest real asset packs (several GiB of cooked Unreal content) while
// refusing archives that could fill a disk.
var DefaultLimits = Limits{
	MaxFiles:      200_000,
	MaxFileBytes:  8 << 30,
	MaxTotalBytes: 32 << 30,
	MaxRatio:      200,
	RatioFloor:    256 << 20,
}

// ExtractError reports an archive that was refused, with the entry at fault.
type ExtractError struct {
	Archive string
	Entry   string
	Reason  string
}

// Error names the archive, the entry and the reason.
func (e *ExtractError) Error() string {
	if e.Entry == "" {
		return fmt.Sprintf("archive %s refused: %s", e.Archive, e.Reason)
	}
	return fmt.Sprintf("archive %s refused: entry %q %s", e.Archive, e.Entry, e.Reason)
}

// cleanEntryName turns a zip entry name into a slash-separated path relative to the archive
// root, or reports why it cannot be one. Backslashes are read as separators, as some Windows
// tools write them.
func cleanEntryName(name string) (clean string, isDir bool, err error) {
	if name == "" {
		return "", false, errors.New("has an empty name")
	}
	if strings.ContainsRune(name, 0) {
		return "", false, errors.New("has a NUL byte in its name")
	}
	n := strings.ReplaceAll(name, `\`, "/")
	isDir = strings.HasSuffix(n, "/")
	n = strings.TrimSuffix(n, "/")
	if n == "" || strings.HasPrefix(n, "/") {
		return "", false, errors.New("has an absolute path")
	}
	if strings.Contains(n, ":") {
		return "", false, errors.New("has a drive letter or colon in its path")
	}
	for _, part := range strings.Split(n, "/") {
		switch part {
		case "":
			return "", false, errors.New("has an empty path element")
		case ".", "..":
			return "", false, errors.New("has a relative path element (. or ..)")
		}
	}
	if path.Clean(n) != n || !filepath.IsLocal(filepath.FromSlash(n)) {
		return "", false, errors.New("points outside the destination folder")
	}
	return n, isDir, nil
}

// Extracted describes an unpacked archive.
type Extracted struct {
	Files map[string]string // slash path → SHA-256 hex of every regular file
	Bytes int64             // uncompressed bytes written
}

// ExtractZip unpacks the archive at zipPath into dest, which must exist and be empty. It
// refuses absolute paths, `..`, symbolic links and other special files, case-insensitive
// duplicates and anything past the limits; dest is confined with os.Root so no entry can
// escape it even through a link created by someone else. On error dest may hold part of the
// archive: callers unpack into a temporary folder and remove it.
func ExtractZip(zipPath, dest string, lim Limits) (*Extracted, error) {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return nil, &ExtractError{Archive: filepath.Base(zipPath), Reason: "is not a readable zip file: " + err.Error()}
	}
	defer zr.Close()
	st, err := os.Stat(zipPath)
	if err != nil {
		return nil, err
	}
	return extract(&zr.Reader, filepath.Base(zipPath), st.Size(), dest, lim)
}

func extract(zr *zip.Reader, label string, archiveSize int64, dest string, lim Limits) (*Extracted, error) {
	refuse := func(entry, reason string) error {
		return &ExtractError{Archive: label, Entry: entry, Reason: reason}
	}
	if len(zr.File) > lim.MaxFiles {
		return nil, refuse("", fmt.Sprintf("has %d entries, more than the limit of %d", len(zr.File), lim.MaxFiles))
	}
	// Validate every name first so nothing is written from an archive that will be refused.
	type entry struct {
		f     *zip.File
		name  string
		isDir bool
	}
	entries := make([]entry, 0, len(zr.File))
	seen := make(map[string]string, len(zr.File))
	for _, f := range zr.File {
		name, isDir, err := cleanEntryName(f.Name)
		if err != nil {
			return nil, refuse(f.Name, err.Error())
		}
		mode := f.Mode()
		if mode&fs.ModeSymlink != 0 {
			return nil, refuse(f.Name, "is a symbolic link; archives may hold only files and folders")
		}
		if mode&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice|fs.ModeIrregular) != 0 {
			return nil, refuse(f.Name, "is a special file; archives may hold only files and folders")
		}
		isDir = isDir || mode.IsDir()
		key := strings.ToLower(name)
		if prev, ok := seen[key]; ok {
			if isDir && strings.HasSuffix(prev, "/") {
				continue // the same folder listed twice is harmless
			}
			return nil, refuse(f.Name, fmt.Sprintf("clashes with %q (names must differ in more than letter case)", prev))
		}
		if isDir {
			seen[key] = name + "/"
		} else {
			seen[key] = name
		}
		entries = append(entries, entry{f: f, name: name, isDir: isDir})
	}
	// A file may not also be used as a folder by another entry.
	for _, e := range entries {
		for dir := path.Dir(e.name); dir != "."; dir = path.Dir(dir) {
			if prev, ok := seen[strings.ToLower(dir)]; ok && !strings.HasSuffix(prev, "/") {
				return nil, refuse(e.f.Name, fmt.Sprintf("lies inside %q, which is a file", prev))
			}
		}
	}

	root, err := os.OpenRoot(dest)
	if err != nil {
		return nil, fmt.Errorf("opening destination %s: %w", dest, err)
	}
	defer root.Close()

	out := &Extracted{Files: make(map[string]string)}
	buf := make([]byte, 256<<10)
	for _, e := range entries {
		native := filepath.FromSlash(e.name)
		if e.isDir {
			if err := root.MkdirAll(native, 0o755); err != nil {
				return nil, fmt.Errorf("creating folder %s in %s: %w", e.name, dest, err)
			}
			continue
		}
		if dir := filepath.Dir(native); dir != "." {
			if err := root.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("creating folder %s in %s: %w", dir, dest, err)
			}
		}
		rc, err := e.f.Open()
		if err != nil {
			return nil, refuse(e.f.Name, "cannot be read: "+err.Error())
		}
		// Only the owner-execute bit is taken from the archive (C modules, helper programs);
		// other bits, set-uid and the like never are.
		perm := os.FileMode(0o644)
		if e.f.Mode()&0o100 != 0 {
			perm = 0o755
		}
		w, err := root.OpenFile(native, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("creating %s in %s: %w", e.name, dest, err)
		}
		h := sha256.New()
		// Read one byte past the per-file limit so an oversized file is detected, not truncated.
		budget := lim.MaxFileBytes
		if rest := lim.MaxTotalBytes - out.Bytes; rest < budget {
			budget = rest
		}
		n, cerr := io.CopyBuffer(io.MultiWriter(w, h), io.LimitReader(rc, budget+1), buf)
		rc.Close()
		if werr := w.Close(); cerr == nil {
			cerr = werr
		}
		if cerr != nil {
			var fe *os.PathError
			if errors.As(cerr, &fe) {
				return nil, fmt.Errorf("writing %s in %s: %w", e.name, dest, cerr)
			}
			return nil, refuse(e.f.Name, "is corrupt: "+cerr.Error())
		}
		if n > lim.MaxFileBytes {
			return nil, refuse(e.f.Name, fmt.Sprintf("unpacks to more than %d bytes, the per-file limit", lim.MaxFileBytes))
		}
		out.Bytes += n
		if out.Bytes > lim.MaxTotalBytes {
			return nil, refuse("", fmt.Sprintf("unpacks to more than %d bytes, the limit", lim.MaxTotalBytes))
		}
		if lim.MaxRatio > 0 && out.Bytes > lim.RatioFloor && archiveSize > 0 && out.Bytes/archiveSize > lim.MaxRatio {
			return nil, refuse("", fmt.Sprintf("unpacks to more than %d times its own size (a zip bomb?)", lim.MaxRatio))
		}
		out.Files[e.name] = hex.EncodeToString(h.Sum(nil))
	}
	return out, nil
}
