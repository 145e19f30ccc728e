package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Descriptor file names.
const (
	PackageFile = "Package.toml"
	MapFile     = "Map.toml"
	AssetsFile  = "Assets.toml"
	// BackupSuffix is appended to an old-format file kept after conversion.
	BackupSuffix = ".old"
)

// ErrNoManifest is wrapped by the error of LoadPackageDir and ReadPackageFS
// for a folder without any descriptor when LoadOptions.NoGenerate is set,
// and by LoadAssetsDir and ReadAssetsFS for a folder without Assets.toml.
var ErrNoManifest = errors.New("no manifest")

// LoadOptions tunes LoadPackageDir and LoadAssetsDir.
type LoadOptions struct {
	// ReadOnly converts or generates descriptors in memory only, never
	// touching the folder (Store validation, `--cli check`).
	ReadOnly bool
	// DefaultKind is the type given to a generated Package.toml when the
	// folder's content does not tell; empty means script.
	DefaultKind Kind
	// NoGenerate makes a folder without Package.toml or Map.toml an error
	// (wrapping ErrNoManifest) instead of generating a descriptor, for
	// callers that only list existing packages.
	NoGenerate bool
	// MapAsset is written as map_asset when converting an old Map.toml,
	// which never named its level asset; when empty the converted file gets
	// an empty map_asset and a warning.
	MapAsset string
}

// LoadPackageDir reads the package in dir. The folder name becomes
// Package.Name (a name that breaks CheckName is a warning, so the server can
// still load it). Old formats are converted: unless ReadOnly, the newest
// rendering replaces Package.toml and the original is kept as
// "Package.toml.old" ("Package.toml.old.1" ... if that exists). An old
// Map.toml is converted to a map Package.toml the same way and renamed to
// "Map.toml.old". A folder without either file gets a generated Package.toml
// whose type is inferred: Server/, Client/ or Shared/ mean a Lua package
// (DefaultKind if it runs Lua, else script), otherwise index.html at the
// root means loading-screen and Lua C modules (*.dll, lib*.so) mean
// c-module, otherwise DefaultKind or script. Miscased
// Server/Client/Shared/Index.lua and missing type-specific files are
// reported as warnings. Failing to write a converted file is a warning: the
// package still loads from memory.
func LoadPackageDir(dir string, opts LoadOptions) (*Package, []Warning, error) {
	name := filepath.Base(filepath.Clean(dir))
	if abs, err := filepath.Abs(dir); err == nil {
		name = filepath.Base(abs)
	}
	src := source{fsys: os.DirFS(dir), label: dir}
	if !opts.ReadOnly {
		src.dir = dir
	}
	return loadPackage(src, name, opts)
}

// ReadPackageFS reads the package at the root of fsys without writing
// anything: the Store uses it on an uploaded archive (a *zip.Reader, or
// fs.Sub of one when the package sits in a folder inside it). name is the
// package name (the folder name); messages name files as "<name>/...".
// Conversion and generation happen in memory as in LoadPackageDir.
func ReadPackageFS(fsys fs.FS, name string, opts LoadOptions) (*Package, []Warning, error) {
	return loadPackage(source{fsys: fsys, label: name}, name, opts)
}

// source is a package or asset-pack folder: where to read, how to name its
// files in messages, and where to write (dir is "" when read-only).
type source struct {
	fsys  fs.FS
	label string
	dir   string
}

func (s source) path(file string) string { return filepath.Join(s.label, file) }

// parse reads file and parses it with parse (ParsePackage or ParseMapToml), adding the parser's
// warnings to warns; the bytes come back as well because a conversion keeps their line ends.
func (s source) parse(name, file string, parse func(data []byte, file string) (*Package, []Warning, error), warns *[]Warning) (*Package, []byte, error) {
	data, err := fs.ReadFile(s.fsys, file)
	if err != nil {
		return nil, nil, fmt.Errorf("load package %s: %w", name, err)
	}
	p, pw, err := parse(data, s.path(file))
	*warns = append(*warns, pw...)
	return p, data, err
}

