package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
		frag string
	}{
		{"sandbox", true, ""},
		{"default-weapons", true, ""},
		{"nmrp-2", true, ""},
		{strings.Repeat("a", 64), true, ""},
		{strings.Repeat("a", 65), false, "limit is 64"},
		{"", false, "empty"},
		{"Sandbox", false, `"sandbox"`},
		{"my_package", false, `'_'`},
		{"my package", false, `"my-package"`},
		{"ünï", false, "position 1"},
		{"a.b", false, `"a-b"`},
	}
	for _, tt := range tests {
		err := CheckName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("CheckName(%q) = %v", tt.name, err)
		}
		if err != nil && !strings.Contains(err.Error(), tt.frag) {
			t.Errorf("CheckName(%q) error %q lacks %q", tt.name, err, tt.frag)
		}
	}
	for in, want := range map[string]string{"My Awesome Package!": "my-awesome-package", "__": "package", "Among Us": "among-us", strings.Repeat("ab-", 40): strings.TrimRight(strings.Repeat("ab-", 40)[:64], "-")} {
		if got := SuggestName(in); got != want || CheckName(got) != nil {
			t.Errorf("SuggestName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckVersion(t *testing.T) {
	for _, v := range []string{"0.1.0", "1.2.3", "10.20.30", "1.0.0-beta.1", "1.0.0+build.5"} {
		if err := CheckVersion(v); err != nil {
			t.Errorf("CheckVersion(%q) = %v", v, err)
		}
	}
	for v, frag := range map[string]string{"1.0": `"1.0.0"`, "1": `"1.0.0"`, "v1.2.3": "leading v", "": `"0.1.0"`, "1.2.3.4": "SemVer", "01.2.3": "SemVer", "abc": "SemVer"} {
		err := CheckVersion(v)
		if err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("CheckVersion(%q) = %v, want %q", v, err, frag)
		}
	}
}

// mkfiles creates files (and their folders) under dir; a name ending in /
// makes an empty folder.
func mkfiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCheckLayout(t *testing.T) {
	dir := t.TempDir()
	mkfiles(t, dir, map[string]string{
		"server/Index.lua":  "",
		"Client/index.lua":  "",
		"Shared/Index.lua":  "",
		"Shared/Other.lua":  "",
		"Assets/Readme.txt": "",
	})
	warns := CheckLayout(dir)
	if len(warns) != 2 {
		t.Errorf("warnings: %v", warns)
	}
	if !hasWarning(warns, "server", `"Server"`, "case-sensitive", "loads it anyway", "rename it") {
		t.Errorf("no miscased folder warning: %v", warns)
	}
	if !hasWarning(warns, "index.lua", `"Index.lua"`, "runs it anyway") {
		t.Errorf("no miscased Index.lua warning: %v", warns)
	}

	dir2 := t.TempDir()
	mkfiles(t, dir2, map[string]string{"Server/Main.lua": "", "Client/": ""})
	warns = CheckLayout(dir2)
	if len(warns) != 1 || !hasWarning(warns, "no Index.lua") {
		t.Errorf("warnings: %v", warns)
	}
	if w := CheckLayout(filepath.Join(dir, "missing")); len(w) != 1 || !strings.Contains(w[0].Message, "cannot read") {
		t.Errorf("missing folder: %v", w)
	}
}

func TestLoadPackageDirCurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sandbox")
	src := readTestdata(t, "packages/gen3-game-mode.toml")
	mkfiles(t, dir, map[string]string{"Package.toml": string(src), "Server/Index.lua": "", "Shared/Index.lua": ""})
	p, warns, err := LoadPackageDir(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	if p.Name != "sandbox" || p.Kind != KindGameMode || p.Backup != "" || p.Generated {
		t.Errorf("got %+v", p)
	}
	// a current-format file is never rewritten: the author's comments stay
	after, _ := os.ReadFile(filepath.Join(dir, "Package.toml"))
	if string(after) != string(src) {
		t.Error("current Package.toml was rewritten")
	}
}

func TestLoadPackageDirConvertsOldFormats(t *testing.T) {
	for _, file := range []string{"gen1-executable.toml", "gen1-tabs-crlf.toml", "gen2-game-mode.toml", "gen2-tabs-crlf.toml", "gen2-library.toml"} {
		t.Run(file, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "old-package")
			orig := readTestdata(t, "packages/"+file)
			mkfiles(t, dir, map[string]string{"Package.toml": string(orig), "Server/Index.lua": ""})
			p, warns, err := LoadPackageDir(dir, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !hasWarning(warns, "converted") || !hasWarning(warns, "Package.toml.old") {
				t.Errorf("warnings: %v", warns)
			}
			bak, err := os.ReadFile(filepath.Join(dir, "Package.toml.old"))
			if err != nil || string(bak) != string(orig) {
				t.Fatalf("original not kept: %v", err)
			}
			if p.Backup != filepath.Join(dir, "Package.toml.old") || p.Name != "old-package" {
				t.Errorf("backup %q name %q", p.Backup, p.Name)
			}
			conv, err := os.ReadFile(filepath.Join(dir, "Package.toml"))
			if err != nil {
				t.Fatal(err)
			}
			crlfIn, crlfOut := strings.Contains(string(orig), "\r\n"), strings.Count(string(conv), "\r\n")
			if crlfIn && crlfOut != strings.Count(string(conv), "\n") || !crlfIn && crlfOut != 0 {
				t.Errorf("line ends not kept: CRLF in original %v, %d CRLF in the converted file", crlfIn, crlfOut)
			}
			q, qw, err := ParsePackage(conv, "converted")
			if err != nil || q.Generation != Current {
				t.Fatalf("converted file: %v gen %d\n%s", err, q.Generation, conv)
			}
			for _, w := range qw {
				t.Errorf("converted file warning: %v", w)
			}
			q.Name = p.Name
			if a, b := normalized(p), normalized(q); !reflect.DeepEqual(a, b) {
				t.Errorf("converted model differs:\n%+v\n%+v", a, b)
			}
			// loading again changes nothing more
			p2, warns2, err := LoadPackageDir(dir, LoadOptions{})
			if err != nil || len(warns2) != 0 || p2.Generation != Current {
				t.Errorf("second load: %v %v", err, warns2)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 3 {
				t.Errorf("folder has %d entries after two loads", len(entries))
			}
		})
	}
}

func TestLoadPackageDirBackupNeverOverwritten(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pkg")
	gen1 := readTestdata(t, "packages/gen1-executable.toml")
	mkfiles(t, dir, map[string]string{"Package.toml": string(gen1), "Package.toml.old": "earlier backup"})
	p, _, err := LoadPackageDir(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Backup != filepath.Join(dir, "Package.toml.old.1") {
		t.Errorf("backup %q", p.Backup)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Package.toml.old")); string(b) != "earlier backup" {
		t.Error("earlier backup overwritten")
	}
}

func TestLoadPackageDirReadOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pkg")
	gen2 := readTestdata(t, "packages/gen2-game-mode.toml")
	mkfiles(t, dir, map[string]string{"Package.toml": string(gen2)})
	p, warns, err := LoadPackageDir(dir, LoadOptions{ReadOnly: true})
	if err != nil || p.Kind != KindGameMode || p.Generation != Gen2 || p.Backup != "" {
		t.Fatalf("%+v %v", p, err)
	}
	if !hasWarning(warns, "converted") {
		t.Errorf("warnings %v", warns)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("read-only load wrote files: %v", entries)
	}
	empty := filepath.Join(t.TempDir(), "bare")
	mkfiles(t, empty, map[string]string{"Shared/Index.lua": ""})
	p, _, err = LoadPackageDir(empty, LoadOptions{ReadOnly: true})
	if err != nil || !p.Generated || p.Kind != KindScript {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := os.Stat(filepath.Join(empty, "Package.toml")); err == nil {
		t.Error("read-only load generated a file")
	}
}

func TestLoadPackageDirNoGenerate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bare")
	mkfiles(t, dir, map[string]string{"Server/Index.lua": ""})
	_, _, err := LoadPackageDir(dir, LoadOptions{NoGenerate: true})
	if !errors.Is(err, ErrNoManifest) || !strings.Contains(err.Error(), "no Package.toml") {
		t.Errorf("err = %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Error("NoGenerate wrote a file")
	}
	// an old Map.toml is still a descriptor
	mkfiles(t, dir, map[string]string{"Map.toml": string(readTestdata(t, "packages/map-old.toml"))})
	if p, _, err := LoadPackageDir(dir, LoadOptions{NoGenerate: true, ReadOnly: true}); err != nil || p.Kind != KindMap {
		t.Errorf("Map.toml with NoGenerate: %v", err)
	}
	if _, _, err := LoadAssetsDir(dir, LoadOptions{}); !errors.Is(err, ErrNoManifest) {
		t.Errorf("assets err = %v", err)
	}
}

func TestLoadPackageDirGenerates(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		opts    LoadOptions
		kind    Kind
		modules []string
		warn    string
	}{
		{"scripts", map[string]string{"Server/Index.lua": "", "Client/Index.lua": ""}, LoadOptions{}, KindScript, nil, ""},
		{"empty folder", map[string]string{"README.md": ""}, LoadOptions{}, KindScript, nil, ""},
		{"default kind", map[string]string{"Server/Index.lua": ""}, LoadOptions{DefaultKind: KindGameMode}, KindGameMode, nil, ""},
		{"lua wins over a non-lua default", map[string]string{"Server/Index.lua": ""}, LoadOptions{DefaultKind: KindLoadingScreen}, KindScript, nil, ""},
		{"loading screen", map[string]string{"index.html": "<html>", "style.css": ""}, LoadOptions{}, KindLoadingScreen, nil, ""},
		{"c module", map[string]string{"libexample.so": "", "example.dll": "", "libother.so": ""}, LoadOptions{}, KindCModule, []string{"example", "other"}, ""},
		{"map default asset", map[string]string{"notes.txt": ""}, LoadOptions{DefaultKind: KindMap}, KindMap, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "bare-package")
			mkfiles(t, dir, tt.files)
			p, warns, err := LoadPackageDir(dir, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !p.Generated || p.Kind != tt.kind || p.Name != "bare-package" || p.Title != "bare-package" {
				t.Errorf("got %+v", p)
			}
			if !reflect.DeepEqual(p.Modules, tt.modules) {
				t.Errorf("modules %q", p.Modules)
			}
			if !hasWarning(warns, "generated one for a "+string(tt.kind)) {
				t.Errorf("warnings %v", warns)
			}
			data, err := os.ReadFile(filepath.Join(dir, "Package.toml"))
			if err != nil {
				t.Fatal(err)
			}
			q, _, err := ParsePackage(data, "generated")
			if err != nil {
				t.Fatal(err)
			}
			q.Name = p.Name
			if a, b := normalized(p), normalized(q); !reflect.DeepEqual(a, b) {
				t.Errorf("generated file differs from model:\n%+v\n%+v", a, b)
			}
			// the second load reads the generated file
			p2, _, err := LoadPackageDir(dir, tt.opts)
			if err != nil || p2.Generated || p2.Kind != tt.kind {
				t.Errorf("second load %+v %v", p2, err)
			}
		})
	}
}

