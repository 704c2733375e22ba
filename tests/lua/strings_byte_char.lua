local s = "Hello"
print(s:byte(), s:byte(2), s:byte(-1), s:byte(1, 3), s:byte(4, 10))
print(select("#", s:byte(3, 2)), select("#", s:byte(10)), select("#", s:byte(1, -1)))
print(string.char(), string.char(72, 101, 108, 108, 111), #string.char(0, 0, 0))
print(pcall(string.char, -1))
print(pcall(string.char, "65"))
print(pcall(string.char, 65.0), pcall(string.char, 65.5))
local all = {}
for i = 0, 255 do all[#all + 1] = string.char(i) end
local bytes = table.concat(all)
print(#bytes, bytes:byte(1), bytes:byte(256), bytes:sub(66, 70))
local sum = 0
for i = 1, #bytes do sum = sum + bytes:byte(i) end
print(sum)
print(bytes:upper():sub(98, 101), bytes:lower():sub(66, 69))
print(("abc"):rep(2, "\0"):byte(1, -1))
-- strings are immutable values; sub returns new strings that compare equal
local a = "hello world"
local b = a:sub(1, 5)
print(b == "hello", b, #b, a)
-- string indexing via metatable
print(("x").upper == string.upper, #getmetatable("").__index == 0)
-- string methods on numbers need parentheses via tostring
print((tostring(12345)):reverse(), ("%d"):rep(2))
-- comparisons with embedded zeros
print("a\0b" == "a\0b", "a\0b" ~= "a\0c", #"a\0b\0", ("a\0b"):find("\0", 1, true))
-- string.len vs # for multibyte
print(string.len("日本"), #"日本", ("日本"):sub(1, 3), ("日本"):sub(4))
-- concatenation of many pieces
local parts = {}
for i = 1, 26 do parts[i] = string.char(64 + i) end
print(table.concat(parts), table.concat(parts, "", 20), table.concat(parts, "-", 1, 5))
-- tostring of long strings and rep with separators
print(("ab"):rep(5, "|"), ("-"):rep(20))
-- string.reverse, upper, lower on mixed bytes
print(("Hello\0World"):reverse():byte(1, -1))
print(("MiXeD 123 ÀÉ"):upper(), ("MiXeD 123 ÀÉ"):lower())
