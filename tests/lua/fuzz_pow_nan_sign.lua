-- found by fuzz/ differential: the sign of NaN from pow follows glibc (print shows nan / -nan)
local nan, pnan = 0/0, -(0/0)
for _, y in ipairs({-1, 2, 0.5, 3, -2, -3, 1, 0, 1e300, -1e300, 1/0, -1/0, 2^53 + 1, 9007199254740991}) do
  print(y, nan ^ y, pnan ^ y, math.pow(nan, y), math.pow(pnan, y))
end
print(2 ^ nan, 2 ^ pnan, 1 ^ nan, nan ^ nan, pnan ^ nan, nan ^ pnan, (-8) ^ (1/3), (-8) ^ 0.5)
