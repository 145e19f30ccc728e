package manifest

import (
	"math"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzRenderModel builds models from arbitrary strings and numbers (rather
// than from parsed files) and checks that rendering them gives a file that
// parses back to the same model: escaping of titles, keys, paths, options
// and metadata, and float formatting of spawn points.
func FuzzRenderModel(f *testing.F) {
	f.Add("Sandbox", "nanos™", "1.0.0", "enable_pvp", "label", "a \"quoted\" \\ value", "SM Rock.01", "NanosWorld/Meshes/SM", -140.0, 1e-9, uint8(0))
	f.Add("", "", "", "", "", "", "", "", 0.0, 0.0, uint8(4))
	f.Add("tab\there", "new\nline", "v1", "key.with.dots", "\x7f\x01", "\u2028", "=", "#", math.MaxFloat64, -math.SmallestNonzeroFloat64, uint8(2))
	f.Fuzz(func(t *testing.T, title, author, version, key, label, text, assetKey, assetPath string, x, y float64, kindSel uint8) {
		for _, s := range []string{title, author, version, key, label, text, assetKey, assetPath} {
			if !utf8.ValidString(s) {
				return // TOML files are UTF-8; invalid strings cannot be written
			}
		}
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
			return // not representable in Vector(...) strings
		}
		kind := Kinds[int(kindSel)%len(Kinds)]
		p := &Package{Kind: kind, Title: title, Author: author, Version: version}
		if kind.HasLua() {
			p.AutoCleanup = x > 0
			p.CompatibilityVersion = CompatVersion{1, int(kindSel)}
			p.PackagesRequirements = []string{text, label}
			p.AssetsRequirements = []string{assetKey}
		}
		switch kind {
		case KindScript:
			p.CompatibleGameModes = []string{title}
		case KindGameMode:
			p.CompatibleMaps = []string{assetPath}
			p.CustomSettings = []CustomSetting{
				{Key: key, Label: label, Type: SettingText, Description: text, Default: text},
				{Key: key + "_f", Type: SettingFloating, Default: y},
				{Key: key + "_s", Type: SettingSelect, Default: label, Options: []string{label, text}},
			}
		case KindMap:
			p.MapAsset = assetKey + "::" + assetPath
			p.SpawnPoints = []SpawnPoint{{Location: Vector{x, y, -x}, Rotation: Rotator{y, x, 0}}}
			p.CustomData = map[string]any{key: text, "n": y, "t": map[string]any{label: []any{x, text}}}
			p.CustomDataOrder = orderKeys(p.CustomData, []string{key})
		case KindCModule:
			p.Modules = []string{text}
		}
		if p.Kind == KindGameMode {
			// keys must be distinct for the model to survive a TOML table
			seen := map[string]bool{}
			for _, cs := range p.CustomSettings {
				if seen[cs.Key] {
					return
				}
				seen[cs.Key] = true
			}
		}
		out := p.Render()
		q, _, err := ParsePackage(out, "rendered")
		if err != nil {
			t.Fatalf("rendered model does not parse: %v\n%s", err, out)
		}
		want := normalized(p)
		got := normalized(q)
		// empty lists read back as nil, which is the model's "none"
		for _, l := range []*[]string{&want.PackagesRequirements, &want.AssetsRequirements, &want.CompatibleGameModes, &want.CompatibleMaps, &want.Modules} {
			if len(*l) == 0 {
				*l = nil
			}
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("model changed:\n%+v\n%+v\n%s", want, got, out)
		}

		a := &AssetPack{Title: title, Author: author, Version: version, UnrealFolders: []string{assetPath}, AssetsRequirements: []string{text},
			Assets: map[AssetCategory][]Asset{
				AssetStaticMeshes:   {{Key: assetKey, Path: assetPath, Meta: map[string]any{key: text}}},
				AssetCategory(text): {{Key: label, Path: text}},
			}}
		if text == "" || AssetCategory(text).Valid() || text == "other" {
			delete(a.Assets, AssetCategory(text))
		}
		ra := a.Render()
		b, _, err := ParseAssets(ra, "rendered")
		if err != nil {
			t.Fatalf("rendered pack does not parse: %v\n%s", err, ra)
		}
		if key == "path" { // the one metadata name that cannot be written
			return
		}
		if x, y := normalizedAssets(a), normalizedAssets(b); !reflect.DeepEqual(x, y) {
			t.Fatalf("pack changed:\n%+v\n%+v\n%s", x, y, ra)
		}
	})
}
