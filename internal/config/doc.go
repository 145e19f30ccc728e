// Package config reads, repairs and writes the server's Config.toml and parses the server's
// command line.
//
// The model is the newest Config.toml schema: [discover], [general], [game], [custom_settings],
// [debug] and [optimization], with the defaults and ranges of the official template. Run holds the
// parameters that exist only on the command line (--logo, --steam_app, --auto_download, ...).
//
// Typical use by the server:
//
//	args, err := config.ParseArgs(os.Args[1:])
//	if errors.Is(err, config.ErrHelp) {
//		fmt.Print(config.Usage())
//		return
//	}
//	cfg, err := config.Open(serverDir, args, logger)
//	// ... cfg.Optimization.MaxTickRate, cfg.Game.Packages, cfg.CustomSettings ...
//	err = cfg.SetAndSave("max_players", 32) // Server.SetMaxPlayers(32, true)
//
// Open follows the rules operators know from the original server: the file is created from the
// template on first start and rewritten in the canonical layout on every start. Older layouts
// ([server]/[world] of 2020–2023, tick_rate in milliseconds, send rates in MB/s, built-in map
// assets) are migrated; missing keys take their defaults; values of the wrong type or out of range
// are reset to the nearest valid value; unknown keys are dropped. Every such change is one log
// line naming the key, the old and the new value. A file that is not valid TOML is never
// rewritten: Open returns a *ParseError with file, line and column, and the text stays as it was.
//
// Command-line overrides apply to the running configuration only; with --save they are written to
// Config.toml as well. Set changes one setting at runtime with validation; SetAndSave also writes
// it to the file, leaving the file's other values alone.
//
// A Config is owned by one goroutine (the server's tick goroutine); only the writing of the file
// is serialised internally.
package config
