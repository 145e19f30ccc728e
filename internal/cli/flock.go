package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// lockWait bounds how long a command waits for another CLI working on the same server folder.
var lockWait = 2 * time.Minute

// folderLock keeps two CLIs from changing one server's Packages/ and Assets/ at once; each
// would otherwise rewrite the lock file from its own view and lose the other's entries.
type folderLock struct{ f *os.File }

// lockFolder takes the lock of the server whose lock file is lockPath, waiting up to lockWait.
func (s *session) lockFolder(lockPath string) (*folderLock, error) {
	dir := filepath.Dir(lockPath)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	path := filepath.Join(dir, "."+LockFileName+".busy")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	deadline := time.Now().Add(lockWait)
	told := false
	for {
		ok, err := tryLockFile(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if ok {
			return &folderLock{f: f}, nil
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("another nanoforge CLI is still changing %s after %s; wait for it to finish (or end it) and try again", filepath.Dir(dir), lockWait)
		}
		if !told {
			s.infof("Waiting for another nanoforge CLI working on %s...", filepath.Dir(dir))
			told = true
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// unlock releases the lock (closing the file drops it).
func (l *folderLock) unlock() {
	if l != nil && l.f != nil {
		l.f.Close()
	}
}
