Package.Require("one.lua")
