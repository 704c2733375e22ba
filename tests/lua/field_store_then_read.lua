-- A field read right after a store or another read of it must see every change
-- in between (a guard for any caching of field values in straight-line code):
-- aliases written through another variable, __index / __newindex functions with
-- side effects, nil stores (tombstones: the next read goes through __index),
-- calls, metamethods, coroutine switches, loops and branches, setmetatable.
local C = {}
C.__index = C
C.default = 42

local function f1(o, p)
  o.x = 1
  p.x = 2                -- p may be o
  local a = o.x
  o.y = o.x + 1
  local b = o.y
  return a, b, o.x
end
local t = setmetatable({x = 0, y = 0}, C)
print(f1(t, t))
print(f1(t, setmetatable({}, C)))

local function f2(o)
  o.default = 7
  local a = o.default
  o.default = nil
  local b = o.default
  return a, b
end
print(f2(setmetatable({}, C)))

local log = {}
local N = setmetatable({}, {__index = function(_, k) log[#log + 1] = "get " .. k; return 100 end})
N.__newindex = function(o, k, v) log[#log + 1] = "set " .. k; rawset(o, k, v * 2) end
N.__index = getmetatable(N).__index
local function f3(o)
  o.v = 5
  local a = o.v
  local b = o.v
  o.w = o.w
  return a, b, o.w
end
print(f3(setmetatable({}, N)))
print(table.concat(log, ","))

local count = 0
local Q = setmetatable({}, {__index = function(o, k)
  count = count + 1
  if k == "bump" then rawset(o, "x", (rawget(o, "x") or 0) + 10) end
  return count
end})
Q.__index = getmetatable(Q).__index
local function f4(o)
  local a = o.x
  local c = o.bump
  local b = o.x
  local d = o.missing
  local e = o.missing
  return a, b, c, d, e
end
print(f4(setmetatable({x = 1}, Q)))

local function set(o) o.x = "changed" end
local function f5(o)
  o.x = 1
  set(o)
  return o.x
end
print(f5(setmetatable({}, C)))

local M = {}
M.__index = M
M.__add = function(a, b) a.n = 99; return 0 end
local function f6(o)
  o.n = 1
  local s = o + 1
  return o.n, s
end
print(f6(setmetatable({}, M)))

local function f7(o, n)
  o.i = 0
  while o.i < n do
    o.i = o.i + 1
    if o.i % 2 == 0 then o.even = (o.even or 0) + o.i else o.odd = (o.odd or 0) + o.i end
  end
  for _ = 1, 3 do
    local before = o.i
    o.i = o.i * 2
    assert(o.i == before * 2)
  end
  return o.i, o.even, o.odd
end
print(f7(setmetatable({}, C), 9))

local function f8(o)
  o.a = 1
  rawset(o, "a", 2)
  local x = o.a
  o[1] = "p"
  table.insert(o, "q")
  return x, o.a, o[1], o[2]
end
print(f8(setmetatable({}, C)))

local shared = setmetatable({}, C)
local co = coroutine.wrap(function()
  shared.v = "from co"
  coroutine.yield()
end)
local function f9(o)
  o.v = "mine"
  co()
  return o.v
end
print(f9(shared))

local function f10(o)
  o.p, o.q = 1, 2
  o.p, o.q = o.q, o.p
  return o.p, o.q
end
print(f10(setmetatable({}, C)))

local function f11(o)
  o.k = nil
  local a = o.k
  setmetatable(o, {__index = function() return "meta" end})
  local b = o.k
  return a, b
end
print(f11(setmetatable({}, C)))
