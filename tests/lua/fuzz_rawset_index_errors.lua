-- found by fuzz/ differential: rawset raises "table index is nil/NaN" from C: no position
print(pcall(function() return rawset({}, nil, 1) end))
print(pcall(function() local x = rawset({}, nil, 1) end))
print(pcall(function() local x = rawset({}, 0/0, 1) end))
print(pcall(function() local t = {} t[nil] = 1 end))
print(pcall(function() local t = {} t[0/0] = 1 end))
print(pcall(function() return next({}, "nokey") end))
print(pcall(function() local t = setmetatable({}, {__newindex = rawset}) t[nil] = 1 end))
print(pcall(function() return table.insert({}, nil, 1) end))
