-- exponentiation always float
print(2 ^ 2, 2 ^ 0, 0 ^ 0, 2 ^ 63, (-2) ^ 3, 4 ^ 0.5, 10 ^ -2, math.type(2 ^ 2))
-- float division always float
print(4 / 2, 1 / 2, -1 / 2, 0 / 5, 7 / -7, math.type(4 / 2))
-- unary minus on integers and floats
print(-(5), -(-5), -(5.0), -(0), -(0.0), -math.maxinteger, -math.mininteger)
-- int/float mixing in + - *
print(1 + 1.0, 2 * 3.0, 5 - 0.5, math.type(1 + 1), math.type(1 + 1.0), 3 * 1.5)
-- large float to int conversions in bitwise/for/keys
print(2^62 | 0, pcall(function() return 2^64 | 0 end))
print(-2^63 | 0, math.tointeger(-2^63))
print(string.format("%.0f", 2^63), string.format("%d", -2^63))
-- integer overflow on parse vs arithmetic
print(9223372036854775807 + 0, 9223372036854775808 - 1, math.type(9223372036854775808 - 1))
-- modulo results sign follows divisor
for _, p in ipairs({{5, 3}, {-5, 3}, {5, -3}, {-5, -3}, {5.5, 2}, {-5.5, 2}, {5.5, -2}, {0, 7}, {6, 3}, {-6, 3}}) do
  io.write(string.format("%s%%%s=%s ", tostring(p[1]), tostring(p[2]), tostring(p[1] % p[2])))
end
print()
-- floor division identities a == (a // b) * b + a % b
local okcount = 0
for a = -20, 20 do
  for _, b in ipairs({-7, -3, -1, 1, 2, 5}) do
    if a == (a // b) * b + a % b then okcount = okcount + 1 end
  end
end
print("identity holds", okcount)
-- float modulo with infinities and precision
print(1e308 % 3, -1e308 % 3 >= 0, 0.3 % 0.1, 1 % 0.1)
print(math.fmod(-6, 4), -6 % 4, math.fmod(6, -4), 6 % -4)
-- numeric edge printing
print(1e308 * 10, -1e308 * 10, 2^-1074, 2^-1075, 1.7976931348623157e308)
print(123456789012, 1234567890123456789, 0.1 + 0.2 - 0.3)
print(3 == 3.0, math.type(3) == math.type(3.0), 1/3 * 3 == 1)
-- integer conversions in string.format and tostring
print(string.format("%d %s %s", 2^31, 2^31, math.tointeger(2^31)))
-- increments on float accumulate error
local f = 0
for i = 1, 10 do f = f + 0.1 end
print(f, f == 1, string.format("%.17g", f))
