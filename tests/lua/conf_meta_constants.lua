-- indexing constants (numbers, strings) goes through metatables of their types
local mt = getmetatable("")
mt.__index = function (s, k) return "idx:" .. k end
print(("abc").xyz, ("abc")[1])
mt.__index = string
print(("x"):rep(3), #("abc"):upper())
print(pcall(function () return (10).x end))
print(pcall(function () return (-2.5)[1] end))
print(pcall(function () local a = (nil).x end))
print(pcall(function () (10).x = 1 end))
print(pcall(function () ("s").x = 1 end))
-- __len and __unm/__bnot get the operand twice
local t = setmetatable({}, {
  __len = function (a, b) return select('#', a, b) .. tostring(a == b) end,
  __unm = function (a, b) return select('#', a, b) .. tostring(a == b) end,
  __bnot = function (a, b) return select('#', a, b) .. tostring(a == b) end,
})
print(#t, -t, ~t)
