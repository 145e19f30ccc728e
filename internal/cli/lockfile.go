package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/nanoforge/nanoforge/storeclient"
)

// LockFileName is the lock file's name inside the server's Packages folder.
const LockFileName = "nanoforge.lock"

// lockFormat is the current lock file format number; older numbers are upgraded on read,
// newer ones refused (an older CLI must not rewrite what it does not understand).
const lockFormat = 1

// Lock records what the CLI installed, so that `install` without names rebuilds the same
// server elsewhere: exact versions, verified against the recorded SHA-256.
type Lock struct {
	Format    int             `json:"format"`
	Store     string          `json:"store,omitempty"`
	Resources []LockedRelease `json:"resources"`
}

// LockedRelease is one installed package or asset pack.
type LockedRelease struct {
	Kind    storeclient.Kind `json:"kind"`
	Name    string           `json:"name"`
	Version string           `json:"version"`
	Channel string           `json:"channel,omitempty"`
	// SHA256 and Size describe the release archive as downloaded.
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// URL is where the archive was downloaded from.
	URL string `json:"url"`
	// Requested is true for resources named by the user, false for ones pulled in as requirements.
	Requested            bool      `json:"requested"`
	PackagesRequirements []string  `json:"packages_requirements,omitempty"`
	AssetsRequirements   []string  `json:"assets_requirements,omitempty"`
	InstalledAt          time.Time `json:"installed_at"`
	// Files maps every unpacked file (slash path inside the resource folder) to its SHA-256,
	// used to tell whether the user changed something before it is replaced.
	Files map[string]string `json:"files"`
}

// ReadLock reads the lock file at path; a missing file is an empty lock.
func ReadLock(path string) (*Lock, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Lock{Format: lockFormat}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading lock file: %w", err)
	}
	return ParseLock(data, path)
}

// ParseLock decodes a lock file's content; name is used in error messages.
func ParseLock(data []byte, name string) (*Lock, error) {
	var l Lock
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("%s: %s; fix the file or delete it and run `install` with the names again", name, describeJSONError(data, err))
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: extra data after the lock document; fix the file or delete it", name)
	}
	if l.Format == 0 || l.Format > lockFormat {
		return nil, fmt.Errorf("%s: lock format %d is not supported by this version (it reads format %d); update nanoforge", name, l.Format, lockFormat)
	}
	seen := map[string]bool{}
	for i, r := range l.Resources {
		where := fmt.Sprintf("%s: resources[%d]", name, i)
		if r.Kind != storeclient.Packages && r.Kind != storeclient.Assets {
			return nil, fmt.Errorf("%s: kind %q is neither \"packages\" nor \"assets\"", where, r.Kind)
		}
		if r.Name == "" || r.Version == "" {
			return nil, fmt.Errorf("%s: name and version are required", where)
		}
		if !validFolderName(r.Name) {
			return nil, fmt.Errorf("%s: name %q is not a valid folder name", where, r.Name)
		}
		if len(r.SHA256) != 64 || strings.Trim(strings.ToLower(r.SHA256), "0123456789abcdef") != "" {
			return nil, fmt.Errorf("%s (%s): sha256 %q is not 64 hex digits", where, r.Name, r.SHA256)
		}
		key := string(r.Kind) + "/" + r.Name
		if seen[key] {
			return nil, fmt.Errorf("%s: %s %s is listed twice", where, r.Kind.Singular(), r.Name)
		}
		seen[key] = true
		for p := range r.Files {
			if _, _, err := cleanEntryName(p); err != nil {
				return nil, fmt.Errorf("%s (%s): file %q %v", where, r.Name, p, err)
			}
		}
	}
	return &l, nil
}

func describeJSONError(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("line %d: %v", line, err)
	}
	return err.Error()
}

