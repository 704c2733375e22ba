local s = "héllo wörld €𝄞"
print(#s, utf8.len(s))
for p, c in utf8.codes(s) do io.write(p, ":", c, " ") end print()
print(utf8.codepoint(s, 1, -1))
print(utf8.char(), utf8.char(65), utf8.char(0x10FFFF):byte(1, -1))
print(utf8.char(72, 233, 0x20AC, 0x1D11E))
print(utf8.offset(s, 1), utf8.offset(s, 2), utf8.offset(s, 3), utf8.offset(s, -1), utf8.offset(s, -2), utf8.offset(s, 0, 3))
print(utf8.len(s, 3), utf8.len("\xff"), utf8.len("abc\xe4"), utf8.len(""), utf8.len("abc", 4))
print(pcall(utf8.codepoint, "\xff"))
print(pcall(utf8.len, "abc", 5))
print(pcall(utf8.offset, "héllo", 1, 3))
for _, c in utf8.codes("añb") do io.write(utf8.char(c), "|") end print()
local count = 0
for ch in s:gmatch(utf8.charpattern) do count = count + 1 end
print(count)
print(pcall(function() for p, c in utf8.codes("ab\xffcd") do end end))
-- reverse a utf8 string
local function ureverse(str)
  local chars = {}
  for _, c in utf8.codes(str) do table.insert(chars, 1, utf8.char(c)) end
  return table.concat(chars)
end
print(ureverse("añb€"))
print(utf8.char(0x7FFFFFFF):byte(1, -1))
print(utf8.len("\u{7FFFFFFF}"), utf8.len("\u{7FFFFFFF}", 1, -1, true))
print(utf8.codepoint("\u{7FFFFFFF}", 1, 1, true))