// open lists the folder's files and, since a folder name is also the name others require it by,
// warns when name is not a valid one; what ("package", "asset pack") names the folder in errors.
func (s source) open(what, name string) ([]fs.DirEntry, []Warning, error) {
	entries, err := fs.ReadDir(s.fsys, ".")
	if err != nil {
		return nil, nil, fmt.Errorf("load %s %s: %w", what, s.label, err)
	}
	var warns []Warning
	if err := CheckName(name); err != nil {
		warns = append(warns, Warning{File: s.label, Message: err.Error() + "; rename the folder"})
	}
	return entries, warns, nil
}

func loadPackage(src source, name string, opts LoadOptions) (*Package, []Warning, error) {
	entries, warns, err := src.open("package", name)
	if err != nil {
		return nil, nil, err
	}

	pkgFile := findFile(entries, PackageFile, src, &warns)
	mapFile := ""
	if pkgFile == "" {
		mapFile = findFile(entries, MapFile, src, &warns)
	} else if old := findFile(entries, MapFile, src, new([]Warning)); old != "" {
		warns = append(warns, Warning{File: src.path(old), Message: "ignored because Package.toml exists: move its spawn points and custom data into Package.toml and delete it"})
	}

	var p *Package
	switch {
	case pkgFile != "":
		path := src.path(pkgFile)
		var data []byte
		if p, data, err = src.parse(name, pkgFile, ParsePackage, &warns); err != nil {
			return nil, warns, err
		}
		if p.Generation < Current || pkgFile != PackageFile {
			if p.Generation < Current {
				warns = append(warns, Warning{File: path, Message: fmt.Sprintf("generation %d format converted to the current [meta] + [%s] format", p.Generation, p.Kind.Section())})
			}
			warns = append(warns, convertFile(src, pkgFile, PackageFile, sameLineEnds(data, p.Render()), &p.Backup)...)
		}
	case mapFile != "":
		path := src.path(mapFile)
		var data []byte
		if p, data, err = src.parse(name, mapFile, ParseMapToml, &warns); err != nil {
			return nil, warns, err
		}
		if p.Title == "" {
			p.Title = name
		}
		if p.MapAsset == "" {
			p.MapAsset = opts.MapAsset
		}
		if p.MapAsset == "" {
			warns = append(warns, Warning{File: path, Key: "map.map_asset", Message: "old Map.toml does not name its level: set map_asset = \"<asset-pack>::<map-key>\" in the converted Package.toml"})
		}
		warns = append(warns, Warning{File: path, Message: "old Map.toml converted to a map package Package.toml"})
		warns = append(warns, convertFile(src, mapFile, PackageFile, sameLineEnds(data, p.Render()), &p.Backup)...)
	case opts.NoGenerate:
		return nil, warns, fmt.Errorf("load package %s: no Package.toml in %s: %w", name, src.label, ErrNoManifest)
	default:
		p = generatePackage(src.fsys, name, entries, opts)
		path := src.path(PackageFile)
		p.File = path
		warns = append(warns, Warning{File: path, Message: fmt.Sprintf("no Package.toml: generated one for a %s package", p.Kind)})
		if src.dir != "" {
			if err := writeAtomic(filepath.Join(src.dir, PackageFile), p.Render()); err != nil {
				warns = append(warns, Warning{File: path, Message: fmt.Sprintf("could not write the generated Package.toml: %v; the package is loaded from memory", err)})
			}
		}
	}
	p.Name = name
	warns = append(warns, checkKindFiles(src, p, entries)...)
	if p.Kind.HasLua() {
		warns = append(warns, CheckLayoutFS(src.fsys, src.label)...)
	}
	return p, warns, nil
}

// sameLineEnds gives a converted file the CRLF line ends of its original, so
// a file edited on Windows stays in the style its editor uses.
func sameLineEnds(original, rendered []byte) []byte {
	if !bytes.Contains(original, []byte("\r\n")) {
		return rendered
	}
	return bytes.ReplaceAll(rendered, []byte("\n"), []byte("\r\n"))
}

// findFile returns the entry named want, or a case-insensitive match with a
// warning, or "".
func findFile(entries []fs.DirEntry, want string, src source, warns *[]Warning) string {
	alt := ""
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if e.Name() == want {
			return want
		}
		if alt == "" && strings.EqualFold(e.Name(), want) {
			alt = e.Name()
		}
	}
	if alt != "" {
		*warns = append(*warns, Warning{File: src.path(alt), Message: fmt.Sprintf("descriptor must be named %q (names are case-sensitive on Linux)", want)})
	}
	return alt
}

