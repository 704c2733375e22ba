-- setmetatable run inline by generated code (constructors, tail returns, objects
-- that already have a metatable): protection, argument errors, __mode, nil
-- metatables, and field stores through the store cache once __newindex appears.
local A = {} A.__index = A
local B = setmetatable({}, {__index = A}) B.__index = B
function A.new() return setmetatable({v = 1}, A) end
function B.new() local o = A.new(); o.w = 2; return setmetatable(o, B) end
local b = B.new()
print(getmetatable(b) == B, b.v, b.w)
local P = {__metatable = "locked"}
local p = setmetatable({}, P)
print(pcall(setmetatable, p, A))
local function f(x, m) return setmetatable(x, m) end
print(pcall(f, p, A))
print(pcall(f, 1, A))
print(pcall(f, {}, 1))
local weak = f({}, {__mode = "k"})
print(getmetatable(weak).__mode)
print(select('#', f({}, nil)), getmetatable(f({}, nil)))
local mt = {}
local o = f({}, mt)
mt.__newindex = function(t, k, v) rawset(t, k, v * 10) end
o.x = 5
print(o.x)
local C = {} C.__index = C
local c = f({}, C)
c.y = 1; c.y = 2
C.__newindex = function(t, k, v) rawset(t, k, -v) end
c.z = 3; c.y = 4
print(c.y, c.z)
-- constructors of string-keyed fields, some values nil
local function mk(a, b, c) return setmetatable({a = a, b = b, c = c, d = nil}, C) end
for _, args in ipairs({{1, 2, 3}, {1, nil, 3}, {nil, nil, nil}, {false, "x", nil}}) do
  local t = mk(args[1], args[2], args[3])
  local keys = {}
  for k, v in pairs(t) do keys[#keys + 1] = k .. "=" .. tostring(v) end
  table.sort(keys)
  print(#keys, table.concat(keys, " "), t.a, t.b, t.c, t.d, getmetatable(t) == C)
end
