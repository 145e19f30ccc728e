// Package lib is the nanos scripting libraries bound into the server's Lua
// state: the structs (Vector, Vector2D, Rotator, Quat, Color, Matrix), the
// utility classes (NanosMath, NanosTable, NanosUtils, JSON, TOML and the
// string extensions), and the I/O classes HTTP, Database, File and Assets.
//
// The structs and utility classes are Lua (embedded), which keeps struct
// arithmetic inside the VM; JSON, TOML and the I/O classes are Go.
//
// The Lua host calls [Register] once while it builds a state, passing a
// [Host]: what the libraries need from it (the server folder, a way to run
// work completions on the tick goroutine, logging, deprecation notices and
// the loaded asset packs). Blocking work (HTTP requests, database queries,
// asynchronous file reads) runs on goroutines; its results reach Lua only
// through [Host.Post], so Lua is touched from the tick goroutine alone.
package lib
