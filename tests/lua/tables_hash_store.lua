-- Stores with keys that are not constants: existing hash keys are overwritten in
-- place (even with __newindex), absent ones go through the metatable.
local log = {}
local t = setmetatable({}, {__newindex = function(tt, k, v)
  log[#log + 1] = tostring(k); rawset(tt, k, v) end})
local keys = {"a", "b", 100, -5, 0, 2.5, true, 1}
for round = 1, 3 do
  for i, k in ipairs(keys) do t[k] = round * 10 + i end
end
print(table.concat(log, ","))
for _, k in ipairs(keys) do io.write(tostring(t[k]), " ") end
print()

-- true and 1, false and 0 are different keys
local u = {}
local one, tru, zero, fls = 1, true, 0, false
u[100] = "h"; u[one] = "int"; u[tru] = "bool"; u[zero] = "zero"; u[fls] = "false"
u[tru] = "bool2"; u[one] = "int2"; u[fls] = "false2"; u[zero] = "zero2"
print(u[1], u[true], u[0], u[false], #u)

-- float keys normalise to integers, in the hash and the array part
local f = {}
local k1, k2, k3 = 3, 3.0, 2^53
f[k1] = "a"; f[k2] = "b"; f[k3] = "c"; f[k3] = "d"
print(f[3], f[3.0], f[2^53], f[math.tointeger(2^53)])
print(pcall(function() local n = 0/0; f[n] = 1 end))

-- deleting and reinserting hash keys, then traversal sees each key once
local d = {}
for i = 1, 50 do d["k" .. i] = i; d[i * 1000] = i end
for i = 1, 50, 2 do local k = "k" .. i; d[k] = nil; local j = i * 1000; d[j] = nil end
for i = 1, 50, 4 do local k = "k" .. i; d[k] = -i end
local n, sum = 0, 0
for k, v in pairs(d) do n = n + 1; sum = sum + v end
print(n, sum)
for i = 2, 50, 2 do local k = "k" .. i; d[k] = d[k] + 1 end
n, sum = 0, 0
for k, v in pairs(d) do n = n + 1; sum = sum + v end
print(n, sum)

-- a class table read through an inline cache, then changed with a computed key
local Base = {}
Base.__index = Base
function Base.hello() return "base" end
local obj = setmetatable({}, Base)
local function call() return obj.hello() end
print(call())
local name = "hel" .. "lo"
Base[name] = function() return "changed" end
print(call())
Base[name] = function() return "again" end
print(call())

-- word counts: the usual shape
local counts = {}
for w in ("a b a c b a d"):gmatch("%a") do counts[w] = (counts[w] or 0) + 1 end
print(counts.a, counts.b, counts.c, counts.d)
