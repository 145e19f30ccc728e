// Package storetest gives Store tests their backends: SQLite in a temporary folder or
// PostgreSQL in a schema of its own (NANOFORGE_TEST_POSTGRES), a local or an in-process
// S3-compatible blob store, and release zips built in memory.
package storetest

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/nanoforge/nanoforge/internal/store/blob"
	"github.com/nanoforge/nanoforge/internal/store/db"
)

// Backend names a database and blob store combination.
type Backend struct {
	Name string
	DB   string // "sqlite" or "postgres"
	Blob string // "local" or "s3"
}

// Backends are the combinations every Store test runs on; PostgreSQL ones are skipped when
// NANOFORGE_TEST_POSTGRES is unset.
var Backends = []Backend{
	{"sqlite-local", "sqlite", "local"},
	{"postgres-s3", "postgres", "s3"},
}

// Env is an opened backend.
type Env struct {
	DBURL string
	DB    *db.DB
	Blob  blob.Store
	Dir   string
}

// Open opens a fresh database and blob store for the test; both are removed when it ends.
func Open(t testing.TB, b Backend) *Env {
	t.Helper()
	e := &Env{Dir: t.TempDir()}
	e.DBURL = DatabaseURL(t, b.DB, e.Dir)
	var err error
	e.DB, err = db.Open(context.Background(), e.DBURL)
	if err != nil {
		t.Fatalf("open %s database: %v", b.DB, err)
	}
	t.Cleanup(func() { e.DB.Close() })
	e.Blob = BlobStore(t, b.Blob, e.Dir)
	return e
}

// DatabaseURL returns the URL of a fresh, empty database of the given kind.
func DatabaseURL(t testing.TB, kind, dir string) string {
	t.Helper()
	if kind == "sqlite" {
		return filepath.Join(dir, "store.db")
	}
	base := os.Getenv("NANOFORGE_TEST_POSTGRES")
	if base == "" {
		t.Skip("NANOFORGE_TEST_POSTGRES is unset; set it to a PostgreSQL URL (see .ci/run) to run the PostgreSQL variant")
	}
	var rb [6]byte
	rand.Read(rb[:])
	schema := "nfs_test_" + hex.EncodeToString(rb[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// BlobStore opens a local folder store or an in-process S3-compatible server.
func BlobStore(t testing.TB, kind, dir string) blob.Store {
	t.Helper()
	if kind == "local" {
		b, err := blob.NewLocal(filepath.Join(dir, "blobs"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	srv := S3Server(t)
	b, err := blob.NewS3(context.Background(), blob.S3Options{Endpoint: srv, AccessKey: "test", SecretKey: "testtest", Bucket: "store", Region: "us-east-1"})
	if err != nil {
		t.Fatalf("s3: %v", err)
	}
	return b
}

// S3Server starts an in-process S3-compatible server on 127.0.0.1 and returns its URL.
func S3Server(t testing.TB) string {
	faker := gofakes3.New(s3mem.New())
	ts := httptest.NewServer(faker.Server())
	t.Cleanup(ts.Close)
	return ts.URL
}

// Zip builds a zip from name → content pairs, in order.
func Zip(t testing.TB, files ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for i := 0; i+1 < len(files); i += 2 {
		f, err := w.CreateHeader(&zip.FileHeader{Name: files[i], Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(files[i+1]))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// PackageToml renders a script package manifest.
func PackageToml(version string, pkgReqs, assetReqs []string) string {
	return fmt.Sprintf("[meta]\ntitle = \"Test package\"\nauthor = \"tests\"\nversion = %q\n\n[script]\npackages_requirements = %s\nassets_requirements = %s\n",
		version, tomlList(pkgReqs), tomlList(assetReqs))
}

// AssetsToml renders an asset pack manifest.
func AssetsToml(version string, assetReqs []string) string {
	return fmt.Sprintf("[meta]\ntitle = \"Test assets\"\nauthor = \"tests\"\nversion = %q\n\n[asset_pack]\nassets_requirements = %s\n",
		version, tomlList(assetReqs))
}

func tomlList(xs []string) string {
	s := "["
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", x)
	}
	return s + "]"
}

// PackageZip is a minimal valid package release.
func PackageZip(t testing.TB, version string, pkgReqs ...string) []byte {
	return Zip(t, "Package.toml", PackageToml(version, pkgReqs, nil), "Server/Index.lua", "print('hello')\n")
}
