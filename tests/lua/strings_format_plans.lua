-- string.format through its cached plans (one Python `%` per call) and every
-- way back to the general path: conversions, metamethods, errors, big results
local fmt = string.format
local forms = {"%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%i", "%3i", "%x", "%X", "%08x", "%-6x|",
  "%04X", "%f", "%.2f", "%10.3f", "%-10.1f|", "%+.1e", "%E", "%g", "%.14g", "%#g", "%010.2f", "% g",
  "%G", "%s", "[%s]", "%%d %d", "100%% %s"}
local vals = {0, 1, -1, 42, -42, 255, 2^53, 1e15, 0.5, -0.0, 3.14159, 1e300, -1e-300,
  math.maxinteger, math.mininteger, "str", "", "a\0b", 7.0, 1/0, -1/0, 0/0}
for _, f in ipairs(forms) do
  local row = {}
  for _, v in ipairs(vals) do
    local ok, r = pcall(fmt, f, v)
    row[#row + 1] = ok and r or ("E:" .. r)
  end
  print(f, table.concat(row, " "))
end
print(fmt("%d %s %.2f %x", 1, "two", 3, 255))
print(fmt("%s %s %s", 1, 2.5, "x"))
print(pcall(fmt, "%d %d", 1))
print(pcall(fmt, "%d", "12"))
print(pcall(fmt, "%d", "x"))
print(pcall(fmt, "%d", 1.5))
print(pcall(fmt, "%d", 3.0))
print(pcall(fmt, "%x", -1))
print(pcall(fmt, "%5.2d", 7))
print(pcall(fmt, "%05.3d", 7))
print(pcall(fmt, "%#x", 0))
print(pcall(fmt, "%#x", 255))
print(pcall(fmt, "%.3x", 5))
print(pcall(fmt, "%f", "1.5"))
print(pcall(fmt, "%f", {}))
print(pcall(fmt, "%s", {} ~= nil))
print(pcall(fmt, "%s", nil))
print(pcall(fmt, "%10s|", "ab"))
print(pcall(fmt, "%.1s|", "ab"))
print(pcall(fmt, "%123d", 1))
print(pcall(fmt, "%y", 1))
print(pcall(fmt, "%", 1))
print(pcall(fmt, "%d"))
print(#fmt("%s%s", string.rep("a", 600), string.rep("b", 600)))
print(fmt("%s", setmetatable({}, {__tostring = function() return "obj" end})))
local smt = getmetatable("")
smt.__tostring = function(s) return "<" .. #s .. ">" end
local r1 = fmt("%s|%s|%s", "abcd", 1, "xy")
smt.__tostring = nil
print(r1)
print(fmt("%s|%s", "abc", 1))
debug.setmetatable(0, {__tostring = function(n) return "num" end})
print(fmt("%s %d %.1f", 5, 5, 5))
debug.setmetatable(0, nil)
print(fmt("%s %d %.1f", 5, 5, 5))
