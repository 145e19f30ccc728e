package cli_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nanoforge/nanoforge/internal/cli"
	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/storeclient"
)

// Benchmarks (scripts/bench.d/60-cli.sh prints them as ratios):
//   - installing a game-mode with five requirements through the CLI against the same six
//     archives fetched with plain HTTP GETs (no resolve, verification or unpacking);
//   - uploading a 50 MiB package through the CLI (validate, zip, check, send) against a plain
//     multipart POST of the same archive bytes to a loopback sink.

var installFixture struct {
	once  sync.Once
	gm    string
	items []storeclient.ResolvedItem
	size  int64 // bytes of all items' archives
	err   error
}

// setupInstallFixture publishes a game-mode with five requirements (four scripts in a chain
// and one asset pack), each holding about 1 MiB of files.
func setupInstallFixture(b *testing.B) {
	installFixture.once.Do(func() {
		token, author, err := benchAuthor("nanoforge-bench-author-")
		if err != nil {
			installFixture.err = err
			return
		}
		defer os.RemoveAll(author)
		suffix := fmt.Sprint(userSeq.Add(1))
		props := "bench-props-" + suffix
		libs := []string{"bench-lib1-" + suffix, "bench-lib2-" + suffix, "bench-lib3-" + suffix, "bench-lib4-" + suffix}
		gm := "bench-gm-" + suffix
		payload := func(seed int) map[string]string {
			files := map[string]string{}
			for i := 0; i < 8; i++ {
				// Lua-like text compresses like real scripts do.
				files[fmt.Sprintf("Shared/mod%d.lua", i)] = strings.Repeat(fmt.Sprintf("local v%d_%d = %d -- value\n", seed, i, i), 3000)
			}
			return files
		}
		rels := []release{{kind: storeclient.Assets, name: props, version: "1.0.0", extra: map[string]string{"Content/blob.uasset": randomString(512 << 10)}}}
		for i, l := range libs {
			r := release{kind: storeclient.Packages, name: l, version: "1.0.0", assets: []string{props}, extra: payload(i)}
			if i > 0 {
				r.packages = []string{libs[i-1]}
			}
			rels = append(rels, r)
		}
		rels = append(rels, release{kind: storeclient.Packages, name: gm, version: "1.0.0", pkgType: manifest.KindGameMode, packages: []string{libs[3], libs[0]}, assets: []string{props}, extra: payload(9)})
		for _, r := range rels {
			if err := publishQuiet(author, token, r); err != nil {
				installFixture.err = err
				return
			}
		}
		c, _ := storeclient.New(storeURL, "")
		items, err := c.Resolve(context.Background(), storeclient.ResolveRequest{Packages: []string{gm}})
		if err != nil {
			installFixture.err = err
			return
		}
		if len(items) != 6 {
			installFixture.err = fmt.Errorf("resolve gave %d items, want 6", len(items))
			return
		}
		for _, it := range items {
			installFixture.size += it.Size
		}
		installFixture.gm, installFixture.items = gm, items
	})
	if installFixture.err != nil {
		b.Fatal(installFixture.err)
	}
}

func randomString(n int) string {
	buf := make([]byte, n)
	rand.Read(buf)
	return string(buf)
}

// benchAuthor creates a Store account and a temporary author folder named after prefix.
func benchAuthor(prefix string) (token, author string, err error) {
	if token, err = newAccount(); err != nil {
		return "", "", err
	}
	if author, err = os.MkdirTemp("", prefix); err != nil {
		return "", "", err
	}
	return token, author, nil
}

// publishQuiet publishes through the CLI and returns its error instead of failing a test.
func publishQuiet(author, token string, rel release) error {
	dir, file, body, err := renderRelease(author, rel)
	if err != nil {
		return err
	}
	os.RemoveAll(dir)
	files := map[string]string{file: string(body), "Server/Index.lua": "-- bench\n"}
	if rel.kind == storeclient.Assets {
		delete(files, "Server/Index.lua")
	}
	for k, v := range rel.extra {
		files[k] = v
	}
	if err := writeTree(dir, files); err != nil {
		return err
	}
	r := cliRun(context.Background(), "", "", false, noEnv,
		"upload", rel.kind.Singular(), rel.name, "--dir", author, "--token", token, "--changelog", "bench", "--publish", "--store", storeURL)
	if r.code != 0 {
		return fmt.Errorf("publishing %s: %s", rel.name, r.stderr)
	}
	return nil
}

