-- found by fuzz/ differential: a float key with an integral value outside the
-- int64 range stays a float key (2^63 is not math.mininteger, 1e100 is not an int)
local t = {}
t[2^63] = "a"
t[-2^63] = "b"
t[1e100] = "c"
t[2^53] = "d"
t[-0.0] = "z"
for _, k in ipairs({2^63, -2^63, 1e100, 2^53, 0}) do print(k, math.type(k), t[k]) end
print(t[math.mininteger], t[math.maxinteger], t[9007199254740992], t[0])
local ks = {}
for k in pairs(t) do ks[#ks + 1] = string.format("%s:%s", math.type(k), tostring(k)) end
table.sort(ks)
print(table.concat(ks, " "))
print(next({[2^63] = 1}))
print(rawget(t, 2^63), rawget(t, -2^63), rawget(t, 1e100))
