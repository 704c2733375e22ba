-- math functions on the values their fast paths take and refuse (inf, nan, -0.0, limits)
for _, x in ipairs({0.0, -0.0, 1.5, -1.5, 2^53, -2^63, 2^63, 1e300, -1e301, 1/0, -1/0, 0/0, -(0/0), 4, -4, math.maxinteger, math.mininteger, 9.2e18, -9.2e18, 9.3e18}) do
  print(x, math.abs(x), math.sin(x), math.cos(x), math.floor(x), math.sqrt(x), math.max(x, 1), math.min(x, 1), math.max(1.0, x), math.min(-0.0, x), math.max(0.0, x))
end
print(math.max(1, 2.5), math.min(2, 1), math.max(0/0, 1.0), math.max(1.0, 0/0), math.min(0/0, 1.0), math.min(1.0, 0/0))
print(pcall(math.max, "1", 2), pcall(math.sqrt, "4"), math.sqrt(-4), math.floor(-0.0), math.abs(-0.0))