func BenchmarkCLIInstallGameMode5Reqs(b *testing.B) {
	setupInstallFixture(b)
	b.SetBytes(installFixture.size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		server, _ := os.MkdirTemp("", "nanoforge-bench-server-")
		b.StartTimer()
		r := cliRun(context.Background(), server, "", false, noEnv, "install", "package", installFixture.gm, "--store", storeURL)
		b.StopTimer()
		if r.code != 0 || strings.Count(r.stdout, "Installed ") != 6 {
			b.Fatalf("install: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		os.RemoveAll(server)
		b.StartTimer()
	}
}

// BenchmarkCLIInstallReferenceHTTP fetches the same six archives with plain GETs.
func BenchmarkCLIInstallReferenceHTTP(b *testing.B) {
	setupInstallFixture(b)
	b.SetBytes(installFixture.size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, it := range installFixture.items {
			resp, err := http.Get(it.DownloadURL)
			if err != nil {
				b.Fatal(err)
			}
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || n != it.Size {
				b.Fatalf("GET %s: %s, %d bytes", it.DownloadURL, resp.Status, n)
			}
		}
	}
}

var uploadFixture struct {
	once   sync.Once
	author string
	token  string
	name   string
	zip    []byte
	err    error
}

const uploadBytes = 50 << 20

// setupUploadFixture writes a package holding 50 MiB: random data (already compressed assets)
// and Lua text, the mix of a real package with media.
func setupUploadFixture(b *testing.B) {
	uploadFixture.once.Do(func() {
		token, author, err := benchAuthor("nanoforge-bench-upload-")
		if err != nil {
			uploadFixture.err = err
			return
		}
		name := fmt.Sprintf("bench-big-%d", userSeq.Add(1))
		files := map[string]string{}
		for i := 0; i < 5; i++ {
			files[fmt.Sprintf("Client/media/track%d.ogg", i)] = randomString(8 << 20)
		}
		files["Client/data.lua"] = luaText(10 << 20)
		rel := release{kind: storeclient.Packages, name: name, version: "1.0.0", extra: files}
		dir, file, body, err := renderRelease(author, rel)
		if err != nil {
			uploadFixture.err = err
			return
		}
		files[file] = string(body)
		if err := writeTree(dir, files); err != nil {
			uploadFixture.err = err
			return
		}
		var zbuf bytes.Buffer
		if _, err := cli.Pack(dir, &zbuf, cli.DefaultPackLimits); err != nil {
			uploadFixture.err = err
			return
		}
		uploadFixture.author, uploadFixture.token, uploadFixture.name, uploadFixture.zip = author, token, name, zbuf.Bytes()
	})
	if uploadFixture.err != nil {
		b.Fatal(uploadFixture.err)
	}
}

var uploadVersion int

// bumpUploadVersion gives the upload fixture's descriptor at toml the next version, since the
// Store refuses a version it already holds.
func bumpUploadVersion(b *testing.B, toml string) {
	b.Helper()
	uploadVersion++
	data, _ := os.ReadFile(toml)
	p, _, err := manifest.ParsePackage(data, toml)
	if err != nil {
		b.Fatal(err)
	}
	p.Version = fmt.Sprintf("1.0.%d", uploadVersion)
	os.WriteFile(toml, p.Render(), 0o644)
}

func BenchmarkCLIUpload50MiB(b *testing.B) {
	setupUploadFixture(b)
	b.SetBytes(uploadBytes)
	toml := filepath.Join(uploadFixture.author, "Packages", uploadFixture.name, manifest.PackageFile)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		bumpUploadVersion(b, toml)
		b.StartTimer()
		r := cliRun(context.Background(), "", "", false, noEnv, "upload", "package", uploadFixture.name, "--dir", uploadFixture.author,
			"--token", uploadFixture.token, "--changelog", "bench", "--store", storeURL)
		if r.code != 0 {
			b.Fatalf("upload: %s", r.stderr)
		}
	}
}

// BenchmarkCLIUploadReferenceHTTP posts the same archive as multipart to a loopback sink.
func BenchmarkCLIUploadReferenceHTTP(b *testing.B) {
	setupUploadFixture(b)
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			io.Copy(io.Discard, part)
		}
		w.WriteHeader(201)
	}))
	defer sink.Close()
	b.SetBytes(uploadBytes)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			mw.WriteField("changelog", "bench")
			fw, _ := mw.CreateFormFile("file", "release.zip")
			fw.Write(uploadFixture.zip)
			mw.Close()
			pw.Close()
		}()
		resp, err := http.Post(sink.URL, mw.FormDataContentType(), pr)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 201 {
			b.Fatal(resp.Status)
		}
	}
}

// luaText returns about n bytes of varied Lua source, which compresses like real scripts.
func luaText(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "local item_%d = { id = %d, weight = %d.%d, label = %q }\n", i, i*7919%100003, i%97, i%13, randomString(6))
	}
	return b.String()
}

// BenchmarkCLIUploadReferenceStore posts a ready-made archive of the same package to the Store
// with a plain multipart request: the Store's own share of an upload, without the CLI's
// validation and zipping.
func BenchmarkCLIUploadReferenceStore(b *testing.B) {
	setupUploadFixture(b)
	toml := filepath.Join(uploadFixture.author, "Packages", uploadFixture.name, manifest.PackageFile)
	b.SetBytes(uploadBytes)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		bumpUploadVersion(b, toml)
		var zbuf bytes.Buffer
		if _, err := cli.Pack(filepath.Dir(toml), &zbuf, cli.DefaultPackLimits); err != nil {
			b.Fatal(err)
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("changelog", "bench")
		fw, _ := mw.CreateFormFile("file", "release.zip")
		fw.Write(zbuf.Bytes())
		mw.Close()
		req, _ := http.NewRequest("POST", storeURL+"/store/v1/packages/"+uploadFixture.name+"/releases", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Token "+uploadFixture.token)
		b.StartTimer()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			b.Fatalf("%s: %s", resp.Status, msg)
		}
	}
}
