package manifest

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// MaxNameLength is the longest package or asset-pack name the Store accepts.
const MaxNameLength = 64

// CheckName validates a package or asset-pack name (its folder name):
// lowercase ASCII letters, digits and '-', 1 to MaxNameLength characters.
// The error says which character is wrong and suggests a valid name.
func CheckName(name string) error {
	if name == "" {
		return fmt.Errorf("empty package name: a name uses lowercase letters, digits and '-'")
	}
	if len(name) > MaxNameLength {
		return fmt.Errorf("package name %q is %d characters long; the limit is %d", name, len(name), MaxNameLength)
	}
	for i, c := range name {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			continue
		}
		return fmt.Errorf("package name %q: character %q at position %d is not allowed; names use only lowercase letters, digits and '-' (try %q)", name, c, i+1, SuggestName(name))
	}
	return nil
}

// SuggestName turns any string into a valid name: lowercase, runs of other
// characters replaced by one '-', trimmed to MaxNameLength. It returns
// "package" when nothing usable is left.
func SuggestName(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > MaxNameLength {
		out = strings.TrimRight(out[:MaxNameLength], "-")
	}
	if out == "" {
		return "package"
	}
	return out
}

// CheckVersion validates a release version the way the Store requires it:
// SemVer X.Y.Z (optionally with -prerelease and +build), no "v" prefix.
// The server itself accepts any version string and only warns.
func CheckVersion(v string) error {
	if _, err := semver.StrictNewVersion(v); err != nil {
		hint := ""
		if strings.HasPrefix(v, "v") || strings.HasPrefix(v, "V") {
			hint = " without the leading v"
		} else if n := strings.Count(v, "."); n < 2 {
			hint = "; add the missing components, e.g. " + padVersion(v)
		}
		return fmt.Errorf("version %q is not SemVer X.Y.Z (e.g. \"1.2.0\")%s", v, hint)
	}
	return nil
}

func padVersion(v string) string {
	if v == "" {
		return `"0.1.0"`
	}
	for strings.Count(v, ".") < 2 {
		v += ".0"
	}
	return fmt.Sprintf("%q", v)
}

// The folders whose exact casing matters: Linux file systems are
// case-sensitive, so "server/index.lua" would silently never run.
var layoutFolders = []string{"Server", "Client", "Shared"}

// CheckLayout reports miscased Server/, Client/, Shared/ folders and
// Index.lua entry files in a package folder, and Lua folders without an
// Index.lua. It never fails: an unreadable folder gives one warning.
func CheckLayout(dir string) []Warning { return CheckLayoutFS(os.DirFS(dir), dir) }

// CheckLayoutFS is CheckLayout on the root of fsys (an uploaded archive, for
// instance); label names the folder in warnings.
func CheckLayoutFS(fsys fs.FS, label string) []Warning {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return []Warning{{File: label, Message: fmt.Sprintf("cannot read the package folder: %v", err)}}
	}
	var warns []Warning
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		for _, want := range layoutFolders {
			name := e.Name()
			if !strings.EqualFold(name, want) {
				continue
			}
			sub := filepath.Join(label, name)
			if name != want {
				warns = append(warns, Warning{File: sub, Message: fmt.Sprintf(
					"folder %q must be named %q: names are case-sensitive on Linux, where nanos world does not find it (this server loads it anyway); rename it", name, want)})
			}
			warns = append(warns, checkIndex(fsys, name, sub)...)
		}
	}
	return warns
}

func checkIndex(fsys fs.FS, dir, label string) []Warning {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return []Warning{{File: label, Message: fmt.Sprintf("cannot read folder: %v", err)}}
	}
	hasLua := false
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		if strings.EqualFold(path.Ext(name), ".lua") {
			hasLua = true
		}
		if name == "Index.lua" {
			return nil
		}
	}
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(e.Name(), "Index.lua") {
			return []Warning{{File: filepath.Join(label, e.Name()), Message: fmt.Sprintf(
				"entry file %q must be named \"Index.lua\": names are case-sensitive on Linux, where nanos world does not run it (this server runs it anyway); rename it", e.Name())}}
		}
	}
	if hasLua {
		return []Warning{{File: label, Message: "folder has Lua files but no Index.lua: only Index.lua runs automatically; add one that calls Package.Require"}}
	}
	return nil
}
