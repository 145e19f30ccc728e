// Package packages finds the server's packages and asset packs and decides what loads, in which
// order: the game-mode first, then the script packages in Config.toml's `packages` order, then
// the map package, each package's `packages_requirements` before it, recursively, each package
// once (nanos-spec §4.10).
//
// The rules it enforces:
//
//   - only script packages can be required; requiring another kind fails the requiring
//     package with a message naming both;
//   - a requirement cycle fails every package on it and is reported whole (`a -> b -> c -> a`);
//   - a missing or broken package fails itself and every package that needs it, with the
//     requirement chain in the message; everything else still loads;
//   - one game-mode and one loading-screen: a second one is reported naming both;
//   - any loaded package with force_no_map_package stops the map package from loading;
//     load_level_entities is on when any loaded package turns it on;
//   - asset packs come from Config.toml's `assets`, every loaded package's
//     `assets_requirements` and the packs' own requirements; a missing one is reported
//     naming who requires it.
//
// Manifests are read through a Source, so the graph logic is independent of files: DirSource
// reads `Packages/` and `Assets/` of a server folder with internal/manifest.
package packages

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nanoforge/nanoforge/internal/scripthost"
)

// KindCModule is the c-module package kind, which this server recognises but cannot run.
const KindCModule scripthost.Kind = "c-module"

// BuiltinAssetPack is the asset pack every client has; requiring it needs no folder.
const BuiltinAssetPack = "nanos-world"

// BuiltinMaps are the map names that need no package (server-configuration.mdx).
var BuiltinMaps = []string{"default-blank-map", "default-empty-map", "default-ocean-map", "default-testing-map"}

// ErrNotFound is wrapped by Source errors for a package or asset pack that has no folder.
var ErrNotFound = errors.New("not found")

// Info is what the loader needs of one package's manifest.
type Info struct {
	Name, Title, Author, Version string
	Kind                         scripthost.Kind
	// Dir is the absolute path of the package folder.
	Dir                  string
	CompatibilityVersion string
	PackagesRequirements []string
	AssetsRequirements   []string
	ForceNoMapPackage    bool
	LoadLevelEntities    bool
	// Map packages: the level ("<asset-pack>::<asset-key>"), spawn points and [custom_data].
	MapAsset    string
	SpawnPoints []scripthost.SpawnPoint
	CustomData  map[string]any
	// Warnings are the manifest's non-fatal remarks, already formatted with file and line.
	Warnings []string
	// Manifest is the parsed manifest (a *manifest.Package for DirSource), kept for the
	// game-mode's custom settings declarations.
	Manifest any
}

// ScriptPackage converts i to what the script host needs.
func (i *Info) ScriptPackage() scripthost.Package {
	return scripthost.Package{
		Name: i.Name, Title: i.Title, Author: i.Author, Version: i.Version, Kind: i.Kind,
		Dir: i.Dir, CompatibilityVersion: i.CompatibilityVersion,
		Requirements: slices.Clone(i.PackagesRequirements),
	}
}

// Source reads manifests by name.
type Source interface {
	// Package returns the named package's manifest; the error wraps ErrNotFound when the
	// package has no folder.
	Package(name string) (*Info, error)
	// AssetPack returns the asset packs the named pack requires; the error wraps ErrNotFound
	// when the pack has no folder.
	AssetPack(name string) (requires []string, err error)
}

// Selection is what Config.toml (and the command line) ask to load.
type Selection struct {
	GameMode      string
	Packages      []string
	Map           string
	LoadingScreen string
	Assets        []string
}

// Failure is a package that will not load, and why.
type Failure struct {
	// Package is the package that is not loaded.
	Package string
	// Chain runs from Package along requirements to the package at fault (just Package when
	// the fault is its own).
	Chain []string
	// Err is the fault itself.
	Err error
}

// Error describes the failure with its requirement chain.
func (f *Failure) Error() string {
	if len(f.Chain) <= 1 {
		return fmt.Sprintf("package '%s' not loaded: %v", f.Package, f.Err)
	}
	return fmt.Sprintf("package '%s' not loaded: requirement chain %s: %v",
		f.Package, strings.Join(f.Chain, " -> "), f.Err)
}

// Unwrap returns the fault.
func (f *Failure) Unwrap() error { return f.Err }

