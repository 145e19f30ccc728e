-- Required from Server/Index.lua: its own folder (Server/lib) is searched first.
local r = {}
r.order = Package.Require("order.lua")
r.order2 = Package.Require("order2.lua")
r.order3 = Package.Require("order3.lua")
r.order4 = Package.Require("order4.lua")
r.source = debug.getinfo(1, "S").short_src
return r
