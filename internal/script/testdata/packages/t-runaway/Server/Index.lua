-- A Tick handler that never returns on its third tick; a second handler counts every tick.
Ticks = 0
Other = 0
Server.Subscribe("Tick", function()
	Ticks = Ticks + 1
	if Ticks == 3 then
		local n = 0
		while true do
			n = n + 1
		end
	end
end)
Server.Subscribe("Tick", function() Other = Other + 1 end)
