-- found by fuzz/ runtime: an error inside a message handler is handled by it again (until C stack overflow)
print(xpcall(function() error({code = 1}) end, string.upper))
print(xpcall(error, error, 'e'))
print(xpcall(function() error({}) end, function(m) error({}) end))
print(xpcall(function() error({}) end, function(m) if type(m) == "table" then error({}) end return "got " .. m end))
local n = 0
print(xpcall(function() error("x") end, function(m) n = n + 1 if n < 5 then error("again" .. n, 0) end return "final " .. m end), n)
print(xpcall(function() error("x") end, function(m) return nil end))
print(pcall(xpcall, function() error("x") end, function(m) local t = nil; return t.x end))
