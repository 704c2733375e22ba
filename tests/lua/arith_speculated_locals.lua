-- Locals speculated to be floats (compiled code tests them where they are
-- assigned and leaves for the generic copy of the function when they are not):
-- every way a value can turn out not to be a float, at every loop depth.

local function advance(bodies, dt)
  local e = 0.0
  for i = 1, #bodies do
    local b = bodies[i]
    local x, v = b.x, b.v
    for j = i + 1, #bodies do
      local o = bodies[j]
      local dx = x - o.x
      local f = dt / (dx * dx + 1.0)
      v = v - f * dx
      o.v = o.v + f * dx
    end
    b.v = v
    b.x = x + dt * v
    e = e + 0.5 * v * v
  end
  return e
end

local function bodies(n, kind)
  local t = {}
  for i = 1, n do
    local x = i * 1.25
    if kind == "int" and i == 3 then x = 3 end
    t[i] = {x = x, v = 0.25 * i}
  end
  return t
end

local function show(t)
  local parts = {}
  for i = 1, #t do
    parts[#parts + 1] = string.format("%s:%.6f/%s:%.6f", math.type(t[i].x), t[i].x, math.type(t[i].v), t[i].v)
  end
  return table.concat(parts, " ")
end

-- floats all along
local t = bodies(5)
print(string.format("%.9f", advance(t, 0.01)), show(t))

-- an integer in the outer loop's reads (x), then in the inner loop's (o.x)
t = bodies(5, "int")
print(string.format("%.9f", advance(t, 0.01)), show(t))
t = bodies(5)
t[4].x = 5
print(string.format("%.9f", advance(t, 0.5)), show(t))

-- integers only: the integer results Lua gives where no float is involved
local function sum_sq(t)
  local s = 0.0
  for i = 1, #t do
    local v = t[i] * 2
    local w = v / 4
    s = s + w
  end
  return s
end
print(sum_sq({1, 2, 3}), sum_sq({1.5, 2, 3}), sum_sq({"4", 2.0}))

-- a number string (arithmetic converts it), a table with metamethods, a bad value
local V = {}
V.__index = V
V.__sub = function(a, b) return setmetatable({x = (type(a) == "table" and a.x or a) - (type(b) == "table" and b.x or b)}, V) end
V.__mul = function(a, b) return 1.0 end
V.__add = function(a, b) return 2.0 end
t = bodies(4)
t[2].x = "10.5"
print(pcall(advance, t, 0.1))
t = bodies(4)
t[3].x = setmetatable({x = 7.5}, V)
print(pcall(advance, t, 0.1))
t = bodies(4)
t[2].x = {}
print(pcall(advance, t, 0.1))
t = bodies(4)
t[1].v = nil
print(pcall(advance, t, 0.1))

-- called many times with integers: the same results whether or not the function
-- still speculates
local acc = 0
for k = 1, 60 do
  local q = bodies(3, "int")
  acc = acc + advance(q, 1.0)
end
print(string.format("%.6f", acc))
print(string.format("%.9f", advance(bodies(6), 0.02)))

-- inside a coroutine (as its body and called from it), yielding after a deopt
local function walk(t, f)
  local s = 0.0
  for i = 1, #t do
    local v = t[i].w
    s = s + v / 2
    f(i, s, math.type(v))
  end
  return s
end
local data = {{w = 1.0}, {w = 3}, {w = 2.5}}
local co = coroutine.wrap(function()
  return "end", walk(data, function(...) coroutine.yield(...) end)
end)
for _ = 1, 4 do print(co()) end
local co2 = coroutine.wrap(function(q)
  local s = 0.0
  for i = 1, #q do
    local v = q[i].w
    s = s + v * 0.5
    coroutine.yield(s, math.type(v))
  end
  return "done", s
end)
print(co2(data)) print(co2()) print(co2()) print(co2())

-- errors after a deopt name the right line and variable; tracebacks show one frame
data[3].w = {}
print(pcall(walk, data, function() end))
print((select(2, xpcall(walk, debug.traceback, data, function() end)):gsub("0x%x+", "ADDR")))
local function level2(t)
  local s = 0.0
  for i = 1, #t do
    local v = t[i]
    s = s + v * 1.5
    if s > 10 then error("too big", 2) end
  end
  return s
end
print(pcall(function() return level2({1.0, 2, 30.0}) end))

-- integers: locals read from tables in integer code (no float in the function)
local function flips(q, start)
  local q1 = q[start]
  local n = 0
  while q1 > 1 do
    local qq = q[q1]
    q[q1] = q1
    q1 = qq
    n = n + 1
    if n > 20 then break end
  end
  return n, q1, math.type(q1)
end
print(flips({3, 1, 2}, 1))
print(flips({3, 1, 2.0}, 1))
print(flips({3, 1, 2}, 1.0))
print(pcall(flips, {3, "1", 2}, 1))
local function bisect(a, x)
  local lo, hi = 1, #a
  while lo < hi do
    local mid = (lo + hi) // 2
    local v = a[mid]
    if v < x then lo = mid + 1 else hi = mid end
  end
  return lo, a[lo]
end
print(bisect({1, 3, 5, 7, 9}, 6), bisect({1, 3, 5.5, 7, 9}, 6), bisect({"a", "c", "e"}, "d"))
print(pcall(bisect, {1, 3, {}, 7}, 2))
-- a local tested for nil is not speculated: no deopt on every nil
local function count_chain(t)
  local n, node = 0, t
  while node ~= nil do
    local nxt = node.next
    if nxt == nil then break end
    n = n + nxt.w
    node = nxt
  end
  return n
end
print(count_chain({next = {w = 1, next = {w = 2}}}))
-- an integer local indexed by itself (`pc = jump[pc]`)
local function follow(jump, pc, n)
  for _ = 1, n do
    pc = jump[pc]
    pc = pc + 0
  end
  return pc
end
print(follow({3, 1, 2}, 1, 5), pcall(follow, {3, 1}, 1, 5))
