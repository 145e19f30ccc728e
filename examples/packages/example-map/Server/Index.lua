-- example-map: reads its [custom_data] through Server.GetMapConfig().
local config = Server.GetMapConfig()
Console.Log("example-map: weather %s, a day lasts %d minutes", tostring(config.weather), config.day_length_minutes or 0)
