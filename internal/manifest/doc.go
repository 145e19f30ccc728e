// Package manifest reads, validates, converts and writes the descriptor files
// of nanos world content: Package.toml (every generation), the old Map.toml of
// map packages, and Assets.toml of asset packs (old and new).
//
// It is shared by the server's package loader, the Store (upload validation,
// requirement records) and the CLI (`add` writes new manifests), so it knows
// nothing about running servers: it turns bytes and folders into one model and
// back.
//
// # Generations
//
// Package.toml exists in three shapes, all parsed into [Package]:
//
//   - [Gen1] (2020 to early 2021): a [package] table with type = "executable"
//     or "library" and force_no_map_script.
//   - [Gen2] (2021 to 2022): a [package] table with type = "script",
//     "game-mode", "loading-screen" or "library", plus packages_requirements,
//     compatible_maps and compatibility_version.
//   - [Gen3] (2023 onward, current): a [meta] table (title, author, version)
//     and exactly one type table: [script], [game_mode], [map],
//     [loading_screen] or [c_module]. Game-modes add [custom_settings], maps
//     add [custom_data].
//
// The old map-package descriptor Map.toml ([map] + [custom_data]) is read by
// [ParseMapToml] into the same model with Kind [KindMap] and LegacyMap set.
//
// "library" packages become script packages (Package.Library records the
// origin) and force_no_map_script becomes ForceNoMapPackage, as the official
// server does when it converts old files.
//
// # Main entry points
//
//   - [ParsePackage], [ParseMapToml], [ParseAssets]: bytes to model. Syntax
//     and type errors are returned as *[ParseError] (file, line, column,
//     reason); unknown or deprecated keys come back as [Warning]s and never
//     fail a parse.
//   - [Package.Render], [AssetPack.Render]: the model written in the newest
//     format, with the same comments and column layout as the official
//     templates.
//   - [LoadPackageDir], [LoadAssetsDir]: read a folder. Old formats are
//     converted in place (the original is kept beside it as
//     "Package.toml.old", "Map.toml.old" or "Assets.toml.old"); a folder
//     without any descriptor gets a generated Package.toml whose type is
//     inferred from its content. LoadOptions.ReadOnly disables every write.
//   - [WritePackage], [WriteAssets]: atomic writes of the newest format.
//   - [ReadPackageFS], [ReadAssetsFS], [CheckLayoutFS]: the same on any
//     fs.FS (an uploaded zip), never writing.
//   - [NewPackage], [NewAssetPack]: fresh manifests for the CLI's `add`.
//   - [CheckName], [CheckLayout], [CheckVersion]: the naming, folder-layout
//     and SemVer rules, usable on their own by the Store and the CLI.
//   - [Package.Validate], [AssetPack.Validate]: the stricter publishing rules
//     (SemVer, names of requirements, map_asset format ...) for the Store and
//     `--cli check`; the server loads packages that fail them.
//   - [SplitAssetRef]: "<asset-pack>::<asset-key>" references;
//     [SplitRequirement]: "name@pin" requirement entries.
//   - [ParseCompatVersion] and [CompatVersion.Compare]: compatibility
//     versions compared numerically per component (1.100 > 1.99).
//   - [EffectiveSettings] and [ParseCustomSettingsArg]: game-mode custom
//     settings, merged as declared default < Config.toml < --custom_settings.
//   - [ParseVector], [ParseRotator], [ParseSpawnPoint]: the Lua-constructor
//     strings used by map spawn points.
//
// # Values
//
// Generic TOML values (custom data, custom settings, asset metadata) use the
// types of github.com/BurntSushi/toml: string, int64, float64, bool,
// time.Time, []any and map[string]any.
package manifest
