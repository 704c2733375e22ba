-- Functions with float locals test untyped operands for floats first: integers,
-- wrap-around, mixed operands, strings and metamethods must behave the same.
local function mix(t, scale)
  local f = 0.5 * scale
  local out = {}
  for i = 1, #t do
    local a, b = t[i], t[#t - i + 1]
    local ok, r = pcall(function() return a + b, a - b, a * b end)
    local s, d, p = a + b, a - b, a * b
    out[#out + 1] = tostring(s) .. "," .. tostring(d) .. "," .. tostring(p) .. "," .. math.type(s)
  end
  return f, table.concat(out, " ")
end
print(mix({1, 2.5, math.maxinteger, math.mininteger, -0.0, 3, 1e308, 7}, 2.0))
local function wrap(x)
  local h = 0.25
  local a, b = x, x
  return a + b, a * b, a - b - b, h
end
print(wrap(math.maxinteger))
print(wrap(2^62 | 0))
print(wrap(1.5))
print(pcall(wrap, "10"))
print(pcall(wrap, {}))
local v = setmetatable({}, {__add = function() return "add" end, __mul = function() return "mul" end,
                            __sub = function() return "sub" end})
print(pcall(wrap, v))
