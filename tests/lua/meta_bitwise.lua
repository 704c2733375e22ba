local B = {}
local function box(v) return setmetatable({v = v}, B) end
local function val(x) return type(x) == "table" and x.v or x end
B.__band = function(a, b) return box(val(a) & val(b)) end
B.__bor = function(a, b) return box(val(a) | val(b)) end
B.__bxor = function(a, b) return box(val(a) ~ val(b)) end
B.__shl = function(a, b) return box(val(a) << val(b)) end
B.__shr = function(a, b) return box(val(a) >> val(b)) end
B.__bnot = function(a) return box(~val(a)) end
local x, y = box(12), box(10)
print((x & y).v, (x | y).v, (x ~ y).v, (x << 2).v, (x >> 2).v, (~x).v)
print((5 & x).v, (1 << box(4)).v, (box(256) >> 4).v)
-- plain integer bitwise
print(12 & 10, 12 | 10, 12 ~ 10, ~0, ~5, 1 << 4, 256 >> 4)
print(-1 >> 1, -1 >> 63, -1 << 63, 1 << 63, 1 << 64, 1 >> -1, 1 << -1, -1 >> 64)
print(3.0 & 1, "0x0F" + 0 & 0xFF, 2^10 | 0)
print(pcall(function() return 1.5 & 1 end))
print(pcall(function() return {} | 1 end))
print(pcall(function() local s = "abc"; return s & 1 end))
print(pcall(function() return ~{} end))
print(0xFF ~ 0x0F, 0xF0F0 & 0xFF00, 0x1234 >> 8 & 0xFF)
for i = 0, 8 do io.write((1 << i) - 1, " ") end print()
local function popcount(n) local c = 0; while n ~= 0 do c = c + (n & 1); n = n >> 1 end return c end
print(popcount(0), popcount(255), popcount(-1), popcount(math.mininteger))