// Plan is the outcome of Resolve.
type Plan struct {
	// Order lists the packages to load into the script host, in load order.
	Order []*Info
	// GameMode, Map and LoadingScreen are the loaded packages of those kinds, or nil.
	GameMode, Map, LoadingScreen *Info
	// MapSkippedBy names the package whose force_no_map_package kept the map package out.
	MapSkippedBy string
	// LoadLevelEntities is on when any loaded package turns it on.
	LoadLevelEntities bool
	// AssetPacks are the asset packs to load, in order of first mention.
	AssetPacks []string
	// Failures are the packages that will not load.
	Failures []*Failure
	// AssetErrors are asset packs that are missing or broken, naming who requires them.
	AssetErrors []error
	// MissingPackages and MissingAssets name the packages and asset packs that have no
	// folder, in order of first mention: what --auto_download fetches.
	MissingPackages, MissingAssets []string
	// Notes are remarks worth a log line (duplicates, built-in maps, ignored entries).
	Notes []string
}

// Loaded reports whether the plan loads the named package.
func (p *Plan) Loaded(name string) bool {
	return slices.ContainsFunc(p.Order, func(i *Info) bool { return i.Name == name })
}

// Resolve computes the load plan for sel. It never fails as a whole: every problem is recorded
// in the plan and the rest still loads.
func Resolve(sel Selection, src Source) *Plan {
	p := &Plan{}
	r := newResolver(src, nil)

	if sel.GameMode != "" {
		if info := r.root(p, sel.GameMode, "game_mode", scripthost.KindGameMode); info != nil {
			p.GameMode = info
		}
	}
	if sel.LoadingScreen != "" {
		info, err := r.lookup(sel.LoadingScreen)
		switch {
		case err != nil:
			p.fail(sel.LoadingScreen, err)
		case info.Kind != scripthost.KindLoadingScreen:
			p.fail(sel.LoadingScreen, fmt.Errorf("loading_screen = %q is a %s package, not a loading-screen", info.Name, info.Kind))
		default:
			p.LoadingScreen = info
		}
	}
	seen := map[string]bool{}
	for _, name := range sel.Packages {
		if name == "" {
			continue
		}
		if seen[name] {
			p.Notes = append(p.Notes, fmt.Sprintf("package '%s' is listed more than once in packages; it loads once", name))
			continue
		}
		seen[name] = true
		info, err := r.lookup(name)
		if err != nil {
			p.fail(name, err)
			continue
		}
		switch info.Kind {
		case scripthost.KindScript:
			if ce := r.visit(name); ce != nil {
				p.Failures = append(p.Failures, ce.failure(name))
			}
		case scripthost.KindGameMode:
			switch {
			case p.GameMode != nil && p.GameMode.Name == name:
				p.Notes = append(p.Notes, fmt.Sprintf("game-mode '%s' is also listed in packages; it loads once", name))
			case p.GameMode != nil || sel.GameMode != "":
				first := sel.GameMode
				p.fail(name, fmt.Errorf("only one game-mode can be loaded: '%s' (game_mode) and '%s' (in packages); remove one of them", first, name))
			default:
				p.Notes = append(p.Notes, fmt.Sprintf("game-mode '%s' is listed in packages; loading it as the game-mode (set game_mode = %q instead)", name, name))
				if info := r.root(p, name, "packages", scripthost.KindGameMode); info != nil {
					p.GameMode = info
				}
			}
		case scripthost.KindLoadingScreen:
			switch {
			case p.LoadingScreen != nil && p.LoadingScreen.Name == name:
				p.Notes = append(p.Notes, fmt.Sprintf("loading-screen '%s' is also listed in packages", name))
			case p.LoadingScreen != nil || sel.LoadingScreen != "":
				p.fail(name, fmt.Errorf("only one loading-screen can be loaded: '%s' (loading_screen) and '%s' (in packages); remove one of them", sel.LoadingScreen, name))
			default:
				p.Notes = append(p.Notes, fmt.Sprintf("loading-screen '%s' is listed in packages; using it as the loading screen (set loading_screen = %q instead)", name, name))
				p.LoadingScreen = info
			}
		case scripthost.KindMap:
			p.fail(name, fmt.Errorf("'%s' is a map package; set map = %q instead of listing it in packages", name, name))
		case KindCModule:
			p.fail(name, fmt.Errorf("'%s' is a c-module package, which this server cannot load", name))
		default:
			p.fail(name, fmt.Errorf("'%s' has unknown package type %q", name, info.Kind))
		}
	}
	p.Order = r.order

	for _, info := range p.Order {
		if info.ForceNoMapPackage {
			p.MapSkippedBy = info.Name
			break
		}
	}
	p.resolveMap(sel.Map, r)

	for _, info := range p.Order {
		p.LoadLevelEntities = p.LoadLevelEntities || info.LoadLevelEntities
	}
	p.resolveAssets(sel.Assets, src)
	for _, f := range p.Failures {
		last := f.Chain[len(f.Chain)-1]
		if errors.Is(f.Err, ErrNotFound) && !slices.Contains(p.MissingPackages, last) && !IsBuiltinMap(last) {
			p.MissingPackages = append(p.MissingPackages, last)
		}
	}
	// A package named under the wrong key (map = "a-script") may still load through another
	// entry; then the mistake is worth a note, not a "not loaded" failure.
	p.Failures = slices.DeleteFunc(p.Failures, func(f *Failure) bool {
		if p.Loaded(f.Package) {
			p.Notes = append(p.Notes, f.Err.Error())
			return true
		}
		return false
	})
	return p
}