func TestLoadPackageDirMapToml(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "testing-map")
	orig := readTestdata(t, "packages/map-old.toml")
	mkfiles(t, dir, map[string]string{"Map.toml": string(orig), "Server/Index.lua": ""})
	p, warns, err := LoadPackageDir(dir, LoadOptions{MapAsset: "nanos-world::TestingMap"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != KindMap || p.MapAsset != "nanos-world::TestingMap" || p.Title != "testing-map" || len(p.SpawnPoints) != 2 {
		t.Errorf("got %+v", p)
	}
	if !hasWarning(warns, "Map.toml converted") || hasWarning(warns, "map_asset") {
		t.Errorf("warnings %v", warns)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "Map.toml.old")); err != nil || string(b) != string(orig) {
		t.Errorf("Map.toml not kept: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "Package.toml"))
	if err != nil {
		t.Fatal(err)
	}
	q, _, err := ParsePackage(data, "x")
	if err != nil || q.Kind != KindMap || !reflect.DeepEqual(q.SpawnPoints, p.SpawnPoints) || !reflect.DeepEqual(q.CustomData, p.CustomData) {
		t.Errorf("converted: %+v %v", q, err)
	}

	dir2 := filepath.Join(t.TempDir(), "other-map")
	mkfiles(t, dir2, map[string]string{"Map.toml": string(orig)})
	_, warns, err = LoadPackageDir(dir2, LoadOptions{ReadOnly: true})
	if err != nil || !hasWarning(warns, "map.map_asset", "does not name its level") {
		t.Errorf("no map_asset warning: %v %v", warns, err)
	}
}

func TestLoadPackageDirWarningsAndErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "My_Package")
	mkfiles(t, dir, map[string]string{
		"package.toml":     "[meta]\ntitle = \"x\"\nversion = \"1.0.0\"\n[script]\n",
		"server/Index.lua": "",
	})
	p, warns, err := LoadPackageDir(dir, LoadOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "My_Package" {
		t.Errorf("name %q", p.Name)
	}
	for _, frags := range [][]string{{"My_Package", "rename the folder"}, {"package.toml", `must be named "Package.toml"`}, {"server", `"Server"`}} {
		if !hasWarning(warns, frags...) {
			t.Errorf("no warning %q in %v", frags, warns)
		}
	}

	both := filepath.Join(t.TempDir(), "both")
	mkfiles(t, both, map[string]string{"Package.toml": string(readTestdata(t, "packages/gen3-map.toml")), "Map.toml": "[map]\n"})
	if _, warns, err := LoadPackageDir(both, LoadOptions{}); err != nil || len(warns) != 1 || !hasWarning(warns, "Map.toml", "ignored because Package.toml exists") {
		t.Errorf("Map.toml beside Package.toml: %v %v", warns, err)
	}

	bad := filepath.Join(t.TempDir(), "bad")
	mkfiles(t, bad, map[string]string{"Package.toml": "[meta]\n[script]\nauto_cleanup = 1\n"})
	if _, _, err := LoadPackageDir(bad, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "Package.toml:3:1: script.auto_cleanup") {
		t.Errorf("err = %v", err)
	}
	if _, _, err := LoadPackageDir(filepath.Join(bad, "nope"), LoadOptions{}); err == nil {
		t.Error("missing folder loaded")
	}

	ls := filepath.Join(t.TempDir(), "screen")
	mkfiles(t, ls, map[string]string{"Package.toml": string(readTestdata(t, "packages/gen3-loading-screen.toml"))})
	if _, warns, _ := LoadPackageDir(ls, LoadOptions{}); !hasWarning(warns, "without index.html") {
		t.Errorf("loading screen warnings %v", warns)
	}
	cm := filepath.Join(t.TempDir(), "mod")
	mkfiles(t, cm, map[string]string{"Package.toml": string(readTestdata(t, "packages/gen3-c-module.toml")), "libexample.so": ""})
	if _, warns, _ := LoadPackageDir(cm, LoadOptions{}); len(warns) != 1 || !hasWarning(warns, `"lsqlite3"`, "liblsqlite3.so") {
		t.Errorf("c-module warnings %v", warns)
	}
}

// TestLoadPackageDirRollback makes the final rename fail (Package.toml is a
// non-empty folder) and checks the original Map.toml is put back untouched.
func TestLoadPackageDirRollback(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "old-map")
	orig := readTestdata(t, "packages/map-old.toml")
	mkfiles(t, dir, map[string]string{"Map.toml": string(orig), "Package.toml/blocker": ""})
	p, warns, err := LoadPackageDir(dir, LoadOptions{})
	if err != nil || p.Kind != KindMap || p.Backup != "" {
		t.Fatalf("%+v %v", p, err)
	}
	if !hasWarning(warns, "could not write the converted file", "nothing was changed") {
		t.Errorf("warnings %v", warns)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "Map.toml")); err != nil || string(b) != string(orig) {
		t.Errorf("Map.toml not restored: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("leftover files: %v", entries)
	}
}

