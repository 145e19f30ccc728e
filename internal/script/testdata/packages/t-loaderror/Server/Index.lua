-- The Load handler fails; the package and the next handler stay alive.
LoadedOK = false
local function helper(x)
	return x.field -- x is nil: attempt to index a nil value
end
Package.Subscribe("Load", function()
	helper(nil)
end)
Package.Subscribe("Load", function() LoadedOK = true end)
