package cli

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/nanoforge/nanoforge/storeclient"
)

// Prefixes of the CLI's own temporary entries beside installed folders. They start with a dot
// so the server's package scan skips them.
const (
	prefixNew      = ".nanoforge-new-"
	prefixOld      = ".nanoforge-old-"
	prefixDownload = ".nanoforge-download-"
	// prefixTrash marks folders being deleted (uninstall); a leftover is never restored.
	prefixTrash = ".nanoforge-trash-"
)

// recoverLeftovers repairs what an interrupted CLI (killed, power loss) left in Packages/ and
// Assets/. It runs with the folder lock held, so no other CLI is using these entries.
//   - A previous version moved aside whose folder is gone goes back: the swap never finished.
//   - A previous version moved aside whose folder holds files the lock file does not describe,
//     while the moved-aside copy matches the lock, also goes back: the new version was moved
//     in but never recorded.
//   - Anything else left over (unpacked or downloaded files, old copies already replaced and
//     recorded) is deleted.
func (s *session) recoverLeftovers(lay layout, lock *Lock) {
	for _, kind := range []storeclient.Kind{storeclient.Packages, storeclient.Assets} {
		parent := lay.parent(kind)
		entries, err := os.ReadDir(parent)
		if err != nil {
			continue
		}
		for _, e := range entries {
			name := e.Name()
			p := filepath.Join(parent, name)
			switch {
			case strings.HasPrefix(name, prefixNew), strings.HasPrefix(name, prefixDownload), strings.HasPrefix(name, prefixTrash):
				os.RemoveAll(p)
			case strings.HasPrefix(name, prefixOld):
				s.recoverAside(kind, lay, lock, p, strings.TrimPrefix(name, prefixOld))
			}
		}
	}
}

func (s *session) recoverAside(kind storeclient.Kind, lay layout, lock *Lock, aside, rest string) {
	// rest is "<name>-<unix nanoseconds>"; names contain '-' too, so cut at the last one.
	cut := strings.LastIndexByte(rest, '-')
	if cut <= 0 {
		os.RemoveAll(aside)
		return
	}
	name := rest[:cut]
	if !validFolderName(name) {
		os.RemoveAll(aside)
		return
	}
	dest := lay.folder(kind, name)
	if _, err := os.Stat(dest); os.IsNotExist(err) {
		if err := os.Rename(aside, dest); err == nil {
			s.warnf("Restored %s, left aside by an interrupted install", relTo(lay.root, dest))
		}
		return
	}
	if entry := lock.Find(kind, name); entry != nil {
		asideTree, err1 := HashTree(aside)
		destTree, err2 := HashTree(dest)
		if err1 == nil && err2 == nil && Compare(entry.Files, asideTree).Empty() && !Compare(entry.Files, destTree).Empty() {
			trash := aside + "-unrecorded"
			if os.Rename(dest, trash) == nil {
				if os.Rename(aside, dest) == nil {
					os.RemoveAll(trash)
					s.warnf("Restored %s %s %s: an interrupted install had replaced it without recording it", kind.Singular(), name, entry.Version)
					return
				}
				os.Rename(trash, dest)
			}
		}
	}
	os.RemoveAll(aside)
}
