// Package store assembles the Nanoforge Store: database, blob storage, domain services and the
// HTTP API, with an optional web UI mounted at "/".
//
// Layers import one way: db, blob and zipcheck know nothing of the rest; core uses them; httpauth
// and api use core; this package wires everything for cmd/nanoforge-store.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/nanoforge/nanoforge/internal/store/api"
	"github.com/nanoforge/nanoforge/internal/store/blob"
	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/db"
)

// Config is everything a Store needs to start.
type Config struct {
	Listen    string // address to serve on, default 127.0.0.1:8080
	Data      string // local data folder, default ./store-data
	Database  string // postgres:// URL, or empty for SQLite in Data
	Blob      string // local folder or s3://bucket[/prefix]; default Data/blobs
	S3        blob.S3Options
	PublicURL string // external URL, used for links and the Secure cookie flag
	Signup    bool   // whether anyone may create an account
	RateLimit int    // API requests per client per minute; 0 disables
	Core      core.Config
	Logger    *slog.Logger
	// Web is the web UI, mounted at "/" (optional).
	Web http.Handler
	// NewWeb builds the web UI once the domain service exists; it is used when Web is nil.
	NewWeb func(svc *core.Service, secureCookies bool) http.Handler
}

// Store is an assembled, running-ready Store.
type Store struct {
	Service *core.Service
	Handler http.Handler
	DB      *db.DB
	cfg     Config
}

// Open connects storage, runs migrations, removes what interrupted uploads left behind and
// builds the HTTP handler.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Data == "" {
		cfg.Data = "store-data"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	dbURL := cfg.Database
	if dbURL == "" {
		dbURL = filepath.Join(cfg.Data, "store.db")
	}
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	blobSpec := cfg.Blob
	if blobSpec == "" {
		blobSpec = filepath.Join(cfg.Data, "blobs")
	}
	b, err := blob.Open(ctx, blobSpec, cfg.S3)
	if err != nil {
		d.Close()
		return nil, err
	}
	cc := cfg.Core
	cc.SignupOpen = cfg.Signup
	cc.Logger = cfg.Logger
	if cc.TmpDir == "" {
		cc.TmpDir = filepath.Join(cfg.Data, "tmp")
	}
	svc, err := core.New(d, b, cc)
	if err != nil {
		d.Close()
		return nil, err
	}
	if rep, err := svc.Cleanup(ctx); err != nil {
		cfg.Logger.Warn("store cleanup at start failed", "err", err)
	} else if rep.OrphanBlobs+rep.TempFiles > 0 {
		cfg.Logger.Info("store cleanup", "orphan_blobs", rep.OrphanBlobs, "temp_files", rep.TempFiles)
	}
	if cfg.Web == nil && cfg.NewWeb != nil {
		cfg.Web = cfg.NewWeb(svc, strings.HasPrefix(cfg.PublicURL, "https://"))
	}
	h := api.New(svc, api.Options{PublicURL: cfg.PublicURL, RateLimit: cfg.RateLimit, Logger: cfg.Logger}, cfg.Web)
	return &Store{Service: svc, Handler: h, DB: d, cfg: cfg}, nil
}

// SecureCookies reports whether session cookies must be marked Secure (public URL is https).
func (s *Store) SecureCookies() bool { return strings.HasPrefix(s.cfg.PublicURL, "https://") }

// Close releases the database.
func (s *Store) Close() error { return s.DB.Close() }

// Serve listens on the configured address until ctx ends, then shuts down gracefully (in-flight
// requests get up to 30 seconds). ready, when not nil, receives the bound address.
func (s *Store) Serve(ctx context.Context, ready func(addr string)) error {
	addr := s.cfg.Listen
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("store: listen on %s: %w (is another Store running? use --listen)", addr, err)
	}
	srv := &http.Server{Handler: s.Handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	if ready != nil {
		ready(ln.Addr().String())
	}
	s.cfg.Logger.Info("store listening", "addr", ln.Addr().String())
	go func() {
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if _, err := s.Service.Cleanup(ctx); err != nil && ctx.Err() == nil {
					s.cfg.Logger.Warn("store cleanup failed", "err", err)
				}
			}
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}
