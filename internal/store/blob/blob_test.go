package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nanoforge/nanoforge/internal/store/blob"
	"github.com/nanoforge/nanoforge/internal/store/storetest"
)

// Both implementations behave the same: atomic put, seekable open, stat, list, delete.
func TestStores(t *testing.T) {
	for _, kind := range []string{"local", "s3"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.BlobStore(t, kind, t.TempDir())
			data := bytes.Repeat([]byte("0123456789"), 1000)
			if err := s.Put(ctx, "zip/ab/cd/abcd", bytes.NewReader(data), int64(len(data))); err != nil {
				t.Fatal(err)
			}
			// A second put of the same key is a no-op, not an error.
			if err := s.Put(ctx, "zip/ab/cd/abcd", bytes.NewReader(data), int64(len(data))); err != nil {
				t.Fatal(err)
			}
			o, err := s.Open(ctx, "zip/ab/cd/abcd")
			if err != nil {
				t.Fatal(err)
			}
			if o.Size() != int64(len(data)) || o.ModTime().IsZero() {
				t.Fatalf("size %d modtime %v", o.Size(), o.ModTime())
			}
			if _, err := o.Seek(5000, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			part := make([]byte, 10)
			io.ReadFull(o, part)
			o.Close()
			if string(part) != "0123456789" {
				t.Fatalf("seek+read: %q", part)
			}
			if info, err := s.Stat(ctx, "zip/ab/cd/abcd"); err != nil || info.Size != int64(len(data)) {
				t.Fatalf("stat: %+v %v", info, err)
			}
			if _, err := s.Stat(ctx, "zip/none"); !errors.Is(err, blob.ErrNotFound) {
				t.Fatalf("missing stat: %v", err)
			}
			if _, err := s.Open(ctx, "zip/none"); !errors.Is(err, blob.ErrNotFound) {
				t.Fatalf("missing open: %v", err)
			}
			s.Put(ctx, "toml/x", strings.NewReader("t"), 1)
			list, err := s.List(ctx, "zip/")
			if err != nil || len(list) != 1 || list[0].Key != "zip/ab/cd/abcd" {
				t.Fatalf("list: %+v %v", list, err)
			}
			if err := s.Delete(ctx, "zip/ab/cd/abcd"); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, "zip/ab/cd/abcd"); err != nil {
				t.Fatalf("deleting a missing key: %v", err)
			}
			if list, _ := s.List(ctx, "zip/"); len(list) != 0 {
				t.Fatalf("after delete: %+v", list)
			}
			// A short write (wrong size) leaves nothing under the key.
			if err := s.Put(ctx, "zip/short", strings.NewReader("abc"), 10); err == nil {
				t.Fatal("short write accepted")
			}
			if _, err := s.Stat(ctx, "zip/short"); !errors.Is(err, blob.ErrNotFound) {
				t.Fatalf("short write left an object: %v", err)
			}
		})
	}
}

func TestLocalRefusesEscapingKeys(t *testing.T) {
	dir := t.TempDir()
	s, err := blob.NewLocal(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../x", "/abs", "", `a\b`} {
		if err := s.Put(context.Background(), key, strings.NewReader("x"), 1); err == nil {
			t.Errorf("key %q accepted", key)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Fatal("a key escaped the store folder")
	}
}
