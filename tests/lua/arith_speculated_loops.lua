-- Speculated locals (compiler/deopt.py) leaving for the generic copy inside generic
-- for loops (pairs, ipairs, a custom iterator) and a while loop: the loop goes on there.
local function sum_pairs(t)
  local s = 0.0
  local keys = {}
  for k, v in pairs(t) do
    local w = v.w
    s = s + w * 1.5
    keys[#keys + 1] = k
  end
  table.sort(keys)
  return s, table.concat(keys, ",")
end
print(sum_pairs({a = {w = 1.5}, b = {w = 2.5}, c = {w = 3}, d = {w = 4.5}}))
local function sum_ipairs(t)
  local s = 0.0
  for i, v in ipairs(t) do
    local w = v.w
    s = s + w / 2
    if i == 2 then t[#t + 1] = {w = 7} end
  end
  return s, #t
end
print(sum_ipairs({{w = 1.5}, {w = 2}, {w = 3.5}}))
local function range(n)
  local i = 0
  return function() i = i + 1 if i <= n then return i, i * 0.5 end end
end
local function sum_iter(n, t)
  local s = 0.0
  for i, h in range(n) do
    local w = t[i]
    s = s + w * h
  end
  return s
end
print(sum_iter(4, {1.5, 2.5, 3, 4.5}))
local function walk(t)
  local s, i = 0.0, 1
  while t[i] do
    local w = t[i]
    s = s + w * 0.25
    i = i + 1
  end
  return s, i
end
print(walk({1.0, 2.0, 3, 4.0}))
