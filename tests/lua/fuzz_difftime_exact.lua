-- found by fuzz/ runtime: os.difftime subtracts exactly (glibc uses long double), then rounds
for _, p in ipairs({{1, 9007199254740993}, {9007199254740993, 1}, {math.maxinteger, math.mininteger},
                    {math.mininteger, math.maxinteger}, {0, 0}, {2^53, -1}, {123456789, 987654321}}) do
  print(string.format("%.17g", os.difftime(p[1], p[2])))
end
print(pcall(os.difftime, 1.5, 1), pcall(os.difftime, 1))
