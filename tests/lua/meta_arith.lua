local V = {}
V.__index = V
local function vec(x, y) return setmetatable({x = x, y = y}, V) end
local function show(v) if type(v) == "table" then return "(" .. v.x .. "," .. v.y .. ")" end return tostring(v) end
V.__add = function(a, b) return vec(a.x + b.x, a.y + b.y) end
V.__sub = function(a, b) return vec(a.x - b.x, a.y - b.y) end
V.__mul = function(a, b)
  if type(a) == "number" then return vec(a * b.x, a * b.y) end
  if type(b) == "number" then return vec(a.x * b, a.y * b) end
  return a.x * b.x + a.y * b.y
end
V.__div = function(a, b) return vec(a.x / b, a.y / b) end
V.__mod = function(a, b) return vec(a.x % b, a.y % b) end
V.__pow = function(a, b) return vec(a.x ^ b, a.y ^ b) end
V.__unm = function(a) return vec(-a.x, -a.y) end
V.__idiv = function(a, b) return vec(a.x // b, a.y // b) end
local a, b = vec(1, 2), vec(3, 4)
print(show(a + b), show(a - b), show(a * b), show(a * 2), show(3 * a))
print(show(b / 2), show(b % 3), show(a ^ 2), show(-a), show(b // 2))
-- operand order and mixed types
local trace = {}
local T = setmetatable({}, {__add = function(x, y)
  trace[#trace + 1] = (type(x) == "table" and "T" or tostring(x)) .. "+" .. (type(y) == "table" and "T" or tostring(y))
  return 0
end})
local _ = T + 1; _ = 1 + T; _ = T + T; _ = "s" + T
print(table.concat(trace, " "))
-- metamethod from second operand when first has none
local M2 = {__sub = function(x, y) return "second" end}
print(5 - setmetatable({}, M2))
-- arithmetic error messages
print(pcall(function() return {} + 1 end))
print(pcall(function() local t = {}; return t * 2 end))
print(pcall(function() return -{} end))
print(pcall(function() return 2 ^ {} end))
-- __unm receives operand twice
local U = setmetatable({}, {__unm = function(a, b) return rawequal(a, b) end})
print(-U)
-- results are adjusted to one value
local Multi = setmetatable({}, {__add = function() return 1, 2, 3 end})
print(Multi + 1)
-- string arithmetic metamethods vs tables
print("3" + 4, "3" * "4", 10 - "2.5")
-- __div returning nil / false
local N = setmetatable({}, {__div = function() return nil end, __mod = function() return false end})
print(N / 1, N % 1)
