-- found by fuzz/ runtime: the reference lua5.4 is built with LUA_COMPAT_5_3, so
-- 'a <= b' falls back to 'not (b < a)' when there is __lt but no __le
local log = {}
local mt = {__lt = function(a, b) log[#log + 1] = a.n .. "<" .. b.n return a.n < b.n end}
local function V(n) return setmetatable({n = n}, mt) end
print(V(1) <= V(2), V(2) <= V(1), V(1) <= V(1), V(3) >= V(2), V(2) >= V(3))
print(table.concat(log, " "))
local only_b = setmetatable({n = 5}, {__lt = function(a, b) return "yes" end})
print(pcall(function() return {} <= only_b end), pcall(function() return only_b <= {} end))
local le = setmetatable({}, {__le = function() return false end, __lt = function() return true end})
print(le <= le, le >= le, le < le)
print(pcall(function() return {} <= {} end))
print(pcall(function() return setmetatable({}, {__lt = function() error("in lt") end}) <= {} end))
local t = {V(3), V(1), V(2)}
table.sort(t, function(a, b) return a <= b end)
print(t[1].n, t[2].n, t[3].n)
