-- Locals known to be tables (constructed locally) and parameters speculated to be
-- tables: the fast paths drop the class test but keep every metatable rule.

-- a local table that gets a metatable later: __index / __newindex / __len still apply
local function local_meta()
  local t = {1, 2, 3}
  local log = {}
  print(t[1], t[4], #t, t.x)
  setmetatable(t, {
    __index = function(_, k) return "idx:" .. tostring(k) end,
    __newindex = function(tt, k, v) log[#log + 1] = tostring(k) .. "=" .. tostring(v); rawset(tt, k, v) end,
    __len = function() return 42 end,
  })
  print(t[1], t[4], #t, t.x, t[0], t[-1], t[2.0], t[2.5])
  t[5] = "five"   -- absent: __newindex
  t[1] = "one"    -- present: raw
  t.y = "why"     -- absent: __newindex
  t.y = "again"   -- present now: raw
  print(t[5], t[1], t.y, table.concat(log, ","))
end
local_meta()

-- float keys normalise, NaN and nil keys error, negative and zero keys go to the hash
local function keys()
  local t = {}
  t[1.0] = "a"; t[2] = "b"; t[0] = "z"; t[-1] = "m"
  print(t[1], t[2.0], t[0], t[-1], #t, t[3])
  print(pcall(function() t[0/0] = 1 end))
  print(pcall(function() t[nil] = 1 end))
  print(t[0/0], t[nil])
  t[2] = nil
  print(#t == 1 or #t == 2, t[2])
  local s = {}
  s.x = 1; s.x = nil; s.x = 2
  print(s.x, next({}) == nil)
end
keys()

-- a local reassigned only with constructors stays a table
local function reassigned(n)
  local t = {}
  for i = 1, n do
    if i % 2 == 0 then t = {i} else t[#t + 1] = i end
  end
  return #t, t[1], t[2]
end
print(reassigned(5))

-- a local reassigned with something else is not a table: errors still name it
local function mixed(flag)
  local t = {}
  if flag then t = "str" end
  return t[1], t.len
end
print(pcall(mixed, false))
print(pcall(mixed, true))
local function mixed2()
  local t = {}
  t = 5
  return t.x
end
print(pcall(mixed2))

-- table operands in arithmetic go to metamethods, never a number fast path
local function arith()
  local a = setmetatable({}, {__add = function() return "added" end,
                              __unm = function() return "negated" end,
                              __lt = function() return true end,
                              __concat = function() return "cat" end})
  local b = {}
  print(a + b, a + 1, 1 + a, -a, a < b, a .. "x")
  print(pcall(function() return b + 1 end))
  print(pcall(function() return -b end))
  local c = {}
  print(pcall(function() return c < 1 end))
end
arith()

-- speculated table parameters: called with tables, strings, nil, numbers
local function sum(a, n)
  local s = 0
  for i = 1, n do s = s + a[i] end
  a[n + 1] = s
  return s, a.tag, #a
end
print(sum({1, 2, 3}, 3))
print(sum(setmetatable({}, {__index = function(_, k) return type(k) == "number" and k * 10 or nil end,
                            __newindex = function(_, k, v) print("newindex", k, v) end}), 3))
print(pcall(sum, "abc", 1))
print(pcall(sum, nil, 1))
print(pcall(sum, 42, 1))
local strmt = getmetatable("")
local function field(s) return s.len, s[1] end
print(field({len = "L", "one"}))
print(pcall(field, "abc"))
print(pcall(field, 7))

local function get(t, k) return t[k] end
print(get({10, 20, x = "X"}, 2), get({10, 20, x = "X"}, "x"), get({10, 20}, 2.0), get({10}, 0))
print(pcall(get, "s", 1), pcall(get, nil, "x"))

-- a speculated parameter reassigned with a constructor
local function fresh(t, n)
  if n > 2 then t = {n} end
  return t[1], #t
end
print(fresh({7, 8}, 1), fresh({7, 8}, 3))
print(pcall(fresh, "s", 1))

-- errors name the variable as lua5.4 does
local function errs()
  local t = {}
  local u = {}
  print(pcall(function() local x = {}; return x.a.b end))
  print(pcall(function() return t.a.b end))
  print(pcall(function() u.a.b = 1 end))
end
errs()
