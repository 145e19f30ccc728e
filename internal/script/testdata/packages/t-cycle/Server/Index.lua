-- one.lua requires two.lua which requires one.lua again.
Package.Require("one.lua")
