package lib

import "testing"

func TestJSONInLua(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		eq(JSON.stringify({1, 2, 3}), "[1,2,3]", "array")
		eq(JSON.stringify({}), "[]", "empty table is an empty array")
		eq(JSON.stringify({b = 1, a = "x"}), '{"a":"x","b":1}', "object with sorted keys")
		eq(JSON.stringify({[1] = "a", [3] = "c"}), '{"1":"a","3":"c"}', "sparse array becomes an object")
		eq(JSON.stringify({1, 2, x = 3}), '{"1":1,"2":2,"x":3}', "mixed keys become an object")
		eq(JSON.stringify({f = 1.5, i = 2, g = 2.0}), '{"f":1.5,"g":2.0,"i":2}', "floats and integers")
		eq(JSON.stringify("é\n\"q\""), '"é\\n\\"q\\""', "string escapes, UTF-8 kept")
		eq(JSON.stringify(true), "true", "boolean")
		eq(JSON.stringify(nil), "null", "nil")
		eq(JSON.stringify(Vector(1, 2, 3)), '{"X":1,"Y":2,"Z":3}', "structs encode their fields")
		eq(JSON.stringify({list = {{id = 1}, {id = 2}}}), '{"list":[{"id":1},{"id":2}]}', "nesting")
		fails(function() JSON.stringify({f = print}) end, "value.f is a function")
		fails(function() JSON.stringify({[true] = 1}) end, "key of type boolean")
		local cyc = {} cyc.me = cyc
		fails(function() JSON.stringify(cyc) end, "cycle")
		fails(function() JSON.stringify({0/0}) end, "NaN")

		local v = JSON.parse('{"name":"srv","n":3,"f":1.25,"list":[1,null,3],"ok":true,"nested":{"u":"\\u00e9\\ud83d\\ude00"}}')
		eq(v.name, "srv", "string") eq(v.n, 3, "integer") eq(math.type(v.n), "integer", "integer type")
		eq(v.f, 1.25, "float") eq(v.ok, true, "boolean")
		eq(v.list[1], 1, "array 1") eq(v.list[2], nil, "null in array") eq(v.list[3], 3, "array 3")
		eq(v.nested.u, "é😀", "unicode escapes and surrogate pairs")
		eq(JSON.parse("2.0"), 2.0, "float stays float") eq(math.type(JSON.parse("2.0")), "float", "float type")
		eq(JSON.parse("null"), nil, "null")
		fails(function() JSON.parse('{"a": }') end, "line 1, column 7")
		fails(function() JSON.parse('[1,\n2,\nx]') end, "line 3, column 1")
		fails(function() JSON.parse() end, "bad argument #1")

		local src = {name = "x", values = {1, 2.5, "three", false}, sub = {k = "v"}}
		local back = JSON.parse(JSON.stringify(src))
		eq(back.name, "x", "round trip name") eq(back.values[2], 2.5, "round trip float")
		eq(back.values[4], false, "round trip false") eq(back.sub.k, "v", "round trip nested")
	`)
}

func TestTOMLInLua(t *testing.T) {
	e := newTestEnv(t)
	e.run(`
		local doc = TOML.Parse([==[
title = "Server"
port = 7777
ratio = 0.5
tags = ["a", "b"]
when = 2024-01-02T03:04:05Z

[meta]
author = "me"

[[spawn]]
x = 1
[[spawn]]
x = 2
]==])
		eq(doc.title, "Server", "string") eq(doc.port, 7777, "integer") eq(math.type(doc.port), "integer", "integer type")
		eq(doc.ratio, 0.5, "float") eq(doc.tags[2], "b", "array") eq(doc.meta.author, "me", "table")
		eq(doc.spawn[2].x, 2, "array of tables") eq(doc.when, "2024-01-02T03:04:05Z", "datetime as text")
		fails(function() TOML.Parse("a = ") end, "TOML.Parse:")
		fails(function() TOML.Parse("a = 1\na = 2") end, "line 2")

		local out = TOML.Dump({name = "x", n = 1, list = {1, 2}, sub = {k = true}})
		local back = TOML.Parse(out)
		eq(back.name, "x", "Dump round trip string") eq(back.n, 1, "Dump round trip int")
		eq(back.list[2], 2, "Dump round trip array") eq(back.sub.k, true, "Dump round trip table")
		eq(TOML.stringify({a = 1}), TOML.Dump({a = 1}), "stringify alias")
		eq(TOML.parse("a = 1").a, 1, "parse alias")
		fails(function() TOML.Dump("x") end, "table expected")
		fails(function() TOML.Dump({1, 2}) end, "top level must be a table with string keys")
	`)
}
