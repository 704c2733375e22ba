-- Functions compiled twice (integer parameters / anything else) and locals whose
-- number type is inferred: the same results for every kind of argument.
local function sum(lo, hi)
  local s = 0
  for i = lo, hi do s = s + i * i // 3 + i % 7 end
  return s
end
print(sum(1, 10), sum(1.0, 10), sum(1, 10.5), sum("1", 10), sum(3, 1))
print(pcall(sum, nil, 3))
print(sum(math.maxinteger - 2, math.maxinteger))

local function walk(start, stop)
  local root = start
  local n = 0
  while root < stop do
    root = root * 2 + 1
    n = n + 1
  end
  return root, n, math.type(root)
end
print(walk(1, 100), walk(1.5, 100), walk(2^40, 2^50), walk(math.maxinteger // 2, math.maxinteger))

local V = setmetatable({}, {__add = function(a, b) return "added" end, __lt = function() return false end,
                            __mul = function() return 7 end})
local ok, r, n = pcall(walk, V, 10)
print(ok, r == V, n)

local function reassign(x, y)
  x = x + 1
  if y then x = x / 2 end
  return x, math.type(x)
end
print(reassign(3), reassign(3, true), reassign(2.5), reassign(-1, 1))

local function overflow(a)
  local b = a + 1
  local c = a - 1
  local d = -a
  return b, c, d, a * a, a // -1, a % -3, 1 - a, 0 - a
end
print(overflow(math.maxinteger))
print(overflow(math.mininteger))
print(overflow(7), overflow(7.5))

local function idx(t, i, j)
  local s = 0
  for k = i, j do s = s + (t[k] or 0) end
  return s, t[i], t[i + 0.0]
end
print(idx({10, 20, 30, x = 1}, 1, 3), idx({10, 20}, 0, 5), idx({[1.5] = 4}, 1.5, 1.5))

local function fl(n)
  local x = 0.0
  local k = 0
  for i = 1, n do x = x + i / 2; k = k + 1 end
  return x, k, math.type(k), 1 // 0.0, -n // 0.0
end
print(fl(4), fl(0), pcall(fl, "3"), fl(2.0))

local function bits(a, b)
  return a & b, a | b, a ~ b, a << b, a >> b, ~a
end
print(bits(12, 3), bits(-1, 63), bits(3.0, 1), pcall(bits, 1.5, 1))

local function cmp(a, b)
  return a < b, a <= b, a > b, a >= b, a == b, a ~= b
end
print(cmp(1, 2), cmp(2, 2.0), cmp(1, 0/0), cmp("a", "b"))

local co = coroutine.wrap(function(n)
  local t = 0
  for i = 1, n do t = t + i; coroutine.yield(t) end
  return "end"
end)
print(co(3), co(), co(), co())

-- loops whose step is known only at run time, both directions, integer and float
local function steps(a, b, s)
  local r = {}
  for i = a, b, s do r[#r + 1] = i end
  return table.concat(r, " ")
end
print(steps(1, 5, 2), steps(5, 1, -2), steps(1, 2, 0.5), steps(2, 1, -0.5), steps(1.0, 3, 1), steps(3, 1, 1))