// convertFile writes content as newName, keeping oldName beside it under a
// backup name. A read-only source is left untouched.
func convertFile(src source, oldName, newName string, content []byte, backup *string) []Warning {
	dir := src.dir
	if dir == "" {
		return nil
	}
	oldPath := filepath.Join(dir, oldName)
	bak := uniqueBackup(oldPath)
	newPath := filepath.Join(dir, newName)
	tmp, err := writeTemp(dir, newName, content)
	if err != nil {
		return []Warning{{File: newPath, Message: fmt.Sprintf("could not write the converted file: %v; the package is loaded from memory", err)}}
	}
	if err := os.Rename(oldPath, bak); err != nil {
		os.Remove(tmp)
		return []Warning{{File: oldPath, Message: fmt.Sprintf("could not keep the original as %s: %v; nothing was changed on disk", filepath.Base(bak), err)}}
	}
	if err := os.Rename(tmp, newPath); err != nil {
		os.Remove(tmp)
		if rerr := os.Rename(bak, oldPath); rerr != nil {
			return []Warning{{File: newPath, Message: fmt.Sprintf("could not write the converted file: %v; the original is at %s", err, bak)}}
		}
		return []Warning{{File: newPath, Message: fmt.Sprintf("could not write the converted file: %v; nothing was changed on disk", err)}}
	}
	*backup = bak
	return []Warning{{File: newPath, Message: fmt.Sprintf("rewritten in the current format; the original is kept as %s", filepath.Base(bak))}}
}

// uniqueBackup picks "<path>.old", or "<path>.old.N" when taken, so an
// earlier backup is never overwritten.
func uniqueBackup(path string) string {
	bak := path + BackupSuffix
	for i := 1; ; i++ {
		if _, err := os.Lstat(bak); errors.Is(err, fs.ErrNotExist) {
			return bak
		}
		bak = path + BackupSuffix + "." + strconv.Itoa(i)
	}
}

