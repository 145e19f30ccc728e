package manifest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// SplitAssetRef splits an asset reference "<asset-pack>::<asset-key>" (as in
// map_asset = "nanos-world::BlankMap").
func SplitAssetRef(ref string) (pack, key string, err error) {
	pack, key, ok := strings.Cut(ref, "::")
	if !ok || pack == "" || key == "" || strings.Contains(key, "::") {
		return "", "", fmt.Errorf("asset reference %q: expected \"<asset-pack>::<asset-key>\", e.g. \"nanos-world::BlankMap\"", ref)
	}
	return pack, key, nil
}

// Validate applies the rules a package must meet to be published: a valid
// name, a title, a SemVer version, valid requirement names (no self or
// duplicate requirement), a well-formed map_asset for maps, usable custom
// setting declarations and plain module names. The server does not need
// these to load a package; the Store and `--cli check` do. Every problem is
// reported, joined into one error.
func (p *Package) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	where := p.File
	if where == "" {
		where = p.Name
	}
	if p.Name == "" {
		add("%s: package name unknown: load the package from its folder (the folder name is the name)", where)
	} else if err := CheckName(p.Name); err != nil {
		add("%s: %v", where, err)
	}
	if !p.Kind.Valid() {
		add("%s: unknown package type %q", where, p.Kind)
	}
	if strings.TrimSpace(p.Title) == "" {
		add("%s: meta.title is empty: set a friendly name", where)
	}
	if err := CheckVersion(p.Version); err != nil {
		add("%s: meta.version: %v", where, err)
	}
	checkNames(&errs, where, p.Kind.Section()+".packages_requirements", p.PackagesRequirements, p.Name)
	checkNames(&errs, where, p.Kind.Section()+".assets_requirements", p.AssetsRequirements, "")
	if p.Kind == KindMap {
		if _, _, err := SplitAssetRef(p.MapAsset); err != nil {
			add("%s: map.map_asset: %v", where, err)
		}
	}
	for _, cs := range p.CustomSettings {
		if !cs.Type.Valid() {
			add("%s: custom_settings.%s: unknown type %q: use boolean, integer, floating, select or text", where, cs.Key, cs.Type)
		} else if cs.Type == SettingSelect && len(cs.Options) == 0 {
			add("%s: custom_settings.%s: a select setting needs options = [\"a\", \"b\"]", where, cs.Key)
		}
	}
	for _, m := range p.Modules {
		if m == "" || strings.ContainsAny(m, `/\`) || strings.HasSuffix(m, ".dll") || strings.HasSuffix(m, ".so") {
			add("%s: c_module.modules: %q must be a bare module name without folder or extension (\"example\" for libexample.so / example.dll)", where, m)
		}
	}
	return errors.Join(errs...)
}

// Validate applies the publishing rules to an asset pack: a valid name, a
// title, a SemVer version, at least one Unreal folder, valid requirement
// names, and non-empty, unique keys and paths per category.
func (a *AssetPack) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	where := a.File
	if where == "" {
		where = a.Name
	}
	if a.Name == "" {
		add("%s: asset pack name unknown: load the pack from its folder (the folder name is the name)", where)
	} else if err := CheckName(a.Name); err != nil {
		add("%s: %v", where, err)
	}
	if strings.TrimSpace(a.Title) == "" {
		add("%s: meta.title is empty: set a friendly name", where)
	}
	if err := CheckVersion(a.Version); err != nil {
		add("%s: meta.version: %v", where, err)
	}
	if len(a.UnrealFolders) == 0 {
		add("%s: unreal.unreal_folders is empty: list the root folders inside Content/ to mount", where)
	}
	checkNames(&errs, where, "asset_pack.assets_requirements", a.AssetsRequirements, a.Name)
	for _, c := range a.categories() {
		seen := map[string]bool{}
		for _, as := range a.Assets[c] {
			switch {
			case strings.TrimSpace(as.Key) == "":
				add("%s: assets.%s: an asset has an empty key", where, c)
			case seen[as.Key]:
				add("%s: assets.%s.%s: duplicate key", where, c, as.Key)
			case strings.TrimSpace(as.Path) == "":
				add("%s: assets.%s.%s: empty path", where, c, as.Key)
			}
			seen[as.Key] = true
		}
	}
	return errors.Join(errs...)
}

// SplitRequirement splits a requirement entry into the package or asset
// pack name and an optional version pin after '@' ("default-weapons@^1.2"
// gives "default-weapons", "^1.2"). The server loads by name; the Store
// honours the pin when resolving downloads.
func SplitRequirement(req string) (name, pin string) {
	name, pin, _ = strings.Cut(strings.TrimSpace(req), "@")
	return strings.TrimSpace(name), strings.TrimSpace(pin)
}

// checkNames validates a requirement list: valid names with an optional
// SemVer version or constraint pin, no duplicates, and not the package
// itself.
func checkNames(errs *[]error, where, key string, reqs []string, self string) {
	seen := map[string]bool{}
	for _, req := range reqs {
		n, pin := SplitRequirement(req)
		if strings.Contains(req, "@") {
			if _, err := semver.NewConstraint(pin); pin == "" || err != nil {
				*errs = append(*errs, fmt.Errorf("%s: %s: %q: the version after '@' must be a version or constraint such as 1.2.0 or ^1.2", where, key, req))
			}
		}
		switch {
		case seen[n]:
			*errs = append(*errs, fmt.Errorf("%s: %s: %q is listed twice", where, key, n))
		case self != "" && n == self:
			*errs = append(*errs, fmt.Errorf("%s: %s: a package cannot require itself", where, key))
		default:
			if err := CheckName(n); err != nil {
				*errs = append(*errs, fmt.Errorf("%s: %s: %v", where, key, err))
			}
		}
		seen[n] = true
	}
}
