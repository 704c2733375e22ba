-- found by fuzz/ differential: pairs() accepts any value (lua 5.4); the generic
-- for's call of `next` is what complains, as 'for iterator'
print(pcall(function() for k in pairs(nil) do end end))
print(pcall(function() for k in pairs(5) do end end))
print(select('#', pairs("x")), select(2, pairs(true)))
print(pcall(pairs))
print(pcall(function() local t = setmetatable({}, {__pairs = function(t) return next, {1}, nil end}) for k, v in pairs(t) do print(k, v) end end))
