print(tonumber('  +1Z  ', 36), tonumber('  -1z  ', 36), tonumber('-fFfa', 16), tonumber('  -10  ', 36))
print(tonumber('1e1', 16), tonumber(' ', 10), tonumber('', 10), tonumber('+', 10), tonumber('z', 36), tonumber('10', 2.0))
print(pcall(tonumber, '10', 1), pcall(tonumber, '10', 37), pcall(tonumber, 10, 10))
print(tonumber('ffffffffffffffffff', 16), tonumber('7fffffffffffffff', 16), tonumber('-8000000000000000', 16))
for _, s in ipairs({"12.5", " 12 ", "0x10", "1e5", "inf", "nan", "1_0", "-.5", "5.", "99999999999999999999", "-9223372036854775808", "0x", "", " ", "1e", "12a", "1 2", "\t3\n"}) do print(s, tonumber(s), math.type(tonumber(s))) end