func (p *Plan) fail(name string, err error) {
	p.Failures = append(p.Failures, &Failure{Package: name, Chain: []string{name}, Err: err})
}

// root visits a package named by Config.toml under key, which must be of kind want.
func (r *resolver) root(p *Plan, name, key string, want scripthost.Kind) *Info {
	info, err := r.lookup(name)
	if err != nil {
		p.fail(name, err)
		return nil
	}
	if info.Kind != want {
		p.fail(name, fmt.Errorf("%s names '%s', which is a %s package, not a %s", key, name, info.Kind, want))
		return nil
	}
	if ce := r.visit(name); ce != nil {
		p.Failures = append(p.Failures, ce.failure(name))
		return nil
	}
	return info
}

// IsBuiltinMap reports whether name is a map every server has without a package.
func IsBuiltinMap(name string) bool { return slices.Contains(BuiltinMaps, name) }

// builtinMapAssets are the levels of the built-in maps in the built-in asset pack, whose
// DefaultAssetPack.toml maps TestingMap, BlankMap, OceanMap and EmptyMap.
var builtinMapAssets = map[string]string{
	"default-blank-map":   BuiltinAssetPack + "::BlankMap",
	"default-empty-map":   BuiltinAssetPack + "::EmptyMap",
	"default-ocean-map":   BuiltinAssetPack + "::OceanMap",
	"default-testing-map": BuiltinAssetPack + "::TestingMap",
}

// BuiltinMapAsset returns the level ("nanos-world::BlankMap") of a built-in map, or "" when
// name is not one.
func BuiltinMapAsset(name string) string { return builtinMapAssets[name] }

// resolveMap finds Config.toml's map package with its requirements. An old asset reference and a
// built-in map that is not installed are not failures (the server runs without a map package):
// the first is noted, the second needs nothing, since every server has it without a package.
func (p *Plan) resolveMap(name string, r *resolver) {
	if name == "" {
		return
	}
	if strings.Contains(name, "::") {
		p.Notes = append(p.Notes, fmt.Sprintf("map %q is an asset reference of an old Config.toml, not a map package; no map package loads", name))
		return
	}
	info, err := r.lookup(name)
	if errors.Is(err, ErrNotFound) && IsBuiltinMap(name) {
		return
	}
	if p.MapSkippedBy != "" {
		p.Notes = append(p.Notes, fmt.Sprintf("map package '%s' not loaded: package '%s' sets force_no_map_package", name, p.MapSkippedBy))
		return
	}
	if err != nil {
		p.fail(name, err)
		return
	}
	if info.Kind != scripthost.KindMap {
		p.fail(name, fmt.Errorf("map names '%s', which is a %s package, not a map", name, info.Kind))
		return
	}
	if ce := r.visit(name); ce != nil {
		p.Failures = append(p.Failures, ce.failure(name))
		return
	}
	p.Map = info
	p.Order = r.order
}

// AssetPackNoter is a Source that also returns an asset pack manifest's warnings (an old
// format converted, unknown keys), which the plan keeps as notes. DirSource is one.
type AssetPackNoter interface {
	AssetPackNotes(name string) (requires, notes []string, err error)
}

