-- key normalisation: floats with integer values are converted
local t = {}
t[1] = "int one"
print(t[1.0], t[1])
t[2.0] = "float two"
print(t[2], math.type(next({[2.0] = true})))
t[2^53] = "2^53"
print(t[2^53], t[9007199254740992], t[9007199254740992.0])
t[-0.0] = "neg zero"
print(t[0], t[0.0])
t[1.5] = "one and half"
print(t[1.5], t[3/2])
t[math.huge] = "inf"; t[-math.huge] = "-inf"
print(t[math.huge], t[1/0], t[-1/0])
-- booleans vs numbers vs strings
local k = {}
k[true] = "true"; k[1] = "1"; k["1"] = "string 1"; k[false] = "false"; k[0] = "0"
print(k[true], k[1], k["1"], k[false], k[0], k[""])
-- tables and functions as keys
local ka, kb = {}, {}
local fa = function() end
local map = {[ka] = "table a", [kb] = "table b", [fa] = "function", [print] = "print"}
print(map[ka], map[kb], map[fa], map[print], map[{}])
-- coroutine as key
local co = coroutine.create(function() end)
map[co] = "thread"
print(map[co])
-- nil / NaN keys
print(pcall(function() local x = {}; x[nil] = 1 end))
print(pcall(function() local x = {}; x[0/0] = 1 end))
print(pcall(function() return ({[1] = 2})[nil] end))
print(pcall(function() local x = {[nil] = 1} end))
print(pcall(function() local x = {[0/0] = 1} end))
print(pcall(rawset, {}, 0/0, 1))
-- assignment of nil removes
local r = {a = 1}
r.a = nil
print(next(r))
-- integer keys beyond array part
local sparse = {}
sparse[1] = 1; sparse[100] = 100; sparse[-5] = -5; sparse[math.maxinteger] = "max"; sparse[math.mininteger] = "min"
print(sparse[100], sparse[-5], sparse[math.maxinteger], sparse[math.mininteger])
local keys = {}
for key in pairs(sparse) do keys[#keys + 1] = key end
table.sort(keys)
print(table.concat(keys, " "))
-- string keys that look like numbers are distinct
local sk = {}
sk["10"] = "s"; sk[10] = "n"
print(sk["10"], sk[10], sk[10.0])
-- counting keys with pairs
local mixed = {1, 2, 3, x = 1, y = 2, [10] = 3, [2.5] = 4, [true] = 5}
local n = 0
for _ in pairs(mixed) do n = n + 1 end
print(n)
-- next after modification
local nx = {a = 1}
local key, val = next(nx)
print(key, val, next(nx, key))
