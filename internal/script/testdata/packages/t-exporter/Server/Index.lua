-- Exports a library whose version the Go test changes between loads (through persistent data).
local version = Package.GetPersistentData("version") or 1
Package.Export("SharedLib", {
	Version = function() return version end,
})
Package.Export("SharedConst", version * 10)
