local defaults = {color = "red", size = 10}
local obj = setmetatable({size = 5}, {__index = defaults})
print(obj.color, obj.size, obj.missing, rawget(obj, "color"))
local calls = 0
local lazy = setmetatable({}, {__index = function(t, k)
  calls = calls + 1
  local v = k .. "!"
  rawset(t, k, v)
  return v
end})
print(lazy.a, lazy.b, lazy.a, calls)
local log = {}
local guarded = setmetatable({}, {__newindex = function(t, k, v)
  log[#log + 1] = k .. "=" .. tostring(v)
  rawset(t, k, v * 2)
end})
guarded.x = 1
guarded.y = 2
guarded.x = 100
print(guarded.x, guarded.y, table.concat(log, ","))
local store = {}
local proxy = setmetatable({}, {__newindex = store, __index = store})
proxy.a = 1
print(rawget(proxy, "a"), store.a, proxy.a)
-- chains
local A = {foo = "A.foo"}
local B = setmetatable({bar = "B.bar"}, {__index = A})
local C = setmetatable({baz = "C.baz"}, {__index = B})
local c = setmetatable({}, {__index = C})
print(c.foo, c.bar, c.baz, c.qux)
-- __index on strings
print(("abc").len == string.len, ("x"):upper())
local smt = getmetatable("")
print(type(smt), smt.__index == string)
-- __index function receiving key types
local kt = setmetatable({}, {__index = function(_, k) return type(k) .. ":" .. tostring(k) end})
print(kt[1], kt.x, kt[true], kt[2.5])
-- __newindex chain of tables
local inner = {}
local mid = setmetatable({}, {__newindex = inner})
local outer = setmetatable({}, {__newindex = mid})
outer.v = 42
print(rawget(outer, "v"), rawget(mid, "v"), inner.v)
-- existing key bypasses __newindex
local e = setmetatable({k = 1}, {__newindex = function() error("should not be called") end})
e.k = 2
print(e.k)
-- rawset/rawget bypass
local r = setmetatable({}, {__index = function() return "meta" end, __newindex = function() error("no") end})
rawset(r, "q", "raw")
print(r.q, r.other, rawget(r, "other"))
-- __index with numeric keys
local arr = setmetatable({}, {__index = function(t, i) return i * i end})
print(arr[1], arr[5], arr[10], #arr)
-- index into non-table with __index on metatable via debug? just strings/numbers errors
print(pcall(function() local n = 5; return n.x end))
print(pcall(function() return (nil).x end))