func writeTemp(dir, name string, content []byte) (string, error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp*")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(content); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// writeAtomic replaces path with content through a temporary file, so a
// crash never leaves a half-written descriptor.
func writeAtomic(path string, content []byte) error {
	tmp, err := writeTemp(filepath.Dir(path), filepath.Base(path), content)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// generatePackage makes up a manifest for a folder without one.
func generatePackage(fsys fs.FS, name string, entries []fs.DirEntry, opts LoadOptions) *Package {
	kind := opts.DefaultKind
	if !kind.Valid() {
		kind = KindScript
	}
	var modules []string
	hasHTML := false
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		n := e.Name()
		if strings.EqualFold(n, "index.html") {
			hasHTML = true
		}
		if m := moduleName(n); m != "" && !containsString(modules, m) {
			modules = append(modules, m)
		}
	}
	hasLua := false
	for _, f := range layoutFolders {
		if st, err := fs.Stat(fsys, f); err == nil && st.IsDir() {
			hasLua = true
		}
	}
	switch {
	case hasLua:
		// Lua folders decide: keep DefaultKind unless it cannot run Lua.
		if !kind.HasLua() {
			kind = KindScript
		}
	case hasHTML:
		kind = KindLoadingScreen
	case len(modules) > 0:
		kind = KindCModule
	}
	p := &Package{
		Name: name, Generation: Current, Generated: true, Kind: kind,
		Title: name, Author: "Contributor Names", Version: "0.1.0",
	}
	if kind.HasLua() {
		p.AutoCleanup = true
		p.CompatibilityVersion = DefaultCompatVersion
	}
	if kind == KindCModule {
		p.Modules = modules
	}
	if kind == KindMap {
		p.MapAsset = opts.MapAsset
		if p.MapAsset == "" {
			p.MapAsset = "nanos-world::BlankMap"
		}
	}
	return p
}

// moduleName returns the module a binary file provides ("example" for
// example.dll or libexample.so), or "".
func moduleName(file string) string {
	lower := strings.ToLower(file)
	switch {
	case strings.HasSuffix(lower, ".dll"):
		return file[:len(file)-4]
	case strings.HasPrefix(file, "lib") && strings.HasSuffix(file, ".so") && len(file) > 6:
		return file[3 : len(file)-3]
	}
	return ""
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// checkKindFiles reports files a package type needs but lacks.
func checkKindFiles(src source, p *Package, entries []fs.DirEntry) []Warning {
	var warns []Warning
	switch p.Kind {
	case KindLoadingScreen:
		found := false
		for _, e := range entries {
			if !e.IsDir() && strings.EqualFold(e.Name(), "index.html") {
				found = true
			}
		}
		if !found {
			warns = append(warns, Warning{File: src.label, Message: "loading-screen package without index.html at its root: add the page to show while players load"})
		}
	case KindCModule:
		for _, m := range p.Modules {
			if !exists(src.fsys, m+".dll") && !exists(src.fsys, "lib"+m+".so") {
				warns = append(warns, Warning{File: src.label, Key: "c_module.modules", Message: fmt.Sprintf("module %q has neither lib%s.so nor %s.dll in the package root", m, m, m)})
			}
		}
	}
	return warns
}

func exists(fsys fs.FS, name string) bool {
	if !fs.ValidPath(name) {
		return false
	}
	_, err := fs.Stat(fsys, name)
	return err == nil
}

// LoadAssetsDir reads the asset pack in dir (its Assets.toml). Old formats
// are converted like packages: unless ReadOnly, the newest rendering
// replaces Assets.toml and the original is kept as "Assets.toml.old". The
// folder name becomes AssetPack.Name.
func LoadAssetsDir(dir string, opts LoadOptions) (*AssetPack, []Warning, error) {
	name := filepath.Base(filepath.Clean(dir))
	if abs, err := filepath.Abs(dir); err == nil {
		name = filepath.Base(abs)
	}
	src := source{fsys: os.DirFS(dir), label: dir}
	if !opts.ReadOnly {
		src.dir = dir
	}
	return loadAssets(src, name)
}

// ReadAssetsFS reads the asset pack at the root of fsys without writing
// anything (Store uploads); name is the pack's folder name.
func ReadAssetsFS(fsys fs.FS, name string) (*AssetPack, []Warning, error) {
	return loadAssets(source{fsys: fsys, label: name}, name)
}

func loadAssets(src source, name string) (*AssetPack, []Warning, error) {
	entries, warns, err := src.open("asset pack", name)
	if err != nil {
		return nil, nil, err
	}
	file := findFile(entries, AssetsFile, src, &warns)
	if file == "" {
		return nil, warns, fmt.Errorf("load asset pack %s: %w: no Assets.toml in %s; an asset pack folder needs one (see the template in docs/packages.md)", name, ErrNoManifest, src.label)
	}
	path := src.path(file)
	data, err := fs.ReadFile(src.fsys, file)
	if err != nil {
		return nil, warns, fmt.Errorf("load asset pack %s: %w", name, err)
	}
	a, aw, err := ParseAssets(data, path)
	warns = append(warns, aw...)
	if err != nil {
		return nil, warns, err
	}
	a.Name = name
	if a.Generation < AssetsGen3 || file != AssetsFile {
		if a.Generation < AssetsGen3 {
			warns = append(warns, Warning{File: path, Message: fmt.Sprintf("generation %d format converted to the current [meta] + [asset_pack] + [unreal] format", a.Generation)})
		}
		var bak string
		warns = append(warns, convertFile(src, file, AssetsFile, sameLineEnds(data, a.Render()), &bak)...)
	}
	return a, warns, nil
}

// WritePackage writes p in the newest format as dir/Package.toml, creating
// dir if needed. The write is atomic (temporary file, then rename), so a
// reader never sees half a file. It is what `--cli add` uses after
// NewPackage.
func WritePackage(dir string, p *Package) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write package %s: %w", dir, err)
	}
	if err := writeAtomic(filepath.Join(dir, PackageFile), p.Render()); err != nil {
		return fmt.Errorf("write package %s: %w", dir, err)
	}
	return nil
}

// WriteAssets writes a in the newest format as dir/Assets.toml, creating dir
// if needed, atomically like WritePackage.
func WriteAssets(dir string, a *AssetPack) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write asset pack %s: %w", dir, err)
	}
	if err := writeAtomic(filepath.Join(dir, AssetsFile), a.Render()); err != nil {
		return fmt.Errorf("write asset pack %s: %w", dir, err)
	}
	return nil
}
