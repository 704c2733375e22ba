local inputs = {"10", "  10  ", "10.5", "0x1F", "0X1f", "1e3", "-7", "+7", "- 7", "abc", "", " ",
  "1 2", "0x", "inf", "nan", "1e", ".5", "5.", "0x1p4", "0x.8", "1e+2", "\t12\n", "99999999999999999999",
  "9223372036854775807", "9223372036854775808", "-9223372036854775808", "0xffffffffffffffffff"}
for _, s in ipairs(inputs) do
  local v = tonumber(s)
  print(string.format("%q", s), v, math.type(v))
end
print(tonumber("ff", 16), tonumber("FF", 16), tonumber("777", 8), tonumber("11", 2), tonumber("zz", 36))
print(tonumber("z", 35), tonumber("8", 8), tonumber("  101  ", 2), tonumber("-ff", 16), tonumber("1.5", 10))
print(tonumber("7fffffffffffffff", 16), tonumber("ffffffffffffffff", 16), tonumber("10000000000000000", 16))
print(tonumber(10), tonumber(10.5), tonumber(nil), tonumber({}), tonumber(true))
print(pcall(tonumber))
print(pcall(tonumber, "10", 1))
print(pcall(tonumber, "10", 37))
print(pcall(tonumber, 10, 16))
print(tostring(10), tostring(10.0), tostring(-0.0), tostring(nil), tostring(true), tostring(false))
print(tostring("x"), tostring(1e100), tostring(2^63), tostring(-2^63))
print(type(tostring({})), tostring({}):sub(1, 7), tostring(print):sub(1, 9))
print(tostring(setmetatable({}, {__tostring = function() return "OBJ" end})))
print(tostring(setmetatable({}, {__name = "MyType"})):match("^MyType: ") ~= nil)
print(pcall(tostring))
print(select("#", tostring(nil)))
print(tonumber("  0x10  "), tonumber("1e1", 10), tonumber("10", 36))
