// Package packagestest writes package folders for tests and benchmarks: a Package.toml in the
// newest format (rendered by internal/manifest) and optional Lua entry files.
package packagestest

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/nanoforge/nanoforge/internal/manifest"
)

// Spec describes one package to write.
type Spec struct {
	Name     string
	Kind     manifest.Kind
	Requires []string
	Assets   []string
	// Server and Shared are the contents of Server/Index.lua and Shared/Index.lua; empty
	// means the file is not written.
	Server, Shared string
	// Edit may change the manifest before it is rendered.
	Edit func(p *manifest.Package)
}

// Write creates `<root>/Packages/<spec.Name>` and returns its path.
func Write(root string, spec Spec) (string, error) {
	kind := spec.Kind
	if kind == "" {
		kind = manifest.KindScript
	}
	p, err := manifest.NewPackage(spec.Name, spec.Name, "tests", kind)
	if err != nil {
		return "", err
	}
	p.PackagesRequirements = spec.Requires
	p.AssetsRequirements = spec.Assets
	if spec.Edit != nil {
		spec.Edit(p)
	}
	dir := filepath.Join(root, "Packages", spec.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, manifest.PackageFile), p.Render(), 0o644); err != nil {
		return "", err
	}
	for sub, code := range map[string]string{"Server": spec.Server, "Shared": spec.Shared} {
		if code == "" {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, sub, "Index.lua"), []byte(code), 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// MustWrite is Write for tests: it stops the test on failure.
func MustWrite(t interface {
	Helper()
	Fatalf(string, ...any)
}, root string, specs ...Spec) {
	t.Helper()
	for _, s := range specs {
		if _, err := Write(root, s); err != nil {
			t.Fatalf("writing package %s: %v", s.Name, err)
		}
	}
}

// WriteAssetPack creates `<root>/Assets/<name>` with an Assets.toml requiring reqs.
func WriteAssetPack(root, name string, reqs ...string) error {
	a, err := manifest.NewAssetPack(name, name, "tests")
	if err != nil {
		return err
	}
	a.AssetsRequirements = reqs
	dir := filepath.Join(root, "Assets", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, manifest.AssetsFile), a.Render(), 0o644)
}

// Chain returns n script packages named prefix1..prefixN where each requires the next.
func Chain(prefix string, n int) []Spec {
	var out []Spec
	for i := 1; i <= n; i++ {
		s := Spec{Name: fmt.Sprintf("%s%d", prefix, i)}
		if i < n {
			s.Requires = []string{fmt.Sprintf("%s%d", prefix, i+1)}
		}
		out = append(out, s)
	}
	return out
}
