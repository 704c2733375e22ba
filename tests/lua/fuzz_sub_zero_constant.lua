-- found by fuzz/ differential: Lua codes `x - k` (k a small integer constant) as
-- x + (-k), so -0.0 - 0 is 0.0 (a string operand still goes through __sub)
local z = -0.0
print(z - 0, z - 0.0, -0.0 - 0, (-0.0) - 0, z + 0, z - 1 + 1, 0 - z, z - -0)
local t = {z = -0.0}
print(t.z - 0, ("-0.0") - 0, math.type(("-0") - 0))
local mt = setmetatable({}, {__sub = function(a, b) return "sub" end, __add = function() return "add" end})
print(mt - 0, pcall(function() return nil - 0 end))
