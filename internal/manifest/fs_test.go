package manifest

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestReadPackageFSFromZip(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"sandbox/Package.toml":     string(readTestdata(t, "packages/gen2-game-mode.toml")),
		"sandbox/Server/Index.lua": "print('hi')",
		"sandbox/client/Index.lua": "",
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := fs.Sub(zr, "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	p, warns, err := ReadPackageFS(sub, "sandbox", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "sandbox" || p.Kind != KindGameMode || p.Generation != Gen2 || p.Backup != "" || p.File != "sandbox/Package.toml" {
		t.Errorf("got %+v", p)
	}
	if !hasWarning(warns, "sandbox/client", `"Client"`) || !hasWarning(warns, "sandbox/Package.toml", "converted") {
		t.Errorf("warnings %v", warns)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("validate: %v", err)
	}
}

func TestReadPackageFSGenerates(t *testing.T) {
	fsys := fstest.MapFS{
		"index.html": {Data: []byte("<html>")},
	}
	p, warns, err := ReadPackageFS(fsys, "my-screen", LoadOptions{})
	if err != nil || p.Kind != KindLoadingScreen || !p.Generated || p.File != "my-screen/Package.toml" {
		t.Fatalf("%+v %v", p, err)
	}
	if !hasWarning(warns, "generated one for a loading-screen") || hasWarning(warns, "without index.html") {
		t.Errorf("warnings %v", warns)
	}
	cm := fstest.MapFS{
		"Package.toml": {Data: readTestdata(t, "packages/gen3-c-module.toml")},
		"example.dll":  {Data: nil},
	}
	_, warns, err = ReadPackageFS(cm, "mod", LoadOptions{})
	if err != nil || len(warns) != 1 || !hasWarning(warns, "mod: c_module.modules", `"lsqlite3"`) {
		t.Errorf("%v %v", warns, err)
	}
	if _, _, err := ReadPackageFS(fstest.MapFS{"Package.toml": {Data: []byte("[meta]\n")}}, "x", LoadOptions{}); err == nil {
		t.Error("package without a type accepted")
	}
}

func TestReadAssetsFS(t *testing.T) {
	fsys := fstest.MapFS{"Assets.toml": {Data: readTestdata(t, "assets/new-asset-pack.toml")}}
	a, warns, err := ReadAssetsFS(fsys, "nanos-world")
	if err != nil || len(warns) != 0 || a.Name != "nanos-world" || a.Count() != 7 {
		t.Fatalf("%+v %v %v", a, warns, err)
	}
	if err := a.Validate(); err != nil {
		t.Errorf("validate: %v", err)
	}
	if _, _, err := ReadAssetsFS(fstest.MapFS{}, "empty"); err == nil {
		t.Error("pack without Assets.toml accepted")
	}
}

func TestCheckLayoutFS(t *testing.T) {
	fsys := fstest.MapFS{
		"SHARED/index.LUA": {},
		"Server/Index.lua": {},
	}
	warns := CheckLayoutFS(fsys, "pkg")
	if len(warns) != 2 || !hasWarning(warns, "pkg/SHARED", `"Shared"`) || !hasWarning(warns, "pkg/SHARED/index.LUA", `"Index.lua"`) {
		t.Errorf("warnings %v", warns)
	}
}
