-- found by fuzz/ snapshot: metamethod calls take a C level (luaD_call): runaway
-- recursion through them is "C stack overflow" at the Lua line, as in lua5.4
print(pcall(function() local t = setmetatable({}, {__index = function(t, k) return t[k .. 'x'] end}) return #t.a end))
print(xpcall(function() local t = setmetatable({}, {__index = function(t, k) return t[k .. 'x'] end}) return #t.a end, function(m) return "H:" .. m end))
print(pcall(function() local t = setmetatable({}, {__newindex = function(t, k, v) t[k .. 'x'] = v end}) t.a = 1 end))
local mt = {}
mt.__add = function(a, b) return a + b end
print(pcall(function() return setmetatable({}, mt) + 1 end))
mt.__eq = function(a, b) return a == b end
print(pcall(function() return setmetatable({}, mt) == setmetatable({}, mt) end))
mt.__len = function(a) return #a end
print(pcall(function() return #setmetatable({}, mt) end))
mt.__concat = function(a, b) return a .. b end
print(pcall(function() return setmetatable({}, mt) .. "x" end))
-- 150 levels are fine
local depth = 0
local deep = setmetatable({}, {__index = function(t, k) depth = depth + 1 if depth < 150 then return t[k] end return depth end})
print(deep.x)
local function rec() return rec() + 1 end
print(pcall(rec))
