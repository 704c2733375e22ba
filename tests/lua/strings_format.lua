local cases = {
  {"%d", 0}, {"%d", -123}, {"%5d", 42}, {"%-5d|", 42}, {"%05d", -42}, {"%+d", 0}, {"% d", 7},
  {"%x", 3054}, {"%X", 3054}, {"%#x", 255}, {"%o", 64}, {"%#o", 8},
  {"%f", 1.5}, {"%.0f", 2.5}, {"%.0f", 3.5}, {"%.2f", -0.005}, {"%10.3f|", math.pi}, {"%-10.2f|", 2.0},
  {"%e", 123456.789}, {"%.2E", 0.000123}, {"%g", 0.0001}, {"%g", 0.00001}, {"%g", 123456789}, {"%.3g", 2/3}, {"%#g", 1.0},
  {"%s", "str"}, {"%10s|", "right"}, {"%-10s|", "left"}, {"%.3s", "truncate"}, {"%s", 12}, {"%s", 1.0}, {"%s", true}, {"%s", nil},
  {"%c", 65}, {"%q", "line\nnext"}, {"%q", 255}, {"%q", 2.5}, {"%q", math.huge}, {"%q", -math.huge}, {"%%", nil},
  {"%i", 99}, {"%5.1s|", "abc"}, {"%.10d", 5}, {"%x", -1}, {"%d", math.mininteger}, {"%g", 2^63}, {"%.14g", 0.1},
  {"%a", 0.5}, {"%.3a", 1/3}, {"%g", -0.0}, {"%f", math.huge}, {"%d", 3.0}, {"%x", 16.0},
}
for _, c in ipairs(cases) do
  local ok, r = pcall(string.format, c[1], c[2])
  print(c[1], ok, r)
end
print(pcall(string.format, "%d", 3.5))
print(pcall(string.format, "%d", "3"))
print(pcall(string.format, "%d", "3.0"))
print(pcall(string.format, "%z", 1))
print(pcall(string.format, "%", 1))
print(pcall(string.format, "%d"))
print(pcall(string.format, "%100d", 1))
print(pcall(string.format, "%q", {}))
print(string.format("%s and %s", "a", "b", "extra"))
print(string.format("no specifiers"))
print(string.format("%s", string.rep("x", 100)):len())
print(string.format("%-3s|%3s|", "abcdef", "abcdef"))
print(string.format("%5.2f%%", 99.555))
print(string.format("[%q]", "tab\there\0nul\127del\200hi"))
print(string.format("%.20s", "short"))
print(#string.format("%099d", 7))
