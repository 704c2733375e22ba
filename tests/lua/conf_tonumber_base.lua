print(tonumber('  +1Z  ', 36), tonumber('  -1z  ', 36), tonumber('-fFfa', 16), tonumber('  -10  ', 36))
print(tonumber('1e1', 16), tonumber(' ', 10), tonumber('', 10), tonumber('+', 10), tonumber('z', 36), tonumber('10', 2.0))
print(pcall(tonumber, '10', 1), pcall(tonumber, '10', 37), pcall(tonumber, 10, 10))
print(tonumber('ffffffffffffffffff', 16), tonumber('7fffffffffffffff', 16), tonumber('-8000000000000000', 16))
for _, s in ipairs({"12.5", " 12 ", "0x10", "1e5", "inf", "nan", "1_0", "-.5", "5.", "99999999999999999999", "-9223372036854775808", "0x", "", " ", "1e", "12a", "1 2", "\t3\n"}) do print(s, tonumber(s), math.type(tonumber(s))) end
for _, s in ipairs({"0x10", " -0x1p4 ", "0x", "0xg", "+0XA", "1e400", "-1e400", "0x.8", "\v5\f", "1 e5", "--1", "+-1", "0b1"}) do print(s, tonumber(s)) end
