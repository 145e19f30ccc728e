-- Fails while loading, two functions deep, for the error format test.
local function inner()
	error("required file failed")
end
local function outer()
	inner()
end
outer()
