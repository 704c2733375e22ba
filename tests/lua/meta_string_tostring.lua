-- a `__tostring` in the string metatable applies to strings in print/tostring/%s
print("plain", 1)
local mt = getmetatable("")
mt.__tostring = function(s) return "<" .. #s .. ">" end
print("ab", 1, nil, true)
print(tostring("abc"), string.format("%s|%5s", "xy", "z"))
mt.__tostring = nil
print("back", "to", "plain")
