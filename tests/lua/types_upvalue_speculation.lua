-- Closures speculate on the upvalues they read as numbers (or index as tables)
-- like parameters: tested on entry, any other value runs the generic copy.
local function adder(k) return function(x) return x + k end end
local function scaler(k) return function(x) return x * k, k // 2, k / 2 end end
for _, k in ipairs({3, 2.5, -0.0, math.maxinteger, math.mininteger}) do
  local add, sc = adder(k), scaler(k)
  print(add(1), add(1.5), math.type(add(2)), sc(3))
end
print(adder("10")(1), adder(10)("1"), pcall(adder(nil), 1), pcall(adder({}), 1))
local mt = {__add = function(a, b) return "added" end}
print(adder(setmetatable({}, mt))(1))

-- a loop from an upvalue: integer, float, string, bad
local function counter(n)
  local fs = {}
  for i = 1, 5 do fs[i] = i * 10 end
  return function()
    local s = 0
    for i = n, 1, -1 do s = s + (fs[i] or 0.5) end
    return s
  end
end
print(counter(3)(), counter(2.5)(), counter(7)(), counter("4")(), pcall(counter({}), 1))

-- an upvalue indexed as a table: plain, with __index, a string, nil
local function reader(t) return function(i) return t[i], t.n end end
print(reader({5, 6, n = 2})(2), reader(setmetatable({}, {__index = function(_, k) return k end}))(9))
print(reader("abc")(1), pcall(reader(nil), 1))

-- error messages still name the upvalue
local function broken(u) return function() return u + 1 end end
print(pcall(broken(nil)))
print(pcall(broken(true)))

-- in coroutines, across yields
local function gen(step)
  return coroutine.wrap(function()
    local acc = 0
    for _ = 1, 3 do acc = acc + step; coroutine.yield(acc) end
    return "done " .. step
  end)
end
for _, step in ipairs({2, 0.5, "3"}) do
  local g = gen(step)
  print(g(), g(), g(), g())
end
