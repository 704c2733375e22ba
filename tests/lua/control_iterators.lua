-- stateless iterator
local function iter(t, i)
  i = i + 1
  local v = t[i]
  if v then return i, v end
end
local function myipairs(t) return iter, t, 0 end
for i, v in myipairs({"x", "y", "z"}) do io.write(i, v, " ") end print()
-- stateful via closure
local function range(n, step)
  local cur = 0
  return function()
    cur = cur + (step or 1)
    if cur <= n then return cur end
  end
end
for v in range(10, 3) do io.write(v, " ") end print()
-- iterator returning multiple values
local function pairsSorted(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  local i = 0
  return function()
    i = i + 1
    local k = keys[i]
    if k ~= nil then return k, t[k] end
  end
end
for k, v in pairsSorted({banana = 3, apple = 1, cherry = 2}) do io.write(k, "=", v, " ") end print()
-- string.gmatch as iterator
for a, b in string.gmatch("k1=v1;k2=v2", "(%w+)=(%w+)") do io.write(a, "->", b, " ") end print()
-- next directly
local t = {10, 20, 30}
for k, v in next, t do io.write(k, ":", v, " ") end print()
-- iterator with control variable semantics (first var is control)
local function countdown(s, c) if c > 0 then return c - 1, "v" .. c end end
for c, label in countdown, nil, 4 do io.write(c, label, " ") end print()
-- generic for evaluates explist once
local calls = 0
local function mk() calls = calls + 1; return range(3) end
for v in mk() do end
print("calls", calls)
-- fibonacci iterator
local function fibs(limit)
  local a, b = 0, 1
  return function()
    if a > limit then return nil end
    local r = a
    a, b = b, a + b
    return r
  end
end
for f in fibs(100) do io.write(f, " ") end print()
-- pairs on array part in order is guaranteed only for ipairs; count pairs
local cnt = 0
for _ in pairs({1, 2, 3, x = 1, y = 2}) do cnt = cnt + 1 end
print(cnt)
-- modifying existing fields during traversal is allowed
local m = {a = 1, b = 2, c = 3}
for k in pairs(m) do m[k] = m[k] * 10 end
print(m.a, m.b, m.c)
-- clearing fields during traversal
for k in pairs(m) do m[k] = nil end
print(next(m))
-- iterate over string chars
local s = "hello"
for idx = 1, #s do io.write(s:sub(idx, idx):upper()) end print()
-- calling a non-function in for
print(pcall(function() for x in 5 do end end))
print(pcall(function() for x in nil do end end))
