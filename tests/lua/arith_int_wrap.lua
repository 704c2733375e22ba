-- 64-bit integer wraparound
print(math.maxinteger, math.mininteger)
print(math.maxinteger + 1 == math.mininteger)
print(math.mininteger - 1 == math.maxinteger)
print(math.maxinteger + 1)
print(math.mininteger - 1)
print(math.maxinteger * 2)
print(math.maxinteger * math.maxinteger)
print(math.mininteger * -1)
print(-math.mininteger)
print(math.mininteger // -1)
print(math.mininteger % -1)
print(0x7fffffffffffffff + 0x7fffffffffffffff)
print(1 << 63, 1 << 64, 1 << 62)
print(0xffffffffffffffff)
print(0x10000000000000000)
print(9223372036854775807, 9223372036854775808)
print(-9223372036854775808)
print(math.type(9223372036854775808))
local x = 1
for i = 1, 70 do x = x * 3 end
print(x)
local h = 0
for i = 1, 100 do h = h * 31 + i end
print(h)
print(123456789 * 987654321 * 1000)
print(math.maxinteger // 1, math.maxinteger // 2)
print(math.mininteger + math.mininteger)
print(-(-9223372036854775807 - 1))
print(math.abs(math.mininteger))
for _, v in ipairs({1, 100, 1 << 40, math.maxinteger}) do
  io.write(v * v, " ", v + v, " ", -v, "\n")
end
