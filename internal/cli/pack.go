package cli

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"
)

// PackLimits mirror what the Store accepts, so a doomed upload fails before it is sent.
type PackLimits struct {
	MaxArchiveBytes int64 // the zip
	MaxFiles        int   // entries
	MaxFileBytes    int64 // one file
	MaxTotalBytes   int64 // all files
}

// DefaultPackLimits are the Store's defaults.
var DefaultPackLimits = PackLimits{
	MaxArchiveBytes: 512 << 20,
	MaxFiles:        20_000,
	MaxFileBytes:    1 << 30,
	MaxTotalBytes:   4 << 30,
}

// Packed describes an archive written by Pack.
type Packed struct {
	Files         int
	UnpackedBytes int64
	Size          int64
	SHA256        string
	Skipped       []string // folders and files left out (.cache, .git)
}

// skipForUpload reports entries never uploaded: caches, version control and the CLI's own
// temporary files.
func skipForUpload(name string) bool {
	return name == ".cache" || name == ".git" || strings.HasPrefix(name, ".nanoforge-")
}

// storedExtensions are formats that are already compressed; deflating them again only costs time.
var storedExtensions = map[string]bool{
	".zip": true, ".jpg": true, ".jpeg": true, ".png": true, ".webp": true, ".gif": true,
	".ogg": true, ".mp3": true, ".mp4": true, ".webm": true, ".pak": true, ".ucas": true,
	".gz": true, ".xz": true, ".zst": true, ".7z": true, ".woff2": true,
}

// Pack writes the folder dir as a zip to w with the folder's content at the archive root,
// leaving out .cache and .git folders. Symbolic links and special files are refused: the
// Store would refuse them too, and following them could upload files from outside the folder.
func Pack(dir string, w io.Writer, lim PackLimits) (*Packed, error) {
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(w, h)}
	zw := zip.NewWriter(cw)
	zw.RegisterCompressor(zip.Deflate, newDeflater)
	out := &Packed{}
	buf := make([]byte, 256<<10)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		name := filepath.ToSlash(rel)
		if skipForUpload(d.Name()) {
			out.Skipped = append(out.Skipped, name)
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symbolic link; the Store accepts only files and folders: copy the target in or remove the link", p)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if !d.IsDir() && !info.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file; remove it before uploading", p)
		}
		out.Files++
		if out.Files > lim.MaxFiles {
			return fmt.Errorf("%s has more than %d files and folders, the Store's limit", dir, lim.MaxFiles)
		}
		hdr, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		hdr.Name = name
		if d.IsDir() {
			hdr.Name += "/"
			hdr.Method = zip.Store
			_, err := zw.CreateHeader(hdr)
			return err
		}
		if info.Size() > lim.MaxFileBytes {
			return fmt.Errorf("%s is %s, more than the Store's limit of %s per file", p, humanBytes(info.Size()), humanBytes(lim.MaxFileBytes))
		}
		hdr.Method = zip.Deflate
		if storedExtensions[strings.ToLower(filepath.Ext(name))] {
			hdr.Method = zip.Store
		}
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		n, err := io.CopyBuffer(fw, f, buf)
		f.Close()
		if err != nil {
			return fmt.Errorf("reading %s: %w", p, err)
		}
		out.UnpackedBytes += n
		if out.UnpackedBytes > lim.MaxTotalBytes {
			return fmt.Errorf("%s holds more than %s, the Store's limit", dir, humanBytes(lim.MaxTotalBytes))
		}
		if cw.n > lim.MaxArchiveBytes {
			return fmt.Errorf("the archive of %s passes %s, the Store's upload limit; move large files to an asset pack or split it", dir, humanBytes(lim.MaxArchiveBytes))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("finishing the archive of %s: %w", dir, err)
	}
	if cw.n > lim.MaxArchiveBytes {
		return nil, fmt.Errorf("the archive of %s is %s, more than the Store's upload limit of %s", dir, humanBytes(cw.n), humanBytes(lim.MaxArchiveBytes))
	}
	out.Size = cw.n
	out.SHA256 = hex.EncodeToString(h.Sum(nil))
	return out, nil
}

// packLevel and the compressor (klauspost/compress, already in the module graph through the
// Store's S3 client) trade a little size for speed, as compression dominates large uploads.
// Measured on 1.4 MB of this project's Lua, Go and JSON: level 5 here takes 45 ms for 334 KB,
// the standard library 133 ms for 322 KB at level 5 and 212 ms for 318 KB at its default.
const packLevel = 5

var deflaters sync.Pool

// pooledDeflater returns its flate.Writer to the pool on Close: packages hold many small
// files and a fresh compressor allocates about a megabyte.
type pooledDeflater struct{ *flate.Writer }

func (p pooledDeflater) Close() error {
	err := p.Writer.Close()
	deflaters.Put(p.Writer)
	return err
}

func newDeflater(w io.Writer) (io.WriteCloser, error) {
	if fw, ok := deflaters.Get().(*flate.Writer); ok {
		fw.Reset(w)
		return pooledDeflater{fw}, nil
	}
	fw, err := flate.NewWriter(w, packLevel)
	if err != nil {
		return nil, err
	}
	return pooledDeflater{fw}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
