package script

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// maxSourceSize bounds a Lua file read through Package.Require or LoadFile, so a stray data file
// cannot exhaust memory before the state's own cap applies.
const maxSourceSize = 16 << 20

// resolveLogical maps a logical path ("my-package/Server/x.lua", relative to the Packages
// folder) to a file on disk. The first segment names a package: a loaded one resolves to its
// folder, any other to a folder of the Packages directory. Paths that would leave the package
// folder are refused.
func (h *Host) resolveLogical(logical string) (string, bool) {
	logical = strings.ReplaceAll(logical, "\\", "/")
	name, rest, ok := strings.Cut(logical, "/")
	if !ok || name == "" || rest == "" || !validPackageName(name) {
		return "", false
	}
	clean := filepath.Clean(filepath.FromSlash(rest))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", false
	}
	dir := h.packageDir(name)
	if dir == "" {
		return "", false
	}
	return filepath.Join(dir, clean), true
}

// packageDir is the folder of the package name: its manifest's Dir when known, otherwise
// name inside the Packages directory.
func (h *Host) packageDir(name string) string {
	if p, ok := h.pkgs[name]; ok && p.Dir != "" {
		return p.Dir
	}
	if h.packagesDir == "" {
		return ""
	}
	return filepath.Join(h.packagesDir, name)
}

// validPackageName accepts folder names as the loader does, plus '_' and '.'-free names only, so
// a logical path can never climb out of the Packages folder.
func validPackageName(name string) bool {
	if name == "." || name == ".." || name == "" {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

// readSource reads a Lua file named by its logical path; ok is false when it does not exist or
// is not a regular file.
func (h *Host) readSource(logical string) (string, bool) {
	path, ok := h.resolveLogical(logical)
	if !ok {
		return "", false
	}
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return "", false
	}
	if st.Size() > maxSourceSize {
		h.log.Error(fmt.Sprintf("script file %s is larger than %d bytes; it was not loaded", logical, maxSourceSize))
		return "", false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		h.log.Error(fmt.Sprintf("reading script file %s: %v", logical, err))
		return "", false
	}
	return string(b), true
}

// listPackage lists the files (or directories) of package name, as slash paths relative to
// its folder, sorted. prefixes keeps only paths starting with one of them (all when empty);
// ext keeps only files whose name ends with it.
func (h *Host) listPackage(name string, dirs bool, prefixes []string, ext string) ([]string, error) {
	root := h.packageDir(name)
	if root == "" {
		return nil, fmt.Errorf("package %q has no folder", name)
	}
	for i, p := range prefixes {
		prefixes[i] = strings.TrimPrefix(strings.ReplaceAll(p, "\\", "/"), "/")
	}
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if path == root {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() != dirs {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		if len(prefixes) > 0 && !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(rel, p) }) {
			return nil
		}
		if !dirs && ext != "" && !strings.HasSuffix(rel, ext) {
			return nil
		}
		out = append(out, rel)
		return nil
	})
	slices.Sort(out)
	return out, err
}

// findMiscased returns the path, relative to dir, of a file matching rel ("Server/Index.lua")
// in every segment but case, when rel itself does not exist; "" otherwise.
func findMiscased(dir, rel string) string {
	if dir == "" {
		return ""
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel))); err == nil {
		return ""
	}
	cur := dir
	var found []string
	for _, seg := range strings.Split(rel, "/") {
		entries, err := os.ReadDir(cur)
		if err != nil {
			return ""
		}
		match := ""
		for _, e := range entries {
			if strings.EqualFold(e.Name(), seg) {
				match = e.Name()
				break
			}
		}
		if match == "" {
			return ""
		}
		found = append(found, match)
		cur = filepath.Join(cur, match)
	}
	if st, err := os.Stat(cur); err != nil || !st.Mode().IsRegular() {
		return ""
	}
	return strings.Join(found, "/")
}
