-- __metatable protects metatable
local prot = setmetatable({}, {__metatable = "locked", __index = {a = 1}})
print(getmetatable(prot), prot.a)
print(pcall(setmetatable, prot, {}))
local prot2 = setmetatable({}, {__metatable = false})
print(getmetatable(prot2))
print(pcall(setmetatable, prot2, nil))
-- getmetatable of strings, numbers
print(getmetatable("x").__index == string, getmetatable(1), getmetatable(nil), getmetatable(print))
-- setmetatable arg checks
print(pcall(setmetatable, 1, {}))
print(pcall(setmetatable, {}, 1))
print(pcall(setmetatable, {}))
-- setmetatable returns table
local t = {}
print(setmetatable(t, nil) == t, getmetatable(t))
-- rawequal ignores __eq
local E = {__eq = function() return true end}
local e1, e2 = setmetatable({}, E), setmetatable({}, E)
print(e1 == e2, rawequal(e1, e2), rawequal(e1, e1))
-- rawlen ignores __len
local L = setmetatable({1, 2, 3}, {__len = function() return -1 end})
print(#L, rawlen(L))
print(pcall(rawlen, 5))
-- rawget/rawset ignore __index / __newindex
local R = setmetatable({}, {__index = function() return "idx" end, __newindex = function() error("blocked") end})
rawset(R, 1, "one")
print(R[1], R[2], rawget(R, 2), pcall(function() R[3] = 1 end))
print(pcall(rawget, 1, 1))
-- __pairs
local P = setmetatable({}, {__pairs = function(t)
  local i = 0
  return function(_, k)
    i = i + 1
    if i <= 3 then return i, i * 10 end
  end, t, nil
end})
for k, v in pairs(P) do io.write(k, "=", v, " ") end print()
-- __pairs extra returns are truncated to 3
local P2 = setmetatable({}, {__pairs = function(t) return next, {x = 1}, nil, "extra" end})
for k, v in pairs(P2) do print(k, v) end
-- ipairs respects __index
local I = setmetatable({}, {__index = function(t, i) if i <= 4 then return i * 2 end end})
for i, v in ipairs(I) do io.write(i, ":", v, " ") end print()
-- metamethods looked up raw on metatable (no __index on metatable)
local base = {__add = function() return "from base" end}
local mt = setmetatable({}, {__index = base})
local o = setmetatable({}, mt)
print(pcall(function() return o + 1 end))
-- __index depth
local depth = {}
local cur = {final = "reached"}
for i = 1, 50 do cur = setmetatable({}, {__index = cur}) end
print(cur.final)
-- __newindex on non-existent key only
local count = 0
local NI = setmetatable({}, {__newindex = function(t, k, v) count = count + 1; rawset(t, k, v) end})
NI.a = 1; NI.a = 2; NI.b = 3; NI.a = nil; NI.a = 4
print(count, NI.a, NI.b)

-- two tables compared: __eq from either metatable, none, or a field set and cleared
local a, b = {}, {}
local E = {__eq = function(x, y) print("eq called"); return true end}
local N = setmetatable({}, {__tostring = function() return "N" end})
print(a == b, a == a, a ~= b, a == N, N == a, N == N)
setmetatable(a, E)
print(a == b, b == a, a == N)
setmetatable(a, nil); setmetatable(b, E)
print(a == b, b == a, rawequal(a, b))
local mt = {}
setmetatable(a, mt); setmetatable(b, mt)
print(a == b)
mt.__eq = function() return 1 end
print(a == b, a ~= b)
mt.__eq = nil
print(a == b)
