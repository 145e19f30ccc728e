-- Console: formatting, commands, RunCommand, PlayerSubmit and LogEntry.
local t = Package.Require("testlib/harness.lua")("t-console")

local entries = {}
Console.Subscribe("LogEntry", function(text, kind)
	entries[#entries + 1] = { text = text, kind = kind }
	Console.Log("a log line inside LogEntry must not recurse")
end)

Console.Log("plain %s with no arguments stays as written")
Console.Log("formatted %d %s %5.2f", 7, "x", 1.5)
Console.Warn("warned %q", "w")
Console.Error("errored %i", 3)
Console.Debug("debug %d", 1)
print("printed", 1, 2.5, nil, true)

t.eq(entries[1].text, "plain %s with no arguments stays as written", "a message without arguments is not formatted")
t.eq(entries[1].kind, LogType.Scripting, "Log entries are Scripting")
t.eq(entries[2].text, "formatted 7 x  1.50", "string.format semantics")
t.eq(entries[3].text, 'warned "w"', "Warn text")
t.eq(entries[3].kind, LogType.ScriptingWarn, "Warn entries are ScriptingWarn")
t.eq(entries[4].kind, LogType.ScriptingError, "Error entries are ScriptingError")
t.eq(entries[5].text, "debug 1", "Debug is shown at debug log level")
t.eq(entries[6].text, "printed\t1\t2.5\tnil\ttrue", "print goes to Console.Log, tab separated")
t.fails(function() Console.Log("%d", "not a number") end, "bad format", "a format error is raised to the caller")
Console.Unsubscribe("LogEntry")

local got = {}
Console.RegisterCommand("greet", function(...) got[#got + 1] = table.concat({ ... }, "+") end,
	"greets someone", { "name", "times" })
Console.RegisterCommand("explode", function() error("command failed on purpose") end, "fails")
Console.RunCommand("greet bob 2")
t.eq(got[1], "bob+2", "RunCommand passes whitespace-separated arguments as strings")
Console.RunCommand("not-a-command x")
t.fails(function() Console.RegisterCommand("two words", print) end, "single word", "command names are one word")

local submitted = {}
Console.Subscribe("PlayerSubmit", function(text) submitted[#submitted + 1] = text end)

Package.Subscribe("Unload", function()
	-- The Go test typed "hello world" and ran "greet alice" and "explode" through the host.
	t.eq(submitted[1], "hello world", "PlayerSubmit receives the typed line")
	t.eq(got[2], "alice", "a command run from the console")
	t.done()
end)