func (p *Plan) resolveAssets(configured []string, src Source) {
	seen := map[string]bool{}
	// The map's own asset pack loads first, then Config.toml's (nanos-spec §9.1).
	if p.Map != nil && p.Map.MapAsset != "" {
		if pack, _, ok := strings.Cut(p.Map.MapAsset, "::"); ok && pack != "" {
			p.addAssets(pack, fmt.Sprintf("map package '%s' (map_asset)", p.Map.Name), src, seen)
		}
	}
	for _, a := range configured {
		p.addAssets(a, "Config.toml assets", src, seen)
	}
	for _, info := range p.Order {
		for _, a := range info.AssetsRequirements {
			p.addAssets(a, fmt.Sprintf("package '%s'", info.Name), src, seen)
		}
	}
}

// RequireAssets adds the asset packs that info requires, and theirs, to a plan that does not
// load them yet: a package loaded from the console brings its assets_requirements, and a map
// the pack of its map_asset. Problems
// are appended to AssetErrors and Notes as Resolve records them.
func (p *Plan) RequireAssets(info *Info, src Source) {
	seen := map[string]bool{}
	for _, a := range p.AssetPacks {
		seen[a] = true
	}
	if pack, _, ok := strings.Cut(info.MapAsset, "::"); ok && info.Kind == scripthost.KindMap && pack != "" {
		p.addAssets(pack, fmt.Sprintf("map package '%s' (map_asset)", info.Name), src, seen)
	}
	for _, a := range info.AssetsRequirements {
		p.addAssets(a, fmt.Sprintf("package '%s'", info.Name), src, seen)
	}
}

// addAssets adds the asset pack name, required by by, then its own requirements.
func (p *Plan) addAssets(name, by string, src Source, seen map[string]bool) {
	if name == "" || seen[name] {
		return
	}
	seen[name] = true
	if name == BuiltinAssetPack {
		p.AssetPacks = append(p.AssetPacks, name)
		return
	}
	var reqs, notes []string
	var err error
	if n, ok := src.(AssetPackNoter); ok {
		reqs, notes, err = n.AssetPackNotes(name)
		p.Notes = append(p.Notes, notes...)
	} else {
		reqs, err = src.AssetPack(name)
	}
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			if !slices.Contains(p.MissingAssets, name) {
				p.MissingAssets = append(p.MissingAssets, name)
			}
			p.AssetErrors = append(p.AssetErrors, fmt.Errorf("asset pack '%s' required by %s is missing: no folder Assets/%s (install it or remove it from %s)", name, by, name, by))
		} else {
			p.AssetErrors = append(p.AssetErrors, fmt.Errorf("asset pack '%s' required by %s: %w", name, by, err))
		}
		return
	}
	p.AssetPacks = append(p.AssetPacks, name)
	for _, req := range reqs {
		p.addAssets(req, fmt.Sprintf("asset pack '%s'", name), src, seen)
	}
}

// ResolveLoad returns the packages to load for a runtime `package load NAME`: NAME's
// requirements that are not loaded yet, in order, then NAME. loaded is what is loaded now.
func ResolveLoad(name string, loaded []*Info, src Source) ([]*Info, error) {
	isLoaded := map[string]bool{}
	for _, l := range loaded {
		isLoaded[l.Name] = true
	}
	if isLoaded[name] {
		return nil, fmt.Errorf("package '%s' is already loaded (use package reload %s)", name, name)
	}
	r := newResolver(src, isLoaded)
	info, err := r.lookup(name)
	if err != nil {
		return nil, (&Failure{Package: name, Chain: []string{name}, Err: err})
	}
	switch info.Kind {
	case scripthost.KindScript:
	case scripthost.KindMap:
		for _, l := range loaded {
			if l.Kind == scripthost.KindMap {
				return nil, fmt.Errorf("only one map can be loaded: '%s' is loaded, so '%s' cannot be; change it with map %s", l.Name, name, name)
			}
		}
	case scripthost.KindGameMode:
		for _, l := range loaded {
			if l.Kind == scripthost.KindGameMode {
				return nil, fmt.Errorf("only one game-mode can be loaded: '%s' is loaded, so '%s' cannot be; unload '%s' first", l.Name, name, l.Name)
			}
		}
	case KindCModule:
		return nil, fmt.Errorf("'%s' is a c-module package, which this server cannot load", name)
	default:
		return nil, fmt.Errorf("'%s' is a %s package, which has no scripts to load", name, info.Kind)
	}
	if ce := r.visit(name); ce != nil {
		return nil, ce.failure(name)
	}
	return r.order, nil
}

