-- NaN is never equal to itself: not through rawequal, ==, <const>, table keys
local x = 0/0
print(rawequal(x, x), x == x, x ~= x, not (x == x))
local y = x
print(x == y, rawequal(x, y))
local t = {}
print(pcall(function() t[x] = 1 end))
print(t[x], rawget(t, x))
print(pcall(rawset, t, x, 1))
local mt = setmetatable({}, {__eq = function() return true end})
print(mt == mt)
local function f(a, b) return a == b, a ~= b, a < b, a <= b end
print(f(x, x))
print(x < x, x <= x, x > x, x >= x)
local n = -(0/0)
print(n == n)
if x == x then print("eq") else print("ne") end
while x == x do print("loop") break end
print(({[1]=1})[x])
print(select('#', x), x ~= x)
local u = {x}
print(u[1] == u[1], rawequal(u[1], u[1]))
local s = {}
s[1] = x
for i, v in ipairs(s) do print(i, v == v) end
print(math.huge - math.huge == math.huge - math.huge)
local z = math.huge * 0
print(z == z, z ~= z)
print(next({}, nil))
print(pcall(next, {}, x))
local k = {}
print(pcall(function() return k[x] end))
print(string.format("%s", x == x))
local tt = {[1]=x}
print(tt[1] == x)
print(0/0 == 0/0)
local a <const> = 0/0
print(a == a, a ~= a, rawequal(a, a))
print(math.max(0/0, 1), math.max(1, 0/0), math.min(0/0, 1), math.min(1, 0/0))
local t = {0/0, 1, 0/0}
print(#t, t[1] == t[1])
local function id(...) return ... end
local n = id(0/0)
print(n == n, id(n) == id(n), rawequal(id(n), n))
local s = setmetatable({}, {__index = function(_, k) return k ~= k end})
print(s[0/0])
print(pcall(function() local q = {}; q[0/0] = nil end))
local c = 0
for i = 1, 3 do local v = 0/0; if v == v then c = c + 1 end end
print(c)
print(table.concat({}, ",", 1, 0))
local g = {}
g[1.0] = "a"; g[2^53] = "b"
print(g[1], g[2^53|0])
print(string.format("%.1f", 0/0):gsub("-", ""))
print(tostring(0/0) == tostring(0/0))
print(math.type(0/0), math.tointeger(0/0), math.floor(2.5), pcall(math.floor, 0/0))
