-- a ')' is plain text to find (no specials), an error to the matcher once reached;
-- the gmatch iterator's errors carry a position only when Lua code calls it
print(pcall(string.gsub, 'abc', 'a)', 'x'))
print(pcall(string.gsub, 'xyz', 'a)', 'x'))
print(pcall(string.find, 'abc', 'a)'))
print(pcall(string.match, 'abc', 'a)'))
print(pcall(string.gmatch('abc', 'a)')))
print(pcall(string.gmatch('abc', '%')))
print(pcall(function() for k in string.gmatch('abc', 'a)') do end end))
local f = string.gmatch('abc', '(()')
print(pcall(f))
