// Package lib is the nanos scripting libraries bound into the server's Lua
// state: the structs (Vector, Vector2D, Rotator, Quat, Color, Matrix), the
// utility classes (NanosMath, NanosTable, NanosUtils, JSON, TOML and the
// string extensions), and the I/O classes HTTP, Database, File and Assets.
//
// The structs and utility classes are Lua (embedded from lua/), which keeps
// struct arithmetic inside the VM; JSON, TOML and the I/O classes are Go.
// Each class has its own file: codecs.go (JSON, TOML), http.go,
// database.go, file.go, assets.go, with the engines they drive in
// jsonvalue.go, tomlvalue.go, httpengine.go, dbengine.go and fileengine.go,
// which know nothing of Lua and are tested on their own.
//
// The Lua host calls [Register] once while it builds a state, passing a
// [Host]: what the libraries need from it (the server folder, a way to run
// work completions on the tick goroutine, logging, deprecation notices and
// the loaded asset packs). Blocking work (asynchronous HTTP requests,
// database queries, file reads) runs on goroutines; its results reach Lua
// only through [Host.Post], so Lua is touched from the tick goroutine
// alone. [Queue] is a ready-made implementation of Post. [CompatHost] is an
// optional extension for behaviour gated by a package's
// compatibility_version.
//
// Go code elsewhere hands structs to scripts with [PushVector] and friends
// and reads them with [ToVector] and friends.
//
// docs/scripting-libraries.md describes every behaviour the API leaves
// open and how it was decided.
package lib
