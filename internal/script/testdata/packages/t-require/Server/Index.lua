-- Package.Require: the order of the five searchers, the cache per resolved file, force_load,
-- chunk names.
local t = Package.Require("testlib/harness.lua")("t-require")

-- Chunk names are <package>/<Server|Shared>/<file>.lua.
t.eq(debug.getinfo(1, "S").short_src, "t-require/Server/Index.lua", "chunk name of Server/Index.lua")
t.eq(SharedIndexSource, "t-require/Shared/Index.lua", "chunk name of Shared/Index.lua")

-- 1. the requiring file's folder beats Server/.
t.eq(SharedOrder, "shared", "from Shared/Index.lua, Shared/order.lua beats Server/order.lua")
t.eq(SharedOrderSource, "t-require/Shared/order.lua", "chunk name of a required Shared file")
local r = Package.Require("lib/caller.lua")
t.eq(r.source, "t-require/Server/lib/caller.lua", "chunk name of a required file in a subfolder")
t.eq(r.order, "relative", "the requiring file's folder comes first")
-- 2. Server/ beats Shared/ and the root; 3. Shared/ beats the root; 4. the root.
t.eq(r.order2, "server", "Server/ beats Shared/ and the package root")
t.eq(r.order3, "shared", "Shared/ beats the package root")
t.eq(r.order4, "root", "the package root")
-- 4. the package root beats 5. Packages/.
local m, msrc = Package.Require("t-exporter/marker.lua")
t.eq(m, "root", "the package root beats the Packages/ folder")
t.eq(msrc, "t-require/t-exporter/marker.lua", "chunk name of a root file")

-- The cache is per resolved file: the same argument from another folder is another file.
local o, osrc = Package.Require("order.lua")
t.eq(o, "server", "order.lua from Server/Index.lua is Server/order.lua, not the cached lib/order.lua")
t.eq(osrc, "t-require/Server/order.lua", "chunk name of Server/order.lua")
t.eq(Package.Require("Server/lib/order.lua"), "relative", "the same file by another path")
-- force_load runs the file again, the cache then holds the new values.
Runs = 0
local counting = Package.LoadFile("order4.lua")
t.eq(counting(), "root", "LoadFile searches like Require")

local ok, err = pcall(Package.Require, "fails.lua")
t.eq(ok, false, "a failing required file raises in the caller")
t.ok(tostring(err):find("t-require/Server/fails.lua:3: required file failed", 1, true), "the error names the failing file and line: " .. tostring(err))
t.fails(function() Package.Require("fails.lua") end, "required file failed", "a file that failed is not cached")

Package.Subscribe("Unload", function() t.done() end)
