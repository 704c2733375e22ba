-- load string chunks
local f = load("return 1 + 2")
print(f())
print(load("x = 10; return x * 2")(), x)
-- syntax error
print(load("return +"))
print(load("x ="))
print(load("for"))
print(load("local 1 = 2"))
print(load("return 'abc"))
print(load("x = }"))
print(load("f("))
print(load("return 1 .. "))
print(load("if x then"))
print(load("function f() return 1"))
print(load("a = 1\nb = 2\nc = = 3"))
-- chunk names
print(type(load("error('e')", "mychunk")))
print(pcall(load("error('e')", "mychunk")))
print(pcall(load("error('e')", "=custom name")))
print(pcall(load("error('e')", "@file.lua")))
print(pcall(load("local x = nil; return x.y", "=(load)")))
print(load("return +", "=named"))
print(load("return +", "@some/file.lua"))
print(load("\n\nreturn +"))
print(pcall(load("error('first line')\n-- more")))
print(pcall(load("local a = 1\nlocal b = 2\nerror('on line 3')")))
print(load("return +", "a very long chunk name that goes on and on and on and on and on and on and on and on"))
print(pcall(load("error('x')", "line1\nline2")))
-- reader functions
local parts = {"return ", "'from ", "reader'"}
local i = 0
local rf = load(function() i = i + 1; return parts[i] end)
print(rf())
local calls = 0
print(load(function() calls = calls + 1; if calls == 1 then return "return 7" end return nil end)(), calls)
print(type(load(function() return nil end)))
print(pcall(load(function() return nil end)))
local j = 0
local fj = load(function() j = j + 1; if j == 1 then return "return " elseif j == 2 then return "" end return "1" end)
print(type(fj), fj and fj(), j)
-- env parameter
local env = {y = 5}
local g = load("y = y + 1; return y", "envchunk", "t", env)
print(g(), env.y, y)
local h = load("return print", "c", "t", {})
print(h())
print(pcall(load("print('x')", "noenv", "t", {})))
-- mode
print(load("return 1", "m", "b"))
print(load("return 1", "m", "t")())
-- varargs in loaded chunk
print(load("return select('#', ...), ...")(1, 2, 3))
local adder = load("local a, b = ...; return a + b")
print(adder(3, 4))
-- loadstring is nil in 5.4
print(loadstring, setfenv, unpack, table.getn, module)
-- load returns function with upvalue _ENV set to global
local k = load("return _ENV")
print(k() == _G)
-- load with non-string
print(pcall(load, 42))
print(pcall(load))
-- error() in loaded chunk gets chunk name
local ok, e = pcall(load("local t = {}\nreturn t.a.b", "=mod"))
print(ok, e)
-- dostring-like helper
local function eval(expr) return load("return " .. expr)() end
print(eval("2^10"), eval("'a' .. 'b'"), eval("{1,2,3}")[2])
-- recursive load
print(load("return load('return 42')()")())
-- load binary string is rejected in text mode
print(load("\27Lua\x54\0", "bin", "t"))
