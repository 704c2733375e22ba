-- concatenating constants builds a new string (as Lua does for long strings)
local s1 <const> = "01234567890123456789012345678901234567890123456789"
local sd = "0123456789" .. "0123456789012345678901234567890123456789"
print(sd == s1, string.format("%p", sd) ~= string.format("%p", s1))
print(1 .. 2, "a" .. 1.5, 2 .. "")
