package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/nanoforge/nanoforge/internal/cli"
	"github.com/nanoforge/nanoforge/storeclient"
)

// The public Go client against the real Store: every call of the contract.
func TestStoreClientAgainstTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	token := account(t)
	c := client(t, token)
	author := t.TempDir()
	name := uniq(t, "client")

	me, err := c.Me(ctx)
	if err != nil || me.Name == "" || len(me.Token.Scopes) == 0 {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	if _, err := client(t, "bogus").Me(ctx); !storeclient.IsStatus(err, http.StatusUnauthorized) {
		t.Fatalf("Me with a bad token: %v", err)
	}

	// Upload through the client directly: a draft, then deleted.
	publish(t, author, token, release{kind: storeclient.Packages, name: name, version: "1.0.0"})
	rel := release{kind: storeclient.Packages, name: name, version: "1.1.0", draft: true}
	dir, file, body, err := renderRelease(author, rel)
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{file: string(body), "Server/Index.lua": "-- 1.1.0\n"})
	var zip bytes.Buffer
	packed, err := cli.Pack(dir, &zip, cli.DefaultPackLimits)
	if err != nil {
		t.Fatal(err)
	}
	up, err := c.Upload(ctx, storeclient.UploadRequest{Kind: storeclient.Packages, Name: name, File: bytes.NewReader(zip.Bytes()), Size: packed.Size, Changelog: "draft"})
	if err != nil || up.State != "draft" || up.Version != "1.1.0" || up.SHA256 != packed.SHA256 || up.Resource.Name != name {
		t.Fatalf("Upload = %+v, %v", up, err)
	}
	if err := c.DeleteRelease(ctx, storeclient.Packages, name, "1.1.0"); err != nil {
		t.Fatalf("DeleteRelease: %v", err)
	}
	res, err := c.Resource(ctx, storeclient.Packages, name)
	if err != nil || len(res.Releases) != 1 || res.Latest.Stable != "1.0.0" || res.Kind != storeclient.Packages {
		t.Fatalf("Resource after deleting the draft = %+v, %v", res, err)
	}

	// The nanos-compatible listing shape.
	item, err := c.Item(ctx, storeclient.Packages, name)
	if err != nil || item.Name != name || item.LatestRelease == nil || item.LatestRelease.Version != "1.0.0" || len(item.LatestRelease.Hash) != 64 {
		t.Fatalf("Item = %+v, %v", item, err)
	}
	found := false
	for page := 1; page <= 50 && !found; page++ {
		p, err := c.List(ctx, storeclient.Packages, page, 100)
		if err != nil {
			t.Fatalf("List page %d: %v", page, err)
		}
		for _, it := range p.Items {
			found = found || it.Name == name
		}
		if page >= p.TotalPages {
			break
		}
	}
	if !found {
		t.Errorf("List does not show %s", name)
	}
	hits, err := c.Search(ctx, storeclient.SearchQuery{Q: name, Kind: storeclient.Packages})
	if err != nil || len(hits.Items) == 0 || hits.Items[0].Name != name {
		t.Fatalf("Search = %+v, %v", hits, err)
	}

	// A download by the client's own URL builder, verified.
	var buf bytes.Buffer
	rel1 := res.Releases[0]
	if _, err := c.Download(ctx, storeclient.DownloadRequest{URL: c.DownloadURL(storeclient.Packages, name, "1.0.0"), SHA256: rel1.SHA256, Size: rel1.Size}, &buf); err != nil {
		t.Fatalf("Download: %v", err)
	}
	p := filepath.Join(t.TempDir(), "r.zip")
	os.WriteFile(p, buf.Bytes(), 0o644)
	dest := t.TempDir()
	if _, err := cli.ExtractZip(p, dest, cli.DefaultLimits); err != nil {
		t.Fatalf("the Store's archive does not unpack: %v", err)
	}
}
