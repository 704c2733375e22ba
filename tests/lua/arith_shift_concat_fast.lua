-- Shifts by a constant and concatenation of a string with an integer, inline.
local vals = {0, 1, -1, 7, -7, 255, math.maxinteger, math.mininteger, 0x7FFF0000FFFF0000,
              -0x123456789, 2^53, 3.0, -2.0}
for _, v in ipairs(vals) do
  print(pcall(function() return v >> 1, v >> 8, v >> 63, v << 1, v << 8, v << 63 end))
end
print(pcall(function() return 2.5 >> 1 end))
print(pcall(function() return "8" >> 1, "8" << 2 end))
print(pcall(function() return {} >> 1 end))
print(pcall(function() local x = nil; return x << 1 end))
local mt = {__shr = function(a, b) return "shr", b end, __shl = function(a, b) return "shl", b end}
local o = setmetatable({}, mt)
print(o >> 3, o << 4)
-- typed integers
local seed = 7
for i = 1, 5 do
  seed = (seed * 1103515245 + 12345) % 2147483648
  local a, b, c = seed >> 8, seed << 40, (seed << 63) >> 3
  print(a, b, c, "w" .. a % 3000, a % 10 .. "x", i .. "", "" .. -i)
end
-- concatenation with numbers of every kind, strings and metamethods
local x, f, s, n = 42, 1.5, "s", nil
print("a" .. x, x .. "b", "a" .. -x, "a" .. math.mininteger, "a" .. f, f .. "a", s .. s)
print("a" .. 2^63, "a" .. 1e100, "a" .. (0/0 ~= 0/0 and "nan" or ""), 10 .. 20)
print(pcall(function() return "a" .. n end))
print(pcall(function() return n .. "a" end))
print(pcall(function() return "a" .. {} end))
print(pcall(function() return "a" .. true end))
local c = setmetatable({}, {__concat = function(a, b) return "cat" end})
print("a" .. c, c .. "a", 1 .. c, c .. 1)
for i = -2, 2 do io.write("[" .. i .. "]", i .. ";") end
print()
