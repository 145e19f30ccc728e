package manifest

import (
	"testing"

	"github.com/BurntSushi/toml"
)

// BenchmarkParsePackageGameMode parses a typical game-mode Package.toml
// (requirements, compatible maps, five custom settings).
func BenchmarkParsePackageGameMode(b *testing.B) {
	data := readTestdata(b, "packages/gen3-game-mode.toml")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParsePackage(data, "Package.toml"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderGameMode renders the same package in the newest format.
func BenchmarkRenderGameMode(b *testing.B) {
	p, _, err := ParsePackage(readTestdata(b, "packages/gen3-game-mode.toml"), "Package.toml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = p.Render()
	}
}

// BenchmarkParseAssets parses an Assets.toml with metadata entries.
func BenchmarkParseAssets(b *testing.B) {
	data := readTestdata(b, "assets/new-asset-pack.toml")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParseAssets(data, "Assets.toml"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReferenceDecodeGameMode is the reference for BenchmarkParsePackageGameMode:
// the TOML decoder alone on the same bytes, into a generic map.
func BenchmarkReferenceDecodeGameMode(b *testing.B) {
	data := readTestdata(b, "packages/gen3-game-mode.toml")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var m map[string]any
		if err := toml.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
	}
}
