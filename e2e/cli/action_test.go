package cli_test

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/nanoforge/nanoforge/internal/manifest"
	"github.com/nanoforge/nanoforge/storeclient"
)

// repoRoot is the repository's root, two levels above this package.
func repoRoot(t *testing.T) string {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// runAction runs the action's script the way action.yml does, with env as its inputs.
func runAction(t *testing.T, workspace string, env map[string]string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(repoRoot(t), "scripts", "action", "upload.sh"))
	cmd.Dir = workspace
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "GITHUB_WORKSPACE=" + workspace,
		"RUNNER_TEMP=" + t.TempDir(), "NANOFORGE_BIN=" + nanoforgeBin}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return runCommand(t, cmd)
}

func TestActionScriptUploadsWithTheReleaseBody(t *testing.T) {
	t.Parallel()
	token := account(t)
	name := uniq(t, "action")
	repo := t.TempDir()
	pkg := filepath.Join(repo, "src")
	p, _ := manifest.NewPackage(name, "From CI", "ci", manifest.KindScript)
	p.Version = "1.0.0"
	writeFiles(t, pkg, map[string]string{
		"Package.toml": string(p.Render()), "Server/Index.lua": "print('ci')\n",
		".git/HEAD": "ref: refs/heads/main\n", ".cache/x": "cache",
	})
	canary := filepath.Join(t.TempDir(), "pwned")
	body := "Fixes\n\n- $(touch " + canary + ")\n- `touch " + canary + "`\n- \"quotes\" and 'more'"
	env := map[string]string{
		"INPUT_FOLDER": "src", "INPUT_NAME": name, "INPUT_TOKEN": token, "INPUT_STORE_URL": storeURL,
		"INPUT_PUBLISH": "false", "INPUT_CHANNEL": "", "RELEASE_BODY": body,
	}
	r := runAction(t, repo, env)
	if r.code != 0 || !strings.Contains(r.stdout, "as a draft") {
		t.Fatalf("action script: %s", r)
	}
	if strings.Contains(r.stdout+r.stderr, token) {
		t.Error("the token was printed")
	}
	if _, err := os.Stat(canary); err == nil {
		t.Fatal("the release body was executed as shell code")
	}
	res, err := client(t, token).Resource(context.Background(), storeclient.Packages, name)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Releases) != 1 || res.Releases[0].State != "draft" || res.Releases[0].Changelog != body {
		t.Fatalf("release = %+v; want one draft with the release body as changelog", res.Releases)
	}

	// Next version: published at once on the beta channel.
	p.Version = "1.1.0"
	writeFiles(t, pkg, map[string]string{"Package.toml": string(p.Render())})
	env["INPUT_PUBLISH"], env["INPUT_CHANNEL"] = "true", "beta"
	if r := runAction(t, repo, env); r.code != 0 || !strings.Contains(r.stdout, "Published") {
		t.Fatalf("publishing run: %s", r)
	}
	res, _ = client(t, token).Resource(context.Background(), storeclient.Packages, name)
	if res.Latest.Beta != "1.1.0" {
		t.Fatalf("latest = %+v; want 1.1.0 on beta", res.Latest)
	}
	// The archive on the Store holds the folder's content at its root, without .git or .cache.
	var buf bytes.Buffer
	c := client(t, token)
	if _, err := c.Download(context.Background(), storeclient.DownloadRequest{URL: c.DownloadURL(storeclient.Packages, name, "1.1.0")}, &buf); err != nil {
		t.Fatalf("downloading the published release: %v", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, "/") { // folder entries
			entries = append(entries, f.Name)
		}
	}
	slices.Sort(entries)
	if want := []string{"Package.toml", "Server/Index.lua"}; !slices.Equal(entries, want) {
		t.Errorf("archive entries = %q; want %q", entries, want)
	}

	// Mistakes are reported as GitHub error annotations.
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"INPUT_NAME": "", "INPUT_TOKEN": token}, "'name' input is required"},
		{map[string]string{"INPUT_NAME": name, "INPUT_TOKEN": ""}, "'token' input is required"},
		{map[string]string{"INPUT_NAME": "Bad Name", "INPUT_TOKEN": token}, "not a valid Store name"},
		{map[string]string{"INPUT_NAME": name, "INPUT_TOKEN": token, "INPUT_FOLDER": "nope"}, "does not exist"},
		{map[string]string{"INPUT_NAME": name, "INPUT_TOKEN": token, "INPUT_FOLDER": "src/Server"}, "no Package.toml or Assets.toml"},
		{map[string]string{"INPUT_NAME": name, "INPUT_TOKEN": token, "INPUT_FOLDER": "src", "INPUT_PUBLISH": "maybe"}, "must be true or false"},
	} {
		r := runAction(t, repo, tt.env)
		if r.code == 0 || !strings.Contains(r.stderr, "::error::") || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("inputs %v: want an ::error:: with %q: %s", tt.env, tt.want, r)
		}
	}
}

// action.yml declares the documented inputs and runs the script this package tests.
func TestActionManifest(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Inputs map[string]struct {
			Required bool    `yaml:"required"`
			Default  *string `yaml:"default"`
		} `yaml:"inputs"`
		Runs struct {
			Using string `yaml:"using"`
			Steps []struct {
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				Env  map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	for _, in := range []string{"folder", "name", "token", "store-url", "publish", "channel", "go-version"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("input %q missing", in)
		}
	}
	if d := a.Inputs["publish"].Default; d == nil || *d != "false" {
		t.Error("publish must default to false")
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q", a.Runs.Using)
	}
	var build, upload bool
	for _, s := range a.Runs.Steps {
		if strings.Contains(s.Run, "go build") && strings.Contains(s.Run, "./cmd/nanoforge") {
			build = true
		}
		if strings.Contains(s.Run, "scripts/action/upload.sh") {
			upload = true
			if s.Env["RELEASE_BODY"] != "${{ github.event.release.body }}" {
				t.Errorf("RELEASE_BODY = %q", s.Env["RELEASE_BODY"])
			}
			if strings.Contains(s.Run, "${{") {
				t.Error("the upload step interpolates expressions into shell code; pass them through env")
			}
		}
	}
	if !build || !upload {
		t.Errorf("steps build=%v upload=%v", build, upload)
	}
}
