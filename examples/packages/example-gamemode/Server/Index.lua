-- example-gamemode, server part: a round timer driven by custom settings, a console command
-- and the Tick event. ExampleUtils comes from the example-utils package (a requirement, so it
-- is loaded before this file runs).

local settings = Server.GetCustomSettings()
local round_seconds = settings.round_seconds or 300
local elapsed = 0.0

Package.Subscribe("Load", function()
	Console.Log("example-gamemode loaded; custom settings: %s", ExampleUtils.Describe(settings))
	if settings.motd then
		Console.Log(settings.motd)
	end
	local spawns = Server.GetMapSpawnPoints()
	Console.Log("map '%s' has %d spawn point(s)", Server.GetMap(), #spawns)
end)

Server.Subscribe("Start", function()
	ExampleGame.round = 1
	Console.Log("round %d started (%d seconds, pvp %s)", ExampleGame.round, round_seconds, tostring(settings.enable_pvp))
end)

-- Every 10 seconds: how long the round has been running.
Timer.SetInterval(function()
	Console.Log("round %d: %s elapsed", ExampleGame.round, ExampleUtils.FormatDuration(elapsed))
end, 10000)

Server.Subscribe("Tick", function(delta_time)
	elapsed = elapsed + delta_time
	if elapsed >= round_seconds then
		elapsed = 0.0
		ExampleGame.round = ExampleGame.round + 1
		Events.Call("ExampleRoundChanged", ExampleGame.round)
	end
end)

Events.Subscribe("ExampleRoundChanged", function(round)
	Console.Log("round %d started", round)
end)

Console.RegisterCommand("round", function(action)
	if action == "next" then
		elapsed = round_seconds
		Console.Log("ending round %d at the next tick", ExampleGame.round)
	else
		Console.Log("round %d, %s elapsed of %s", ExampleGame.round,
			ExampleUtils.FormatDuration(elapsed), ExampleUtils.FormatDuration(round_seconds))
	end
end, "show the round or end it", { "next" })

Package.Subscribe("Unload", function()
	Console.Log("example-gamemode unloading after %d round(s)", ExampleGame.round)
end)
