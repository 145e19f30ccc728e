-- A console command that allocates until the memory cap stops it.
Console.RegisterCommand("bomb", function()
	local t = {}
	local i = 0
	while true do
		i = i + 1
		t[i] = string.rep("x", 1024) .. i
	end
end)
Console.RegisterCommand("alive", function() Alive = (Alive or 0) + 1 end)