func TestLoadPackageDirUnwritable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores folder permissions, so an unwritable folder cannot be simulated")
	}
	dir := filepath.Join(t.TempDir(), "pkg")
	mkfiles(t, dir, map[string]string{"Package.toml": string(readTestdata(t, "packages/gen1-executable.toml"))})
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	p, warns, err := LoadPackageDir(dir, LoadOptions{})
	if err != nil || p.Backup != "" || !hasWarning(warns, "could not write") {
		t.Errorf("%v %v", warns, err)
	}
}

func TestWritePackageAndAssets(t *testing.T) {
	root := t.TempDir()
	p, err := NewPackage("my-mode", "My Mode", "me", KindGameMode)
	if err != nil {
		t.Fatal(err)
	}
	p.CustomSettings = []CustomSetting{{Key: "rounds", Label: "rounds", Type: SettingInteger, Description: "per match", Default: int64(3)}}
	dir := filepath.Join(root, "Packages", "my-mode")
	if err := WritePackage(dir, p); err != nil {
		t.Fatal(err)
	}
	q, warns, err := LoadPackageDir(dir, LoadOptions{})
	if err != nil || len(warns) != 0 {
		t.Fatalf("%v %v", warns, err)
	}
	if a, b := normalized(p), normalized(q); !reflect.DeepEqual(a, b) {
		t.Errorf("written package differs:\n%+v\n%+v", a, b)
	}
	a, err := NewAssetPack("my-assets", "", "")
	if err != nil {
		t.Fatal(err)
	}
	a.Assets[AssetSounds] = []Asset{{Key: "A_Hit", Path: "my-assets/Sounds/A_Hit", Meta: map[string]any{"volume": 0.5}}}
	adir := filepath.Join(root, "Assets", "my-assets")
	if err := WriteAssets(adir, a); err != nil {
		t.Fatal(err)
	}
	b, warns, err := LoadAssetsDir(adir, LoadOptions{})
	if err != nil || len(warns) != 0 {
		t.Fatalf("%v %v", warns, err)
	}
	if x, y := normalizedAssets(a), normalizedAssets(b); !reflect.DeepEqual(x, y) {
		t.Errorf("written pack differs:\n%+v\n%+v", x, y)
	}
	// a file where the folder should be makes both fail with the path named
	blocker := filepath.Join(root, "file")
	os.WriteFile(blocker, nil, 0o644)
	if err := WritePackage(filepath.Join(blocker, "x"), p); err == nil || !strings.Contains(err.Error(), "write package") {
		t.Errorf("err = %v", err)
	}
	if err := WriteAssets(filepath.Join(blocker, "x"), a); err == nil || !strings.Contains(err.Error(), "write asset pack") {
		t.Errorf("err = %v", err)
	}
}
