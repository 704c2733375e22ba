-- A method every call site passes a float literal is compiled for a float
-- parameter first; other values (an integer through a variable, a string
-- through pcall) must still run it exactly.
local P = {} P.__index = P
function P.new() return setmetatable({x = 1, v = 3}, P) end
function P:step(dt) self.x = self.x + self.v * dt; return self.x end
local p = P.new()
print(p:step(0.5), math.type(p:step(0.25)))
local f, n = P.step, 2
print(f(p, n), math.type(f(p, n)))
print(pcall(f, p, "4"))
print(pcall(f, p, {}))
print(p:step(1.5))
