-- Required as "lib/a.lua"; requires its sibling relative to its own folder.
local b = Package.Require("b.lua")
return "a+" .. b
