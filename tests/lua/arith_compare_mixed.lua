local vals = {-2, -1.5, -1, 0, -0.0, 0.5, 1, 1.0, 2, 2^53, 2^53 + 1, math.maxinteger, math.mininteger, math.huge, -math.huge}
local names = {}
for i, v in ipairs(vals) do names[i] = tostring(v) end
for i = 1, #vals do
  local row = {}
  for j = 1, #vals do
    local a, b = vals[i], vals[j]
    local r = (a < b and "<" or "") .. (a <= b and "l" or "") .. (a == b and "=" or "") .. (a > b and ">" or "")
    row[#row + 1] = r == "" and "." or r
  end
  print(string.format("%-22s %s", names[i], table.concat(row, " ")))
end
-- integers vs floats near the edges
local big = math.maxinteger
print(big < 2^63, big <= 2^63, big == 2^63, big + 0.0 == 2^63, big > 2^63 - 1024)
print(math.mininteger == -2^63, math.mininteger < -2^63, math.mininteger <= -2^63)
print((2^53 | 0) + 1 > 2^53, (2^53 | 0) + 1 == 2^53 + 1, 2^53 + 1 == 2^53)
print(1 < 1.0000000000000002, 1 == 1.0000000000000001)
print(-0.0 == 0, -0.0 < 0, 0 < -0.0, math.mininteger < -9.2233720368547e18)
-- nan compares false everywhere
local nan = 0/0
print(nan < 1, nan > 1, nan <= nan, nan >= nan, nan == nan, nan ~= nan, 1 < nan, math.maxinteger < nan)
-- equality of different types
print(1 == "1", "1" == 1, true == 1, nil == false, {} == {}, "a" == "a")
-- string comparisons are bytewise
print("a" < "b", "abc" < "abd", "Z" < "a", "" < "\0", "\0" < "\1", "a\0a" < "a\0b", "10" < "2")
print(("\xff" > "\x7f"), ("é" > "z"))
-- sort numbers of mixed subtypes
local mix = {3, 1.5, -2, 2.25, 0, -0.5, 10, 7.0}
table.sort(mix)
print(table.concat(mix, " "))
-- max/min with mixed
print(math.max(1, 2.0), math.max(2.0, 1), math.max(2, 2.0), math.max(2.0, 2), math.min(-0.0, 0), math.min(0, -0.0))
