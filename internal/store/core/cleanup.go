package core

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nanoforge/nanoforge/internal/store/db"
)

// CleanupReport says what Cleanup removed.
type CleanupReport struct {
	OrphanBlobs int
	TempFiles   int
}

// Cleanup removes what interrupted work left behind: blobs no release references (a process
// killed between storing a zip and committing its row, or deleted drafts), images no resource or
// team uses any more, temporary upload files, and expired rows (rate-limit windows, download marks, login failures, sessions, stale
// servers). Only blobs and files older than the orphan grace period are removed, so uploads in
// flight in other processes are safe. Stores run it at start.
func (s *Service) Cleanup(ctx context.Context) (CleanupReport, error) {
	var rep CleanupReport
	now := s.now()
	cut := now.Add(-s.cfg.OrphanGrace)
	for _, prefix := range []string{"zip/", "toml/", "img/", ".tmp/"} {
		infos, err := s.blob.List(ctx, prefix)
		if err != nil {
			return rep, err
		}
		for _, info := range infos {
			if info.ModTime.After(cut) {
				continue
			}
			if prefix == "img/" {
				used, err := s.imageReferenced(ctx, s.db.Q(), info.Key[strings.LastIndexByte(info.Key, '/')+1:])
				if err != nil {
					return rep, err
				}
				if used {
					continue
				}
			} else if prefix != ".tmp/" {
				sha := info.Key[strings.LastIndexByte(info.Key, '/')+1:]
				col := "sha256"
				if prefix == "toml/" {
					col = "manifest_sha256"
				}
				var n int
				if err := s.db.Q().Row(ctx, `SELECT COUNT(*) FROM releases WHERE `+col+` = ?`, sha).Scan(&n); err != nil {
					return rep, err
				}
				if n > 0 {
					continue
				}
			}
			if err := s.blob.Delete(ctx, info.Key); err != nil {
				return rep, err
			}
			rep.OrphanBlobs++
		}
	}
	entries, _ := os.ReadDir(s.cfg.TmpDir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.ModTime().Before(cut) && strings.HasPrefix(e.Name(), "upload-") {
			if os.Remove(filepath.Join(s.cfg.TmpDir, e.Name())) == nil {
				rep.TempFiles++
			}
		}
	}
	q := s.db.Q()
	win := now.Add(-2*s.cfg.DownloadWindow).UnixMilli() / s.cfg.DownloadWindow.Milliseconds()
	stmts := []struct {
		sql string
		arg any
	}{
		{`DELETE FROM download_marks WHERE win < ?`, win},
		{`DELETE FROM rate_limits WHERE win < ?`, now.Add(-24*time.Hour).UnixMilli() / time.Minute.Milliseconds()},
		{`DELETE FROM login_failures WHERE at < ?`, db.Millis(now.Add(-s.cfg.LoginWindow))},
		{`DELETE FROM sessions WHERE expires_at < ?`, db.Millis(now)},
		{`DELETE FROM servers WHERE last_seen < ?`, db.Millis(now.Add(-10 * s.cfg.ServerTTL))},
	}
	for _, st := range stmts {
		if _, err := q.Exec(ctx, st.sql, st.arg); err != nil {
			return rep, err
		}
	}
	return rep, nil
}
