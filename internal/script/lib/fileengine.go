package lib

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ConfinePath resolves a script-supplied path against root (the server
// folder) and refuses anything that would reach outside it: absolute
// paths, ".." that climbs above root, and symbolic links whose target is
// outside. Backslashes are accepted as separators. The path need not exist.
func ConfinePath(root, p string) (string, error) {
	if root == "" {
		return "", errors.New("no server folder configured: file access is disabled")
	}
	orig := p
	p = strings.ReplaceAll(p, "\\", "/")
	if filepath.IsAbs(p) || strings.HasPrefix(p, "/") || (len(p) >= 2 && p[1] == ':') {
		return "", fmt.Errorf("path %q is absolute: use a path relative to the server folder", orig)
	}
	rootAbs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("server folder %q: %w", root, err)
	}
	if r, err := filepath.EvalSymlinks(rootAbs); err == nil {
		rootAbs = r
	}
	full := filepath.Join(rootAbs, filepath.FromSlash(p))
	if !within(rootAbs, full) {
		return "", fmt.Errorf("path %q leaves the server folder: use a path inside it", orig)
	}
	// Resolve links on the longest existing prefix: a link inside the
	// server folder must not lead out of it.
	existing := full
	var rest []string
	for {
		if _, err := os.Lstat(existing); err == nil {
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing || !within(rootAbs, parent) {
			return full, nil
		}
		rest = append(rest, filepath.Base(existing))
		existing = parent
	}
	resolved, err := filepath.EvalSymlinks(existing)
	if err != nil {
		// A dangling link: refuse rather than guess where it points.
		return "", fmt.Errorf("path %q: cannot resolve %s: %v", orig, existing, err)
	}
	if !within(rootAbs, resolved) {
		return "", fmt.Errorf("path %q leads outside the server folder through a symbolic link", orig)
	}
	slices.Reverse(rest)
	return filepath.Join(append([]string{resolved}, rest...)...), nil
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	return rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)))
}

// FileHandle is an open file with the stream state of the File class:
// a position, and the eof, fail and bad flags of a C++ stream.
type FileHandle struct {
	Path string // as the script gave it
	f    *os.File
	pos  int64
	eof  bool // a read reached the end
	fail bool // the last operation failed
	bad  bool // the stream is unusable (not open, closed, I/O error)
	err  error
}

