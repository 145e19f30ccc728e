-- example-gamemode, shared part: state both sides agree on. Runs before Server/Index.lua.

ExampleGame = {
	round = 0,
	started_at = 0,
}
