-- debug.upvalueid: closures of one local share its id; other locals' differ,
-- also for locals never written again (held by value) and equal values
local function foo()
  local t = {}
  local a, b, c = nil, nil, 7
  t[1] = function() return a, b, c end
  local b = nil
  do
    local c = 7
    t[2] = function() return a, b, c end
  end
  t[3] = function() return a, b end
  return t
end
local t = foo()
print(debug.upvalueid(t[1], 1) == debug.upvalueid(t[2], 1), debug.upvalueid(t[1], 1) == debug.upvalueid(t[3], 1))
print(debug.upvalueid(t[1], 2) == debug.upvalueid(t[2], 2), debug.upvalueid(t[2], 2) == debug.upvalueid(t[3], 2))
print(debug.upvalueid(t[1], 3) == debug.upvalueid(t[2], 3))
local function outer()
  local x = {}
  return function() return function() return x end end, function() return x end
end
local mk, g = outer()
print(debug.upvalueid(mk(), 1) == debug.upvalueid(g, 1), debug.upvalueid(mk, 1) == debug.upvalueid(g, 1))
local ids = {}
ids[debug.upvalueid(t[1], 1)] = true
print(ids[debug.upvalueid(t[2], 1)], ids[debug.upvalueid(t[1], 2)])
local it = string.gmatch("x", "x")
print(debug.upvalueid(it, 1) ~= nil, debug.upvalueid(it, 1) == debug.upvalueid(it, 1), debug.upvalueid(it, 1) ~= debug.upvalueid(it, 2))
print(type(debug.upvalueid(t[1], 1)), debug.upvalueid(t[1], 4))