// OpenFile opens (creating if needed) a file inside root for reading and
// writing; truncate empties it. A file that cannot be written is opened
// read-only. Failures give a handle in the bad state with Err set, as a
// stream object would be.
func OpenFile(root, path string, truncate bool) *FileHandle {
	h := &FileHandle{Path: path}
	full, err := ConfinePath(root, path)
	if err != nil {
		h.bad, h.fail, h.err = true, true, fmt.Errorf("File: %w", err)
		return h
	}
	flags := os.O_RDWR | os.O_CREATE
	if truncate {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(full, flags, 0o644)
	if err != nil && !truncate {
		f, err = os.Open(full)
	}
	if err != nil {
		h.bad, h.fail, h.err = true, true, fmt.Errorf("File: cannot open %q: %w", path, err)
		return h
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		h.bad, h.fail, h.err = true, true, fmt.Errorf("File: %q is a directory", path)
		return h
	}
	h.f = f
	return h
}

// Err is why the handle is bad or the last operation failed, if known.
func (h *FileHandle) Err() error { return h.err }

func (h *FileHandle) failed(err error) {
	h.fail = true
	h.err = err
}

func (h *FileHandle) usable() bool {
	if h.f == nil {
		h.fail = true
		if h.err == nil {
			h.err = fmt.Errorf("File: %q is closed", h.Path)
		}
		return false
	}
	return true
}

// Read reads up to n bytes from the position; n <= 0 reads the whole
// file from the start. Reading past the end sets eof and fail.
func (h *FileHandle) Read(n int64) string {
	if !h.usable() {
		return ""
	}
	if n <= 0 {
		data, err := io.ReadAll(io.NewSectionReader(h.f, 0, 1<<62))
		if err != nil {
			h.bad = true
			h.failed(fmt.Errorf("File: reading %q: %w", h.Path, err))
			return ""
		}
		h.pos = int64(len(data))
		h.fail, h.eof = false, true
		return string(data)
	}
	// Never allocate more than the file holds: a script asking for a
	// terabyte must get a short read, not take the server down.
	want := n
	if st, err := h.f.Stat(); err == nil {
		if rest := st.Size() - h.pos; rest < want {
			want = max(rest, 0)
		}
	}
	buf := make([]byte, want)
	got, err := h.f.ReadAt(buf, h.pos)
	h.pos += int64(got)
	h.fail = false
	if err == io.EOF || int64(got) < n {
		h.eof, h.fail = true, true
	} else if err != nil {
		h.bad = true
		h.failed(fmt.Errorf("File: reading %q: %w", h.Path, err))
	}
	return string(buf[:got])
}

// ReadLine reads up to the next newline, which is consumed and not
// returned (nor a carriage return before it).
func (h *FileHandle) ReadLine() string {
	if !h.usable() {
		return ""
	}
	var line []byte
	buf := make([]byte, 4096)
	for {
		got, err := h.f.ReadAt(buf, h.pos)
		if i := bytes.IndexByte(buf[:got], '\n'); i >= 0 {
			line = append(line, buf[:i]...)
			h.pos += int64(i + 1)
			h.fail = false
			return strings.TrimSuffix(string(line), "\r")
		}
		line = append(line, buf[:got]...)
		h.pos += int64(got)
		if err == io.EOF || got == 0 {
			h.eof = true
			// Like getline: reaching the end with nothing read is a failure.
			h.fail = len(line) == 0
			return strings.TrimSuffix(string(line), "\r")
		}
		if err != nil {
			h.bad = true
			h.failed(fmt.Errorf("File: reading %q: %w", h.Path, err))
			return string(line)
		}
	}
}

// Write writes data at the position and moves past it.
func (h *FileHandle) Write(data string) {
	if !h.usable() {
		return
	}
	n, err := h.f.WriteAt([]byte(data), h.pos)
	h.pos += int64(n)
	if err != nil {
		h.bad = true
		h.failed(fmt.Errorf("File: writing %q: %w", h.Path, err))
		return
	}
	h.fail = false
}

// Flush makes written data durable. Writes already reach the operating
// system immediately; Flush is kept cheap and only reports state.
func (h *FileHandle) Flush() { h.usable() }

// SeekTo moves to an absolute position and clears eof.
func (h *FileHandle) SeekTo(pos int64) {
	if !h.usable() {
		return
	}
	if pos < 0 {
		h.failed(fmt.Errorf("File: Seek(%d) on %q: negative position", pos, h.Path))
		return
	}
	h.pos, h.eof, h.fail = pos, false, false
}

// Skip moves the position by n bytes.
func (h *FileHandle) Skip(n int64) { h.SeekTo(h.pos + n) }

// Tell returns the position.
func (h *FileHandle) Tell() int64 { return h.pos }

// Size returns the file's size in bytes.
func (h *FileHandle) Size() int64 {
	if !h.usable() {
		return 0
	}
	st, err := h.f.Stat()
	if err != nil {
		h.failed(err)
		return 0
	}
	return st.Size()
}

// IsEOF, IsGood, IsBad and HasFailed report the stream state.
func (h *FileHandle) IsEOF() bool { return h.eof }

// IsGood is true when no flag is set.
func (h *FileHandle) IsGood() bool { return h.f != nil && !h.eof && !h.fail && !h.bad }

// IsBad is true when the file is not usable.
func (h *FileHandle) IsBad() bool { return h.bad || h.f == nil }

// HasFailed is true when the last operation failed.
func (h *FileHandle) HasFailed() bool { return h.fail || h.bad || h.f == nil }

// Close closes the file; later operations fail.
func (h *FileHandle) Close() error {
	if h.f == nil {
		return nil
	}
	err := h.f.Close()
	h.f = nil
	h.bad = true
	return err
}

// FileTime is File.Time: the modification time in Unix seconds.
func FileTime(root, path string) (int64, error) {
	full, err := ConfinePath(root, path)
	if err != nil {
		return 0, err
	}
	st, err := os.Stat(full)
	if err != nil {
		return 0, err
	}
	return st.ModTime().Unix(), nil
}

// CreateDirectory makes the directory and its parents.
func CreateDirectory(root, path string) error {
	full, err := ConfinePath(root, path)
	if err != nil {
		return err
	}
	return os.MkdirAll(full, 0o755)
}

// RemovePath deletes a file or a directory tree and returns how many
// entries were removed. The server folder itself cannot be removed.
func RemovePath(root, path string) (int, error) {
	full, err := ConfinePath(root, path)
	if err != nil {
		return 0, err
	}
	rootAbs, _ := ConfinePath(root, ".")
	if full == rootAbs {
		return 0, fmt.Errorf("path %q is the server folder itself, which cannot be removed", path)
	}
	if _, err := os.Lstat(full); err != nil {
		return 0, nil
	}
	count := 0
	_ = filepath.WalkDir(full, func(_ string, _ fs.DirEntry, err error) error {
		if err == nil {
			count++
		}
		return nil
	})
	if err := os.RemoveAll(full); err != nil {
		return 0, err
	}
	return count, nil
}

// RenamePath renames or moves a file or directory inside the server folder.
func RenamePath(root, from, to string) error {
	a, err := ConfinePath(root, from)
	if err != nil {
		return err
	}
	b, err := ConfinePath(root, to)
	if err != nil {
		return err
	}
	return os.Rename(a, b)
}

// StatPath reports whether path exists and whether it is a directory or a
// regular file. A path outside the server folder is an error.
func StatPath(root, path string) (exists, dir, regular bool, err error) {
	full, err := ConfinePath(root, path)
	if err != nil {
		return false, false, false, err
	}
	st, err := os.Stat(full)
	if err != nil {
		return false, false, false, nil
	}
	return true, st.IsDir(), st.Mode().IsRegular(), nil
}

// ListPaths walks base (relative to root) and returns the directories
// (dirs true) or files below it, as slash-separated paths relative to the
// server folder, sorted. maxDepth < 0 is unlimited; 0 lists only direct
// entries. ext filters files by extension (".lua"; empty for all).
func ListPaths(root, base string, dirs bool, ext string, maxDepth int) ([]string, error) {
	if base == "" {
		base = "."
	}
	rootAbs, err := ConfinePath(root, ".")
	if err != nil {
		return nil, err
	}
	full, err := ConfinePath(root, base)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(full)
	if err != nil || !st.IsDir() {
		return []string{}, nil
	}
	if ext != "" && !strings.HasPrefix(ext, ".") {
		ext = "." + ext
	}
	out := []string{}
	err = filepath.WalkDir(full, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable entries are skipped
		}
		if p == full {
			return nil
		}
		rel, _ := filepath.Rel(full, p)
		depth := strings.Count(filepath.ToSlash(rel), "/")
		if d.IsDir() && maxDepth >= 0 && depth >= maxDepth {
			// Report the directory, but do not descend further.
			if dirs {
				out = append(out, relTo(rootAbs, p))
			}
			return fs.SkipDir
		}
		if dirs && d.IsDir() {
			out = append(out, relTo(rootAbs, p))
		} else if !dirs && d.Type().IsRegular() && (ext == "" || strings.EqualFold(filepath.Ext(p), ext)) {
			out = append(out, relTo(rootAbs, p))
		}
		return nil
	})
	sortStrings(out)
	return out, err
}

func relTo(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(rel)
}

func sortStrings(s []string) { slices.Sort(s) }