// validFolderName accepts names the lock may turn into a folder: the Store's name rules are
// stricter, this only keeps a tampered lock from reaching outside Packages/ or Assets/.
func validFolderName(s string) bool {
	if s == "" || s == "." || s == ".." || strings.HasPrefix(s, ".") || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Find returns the entry for kind/name, or nil.
func (l *Lock) Find(kind storeclient.Kind, name string) *LockedRelease {
	for i := range l.Resources {
		if l.Resources[i].Kind == kind && l.Resources[i].Name == name {
			return &l.Resources[i]
		}
	}
	return nil
}

// Put adds or replaces the entry for r.Kind/r.Name.
func (l *Lock) Put(r LockedRelease) {
	if old := l.Find(r.Kind, r.Name); old != nil {
		*old = r
		return
	}
	l.Resources = append(l.Resources, r)
}

// Remove deletes the entry for kind/name and reports whether there was one.
func (l *Lock) Remove(kind storeclient.Kind, name string) bool {
	for i := range l.Resources {
		if l.Resources[i].Kind == kind && l.Resources[i].Name == name {
			l.Resources = append(l.Resources[:i], l.Resources[i+1:]...)
			return true
		}
	}
	return false
}

// Marshal renders the lock deterministically: asset packs before packages, then by name, so
// the file diffs cleanly in version control.
func (l *Lock) Marshal() ([]byte, error) {
	c := *l
	c.Format = lockFormat
	c.Resources = append([]LockedRelease(nil), l.Resources...)
	sort.SliceStable(c.Resources, func(i, j int) bool {
		a, b := c.Resources[i], c.Resources[j]
		if a.Kind != b.Kind {
			return a.Kind == storeclient.Assets
		}
		return a.Name < b.Name
	})
	if c.Resources == nil {
		c.Resources = []LockedRelease{}
	}
	data, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// Write saves the lock to path atomically (a temporary file beside it, then rename), so a
// crash never leaves half a lock file, and flushes it to disk.
func (l *Lock) Write(path string) error { return l.write(path, true) }

// write is Write with the disk flush optional: an install flushes only its last write, as the
// renames of the folders themselves are not flushed either and each fsync costs milliseconds.
func (l *Lock) write(path string, sync bool) error {
	data, err := l.Marshal()
	if err != nil {
		return fmt.Errorf("encoding lock file: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+LockFileName+".*")
	if err != nil {
		return fmt.Errorf("writing lock file: %w", err)
	}
	_, werr := tmp.Write(data)
	if sync && werr == nil {
		werr = tmp.Sync()
	}
	if err := tmp.Close(); werr == nil {
		werr = err
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing lock file %s: %w", path, werr)
	}
	return nil
}

// skipLocalDir reports folders whose content is not part of a resource: caches written by the
// server or editors, and version control.
func skipLocalDir(name string) bool { return name == ".cache" || name == ".git" }

// HashTree returns the SHA-256 of every regular file below dir, keyed by slash path, leaving
// out .cache and .git folders. Symbolic links are reported by name with an empty hash so a
// comparison flags them.
func HashTree(dir string) (map[string]string, error) {
	out := map[string]string{}
	buf := make([]byte, 256<<10)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if p != dir && skipLocalDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		key := filepath.ToSlash(rel)
		if !d.Type().IsRegular() {
			out[key] = ""
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.CopyBuffer(h, f, buf); err != nil {
			return err
		}
		out[key] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	return out, nil
}

// Changes lists how a folder differs from what was installed.
type Changes struct {
	Modified, Added, Removed []string
}

// Empty reports whether nothing changed.
func (c Changes) Empty() bool { return len(c.Modified)+len(c.Added)+len(c.Removed) == 0 }

// String summarises the changes on one line, naming up to a few files of each sort.
func (c Changes) String() string {
	var parts []string
	add := func(verb string, files []string) {
		if len(files) == 0 {
			return
		}
		shown := files
		if len(shown) > 3 {
			shown = shown[:3]
		}
		s := verb + " " + strings.Join(shown, ", ")
		if len(files) > len(shown) {
			s += fmt.Sprintf(" and %d more", len(files)-len(shown))
		}
		parts = append(parts, s)
	}
	add("changed", c.Modified)
	add("added", c.Added)
	add("deleted", c.Removed)
	return strings.Join(parts, "; ")
}

// Compare returns how current differs from installed (both as returned by HashTree). Files
// under .cache or .git are not part of either.
func Compare(installed, current map[string]string) Changes {
	var c Changes
	for p, h := range current {
		if old, ok := installed[p]; !ok {
			c.Added = append(c.Added, p)
		} else if old != h {
			c.Modified = append(c.Modified, p)
		}
	}
	for p := range installed {
		if isSkipped(p) {
			continue
		}
		if _, ok := current[p]; !ok {
			c.Removed = append(c.Removed, p)
		}
	}
	sort.Strings(c.Modified)
	sort.Strings(c.Added)
	sort.Strings(c.Removed)
	return c
}

func isSkipped(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if skipLocalDir(part) {
			return true
		}
	}
	return false
}
