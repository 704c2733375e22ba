-- Calls of math.sqrt / math.floor run inline when the callee is that builtin: any
-- other function of the same name, argument or result takes the call.
local sqrt, floor = math.sqrt, math.floor
print(sqrt(4), sqrt(2.0), sqrt(-1), sqrt(0/0) ~= sqrt(0/0), math.sqrt(9), pcall(sqrt, "x"), sqrt("16"))
print(floor(3.7), floor(-3.5), floor(2^70), floor(5), math.type(floor(3.7)), floor(1/0), floor("2.5"), pcall(floor, {}))
local m = {sqrt = function(x) return "mine" end}
print(m.sqrt(4))
