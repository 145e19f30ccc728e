Package.Require("two.lua")