// Dependents returns the loaded packages that need name, directly or through others, in
// reverse load order (the order to unload them in).
func Dependents(name string, loaded []*Info) []string {
	needs := map[string]bool{name: true}
	var out []string
	// One pass in load order suffices: requirements load before the packages needing them.
	for _, l := range loaded {
		if l.Name == name {
			continue
		}
		for _, req := range l.PackagesRequirements {
			if needs[req] {
				needs[l.Name] = true
				out = append(out, l.Name)
				break
			}
		}
	}
	slices.Reverse(out)
	return out
}

const (
	unvisited = iota
	visiting
	done
	failed
)

// chainErr is a failure seen from one package: the chain from it to the fault.
type chainErr struct {
	chain []string
	cause error
}

func (c *chainErr) failure(name string) *Failure {
	return &Failure{Package: name, Chain: slices.Clone(c.chain), Err: c.cause}
}

type resolver struct {
	src      Source
	loaded   map[string]bool
	infos    map[string]*Info
	errs     map[string]error
	state    map[string]int
	failures map[string]*chainErr
	stack    []string
	order    []*Info
}

func newResolver(src Source, loaded map[string]bool) *resolver {
	return &resolver{
		src: src, loaded: loaded,
		infos: map[string]*Info{}, errs: map[string]error{},
		state: map[string]int{}, failures: map[string]*chainErr{},
	}
}

func (r *resolver) lookup(name string) (*Info, error) {
	if info, ok := r.infos[name]; ok {
		return info, nil
	}
	if err, ok := r.errs[name]; ok {
		return nil, err
	}
	info, err := r.src.Package(name)
	if err == nil && info == nil {
		err = fmt.Errorf("package '%s': no manifest", name)
	}
	if err != nil {
		r.errs[name] = err
		return nil, err
	}
	r.infos[name] = info
	return info, nil
}

// visit loads name's requirements depth-first, then appends name to the order.
func (r *resolver) visit(name string) *chainErr {
	switch r.state[name] {
	case done:
		return nil
	case failed:
		return r.failures[name]
	case visiting:
		i := slices.Index(r.stack, name)
		cycle := append(slices.Clone(r.stack[i:]), name)
		return &chainErr{chain: []string{name},
			cause: fmt.Errorf("requirement cycle %s (remove one of these packages_requirements)", strings.Join(cycle, " -> "))}
	}
	if r.loaded[name] {
		r.state[name] = done
		return nil
	}
	info, err := r.lookup(name)
	if err != nil {
		return r.markFailed(name, &chainErr{chain: []string{name}, cause: err})
	}
	r.state[name] = visiting
	r.stack = append(r.stack, name)
	defer func() { r.stack = r.stack[:len(r.stack)-1] }()
	for _, req := range info.PackagesRequirements {
		if req == name {
			return r.markFailed(name, &chainErr{chain: []string{name},
				cause: fmt.Errorf("package '%s' requires itself (remove it from its packages_requirements)", name)})
		}
		if !r.loaded[req] {
			reqInfo, err := r.lookup(req)
			if err != nil {
				return r.markFailed(name, &chainErr{chain: []string{name, req}, cause: err})
			}
			if reqInfo.Kind == KindCModule {
				// nanos world allows requiring a c-module; this server cannot load one.
				return r.markFailed(name, &chainErr{chain: []string{name, req},
					cause: fmt.Errorf("'%s' is a c-module package, which this server cannot load (remove it from packages_requirements of '%s')", req, name)})
			}
			if reqInfo.Kind != scripthost.KindScript {
				return r.markFailed(name, &chainErr{chain: []string{name},
					cause: fmt.Errorf("package '%s' requires '%s', which is a %s package; only script packages can be required (remove '%s' from packages_requirements of '%s')",
						name, req, reqInfo.Kind, req, name)})
			}
		}
		if ce := r.visit(req); ce != nil {
			return r.markFailed(name, &chainErr{chain: append([]string{name}, ce.chain...), cause: ce.cause})
		}
	}
	r.state[name] = done
	r.order = append(r.order, info)
	return nil
}

// markFailed remembers why name cannot load so that every package requiring it reports the same
// chain without resolving it again.
func (r *resolver) markFailed(name string, ce *chainErr) *chainErr {
	r.state[name] = failed
	r.failures[name] = ce
	return ce
}
