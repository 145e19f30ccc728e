package store

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nanoforge/nanoforge/internal/store/core"
	"github.com/nanoforge/nanoforge/internal/store/storetest"
)

// childEnv names the data folder when this test binary runs as a Store process for
// TestKilledProcessDuringUpload; childGraceEnv sets its orphan grace period.
const (
	childEnv      = "NANOFORGE_STORE_TEST_CHILD_DATA"
	childGraceEnv = "NANOFORGE_STORE_TEST_CHILD_GRACE"
)

// TestStoreChildProcess is not a test on its own: with childEnv set it serves a Store on
// 127.0.0.1 until killed, printing its address on standard output.
func TestStoreChildProcess(t *testing.T) {
	data := os.Getenv(childEnv)
	if data == "" {
		t.Skip("runs only as the child process of TestKilledProcessDuringUpload")
	}
	grace, _ := time.ParseDuration(os.Getenv(childGraceEnv))
	cfg := Config{Listen: "127.0.0.1:0", Data: data, Core: core.Config{Argon2: core.Argon2Params{Time: 1, Memory: 64, Threads: 1}, OrphanGrace: grace}}
	st, err := Open(context.Background(), cfg)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	st.Serve(context.Background(), func(addr string) { fmt.Println("listening", addr) })
	os.Exit(0)
}

// startChild runs the Store in a child process and returns its base URL.
func startChild(t *testing.T, data string, grace time.Duration) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestStoreChildProcess$")
	cmd.Env = append(os.Environ(), childEnv+"="+data, childGraceEnv+"="+grace.String())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "listening ") || strings.HasPrefix(sc.Text(), "error ") {
				lines <- sc.Text()
				break
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case l := <-lines:
		if !strings.HasPrefix(l, "listening ") {
			t.Fatalf("child store: %s", l)
		}
		return cmd, "http://" + strings.TrimPrefix(l, "listening ")
	case <-time.After(20 * time.Second):
		t.Fatal("child store did not start within 20s")
	}
	return nil, ""
}

func countFiles(t *testing.T, dir, prefix string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), prefix) {
			n++
		}
		return nil
	})
	return n
}

// A Store process killed (SIGKILL) in the middle of an upload leaves no visible release, and
// the next start removes the partial upload.
func TestKilledProcessDuringUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Store processes")
	}
	data := t.TempDir()
	// An account and token, made before any process serves.
	st, err := Open(context.Background(), Config{Data: data, Core: core.Config{Argon2: core.Argon2Params{Time: 1, Memory: 64, Threads: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.Service.CreateUser(context.Background(), "kim", "password-kim", false, false)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := st.Service.CreateToken(context.Background(), core.Actor{UserID: u.ID, Name: u.Name, Scopes: core.ScopeAll}, "", "t", core.ScopeAll, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	child, base := startChild(t, data, time.Hour)
	zip := storetest.Zip(t, "Package.toml", storetest.PackageToml("1.0.0", nil, nil), "big.bin", strings.Repeat("x", 4<<20))
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	req, _ := http.NewRequest(http.MethodPost, base+"/store/v1/packages/killed/releases", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Token "+token)
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("the upload finished with %s", resp.Status)
		}
		done <- err
	}()
	fw, _ := mw.CreateFormFile("file", "release.zip")
	fw.Write(zip[:len(zip)/2])
	// Wait until the Store is spooling the zip, then kill it.
	tmp := filepath.Join(data, "tmp")
	deadline := time.Now().Add(20 * time.Second)
	for countFiles(t, tmp, "upload-") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the Store never started spooling the upload")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	pw.CloseWithError(io.ErrClosedPipe)
	if err := <-done; err == nil || strings.Contains(err.Error(), "finished") {
		t.Fatalf("upload against a killed Store: %v", err)
	}
	if countFiles(t, tmp, "upload-") == 0 {
		t.Fatal("the kill left no partial upload, so the test did not interrupt anything")
	}

	// Restarted (with a short grace period so the partial file counts as old), the Store
	// removes it and shows no release.
	time.Sleep(20 * time.Millisecond)
	_, base = startChild(t, data, time.Millisecond)
	if n := countFiles(t, tmp, "upload-"); n != 0 {
		t.Fatalf("%d partial uploads left after a restart", n)
	}
	if n := countFiles(t, filepath.Join(data, "blobs", "zip"), ""); n != 0 {
		t.Fatalf("%d zips stored for an upload that never finished", n)
	}
	r, _ := http.NewRequest(http.MethodGet, base+"/api/v1/packages/killed", nil)
	r.Header.Set("Authorization", "Token "+token)
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("after the killed upload the resource answers %d, want 404", resp.StatusCode)
	}
}
