-- found by fuzz/ differential: a "C stack overflow" in load() is a runtime error
-- inside the parser, so it meets the message handler (xpcall's, lua.c's traceback)
local deep = string.rep('(', 300) .. '1' .. string.rep(')', 300)
print(load(deep))
local function f() return load(deep) end
print((f()))
print(select(2, f()))
print(pcall(load, deep))
print(xpcall(load, function(m) return "H:" .. m end, deep))
print(xpcall(function() return load(deep) end, function(m) return "H:" .. m end))
print(xpcall(function() return pcall(load, deep) end, function(m) return "H:" .. m end))
print(xpcall(function() return coroutine.wrap(function() return load(deep) end)() end, function(m) return "H:" .. m end))
print(xpcall(load, function(m) return {} end, deep))
