-- Reads of fields the chunk only ever stores floats in (compiler/fields.py) are
-- speculated floats in a function's fast copy; anything else leaves for the
-- generic copy before the statement and runs it again from its start. Each case
-- below must behave as without the guess: an int, a string, nil, a table with
-- __add in such a field; a field found through __index (a table, a function
-- with a side effect that must run once); a metatable changed between calls;
-- a method whose guess fails often enough to stop speculating; coroutines.
local P = {}
P.__index = P
function P.new(x, y) return setmetatable({x = x + 0.0, y = y * 1.5, vx = 0.5, vy = -0.25, m = 2.0}, P) end

function P:step(dt)
  self.x = self.x + self.vx * dt
  self.y = self.y + self.vy * dt
  local e = 0.5 * self.m * (self.vx * self.vx + self.vy * self.vy)
  if self.x > 10.0 then self.x = 10.0 end
  return e
end

function P:dist(o)
  local dx = o.x - self.x
  local dy = o.y - self.y
  return dx * dx + dy * dy
end

local a, b = P.new(1, 2), P.new(4, 6)
print(a:step(0.5), a.x, a.y, a:dist(b))

-- an integer in a float field (Lua: integer arithmetic, then mixed)
a.vx = 3
print(a:step(1), math.type(a.x), a.x)
a.x = 7
print(a:step(2), math.type(a.x), a.x, a:dist(b))

-- a string: coerced by arithmetic; a table with __add
a.vy = "2"
print(pcall(a.step, a, 1), a.y)
local V = setmetatable({}, {__add = function(p, q) return 100.0 end, __mul = function(p, q) return 1.0 end})
a.vy = V
print(pcall(a.step, a, 1), a.y)
a.vy = -0.25

-- nil: an error message naming the field
a.vx = nil
print(pcall(a.step, a, 1))
a.vx = 0.5

-- the field found through __index: a table, then a function with a side effect
local calls = 0
local Q = setmetatable({}, {__index = function(t, k)
  calls = calls + 1
  if k == "vx" then return 0.75 end
  if k == "m" then return 4.0 end
end})
Q.__index = Q
function Q:step(dt) return P.step(self, dt) end
local q = setmetatable({x = 1.0, y = 1.0, vy = 0.5}, Q)
for _ = 1, 3 do print(q:step(1), q.x, calls) end
local R = {vx = 0.125, m = 8.0}
R.__index = R
local r = setmetatable({x = 0.5, y = 0.5, vy = 1.0}, R)
print(P.step(r, 2), r.x, r.y)
setmetatable(r, Q)
print(P.step(r, 2), r.x, r.y, calls)

-- many failures: the function stops speculating, results stay the same
local s = P.new(0, 0)
local total = 0
for i = 1, 60 do
  s.vx = (i % 3 == 0) and i or i + 0.5
  total = total + s:step(1) + s:dist(a)
end
print(total, s.x, s.y)

-- inside a coroutine, with a yield between steps
local co = coroutine.wrap(function()
  local p = P.new(2, 3)
  for i = 1, 4 do
    if i == 3 then p.vx = 1 end
    coroutine.yield(p:step(0.25), p.x)
  end
end)
for _ = 1, 4 do print(co()) end

-- a field stored by rawset and through a computed key
local t = P.new(5, 5)
rawset(t, "vx", 2)
print(t:step(1), t.x)
local k = "v" .. "y"
t[k] = 4
print(t:step(1), t.y)
