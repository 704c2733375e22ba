-- generic for: the inline next / ipairs steps, their edge cases and errors
print(pcall(function() for k in next, {}, "x" do end end))
print(pcall(function() for k in next, {a=1}, "x" do end end))
print(pcall(function() for k, v in next, {1,2}, 5 do print(k, v) end end))
print(pcall(function() for k, v in ipairs({1,2}), "x", "y" do print(k, v) end end))
print(pcall(function() for k, v in ipairs({1,2}), {1, 2, nil, 4}, 2.0 do print(k, v, math.type(k)) end end))
print(pcall(function() for k, v in ipairs({1,2}), {1, 2, nil, 4}, -1 do print(k, v, math.type(k)) end end))
print(pcall(function() for k, v in ipairs({1,2}), {1, 2, 3}, math.maxinteger do print(k, v, math.type(k)) end end))
local t = setmetatable({1, 2}, {__index = function(t, i) if i < 5 then return i * 10 end end})
for i, v in ipairs(t) do print(i, v) end
for k in pairs({10, 20, x = 1}) do print(k) end
local t2 = {1, 2, 3, nil, 5}
for i, v in ipairs(t2) do print(i, v) end
local t3 = {1, 2, 3}
for i, v in ipairs(t3) do t3[i + 1] = nil; print(i, v) end
local t4 = {a = 1, b = 2, c = 3}
local n = 0
for k, v in pairs(t4) do t4[k] = nil; n = n + 1 end
print(n, next(t4))
for k, v, z in pairs({5}) do print(k, v, z) end
for k, v, z in ipairs({5}) do print(k, v, z) end
-- a pending tail call, too few values, a closing value from the explist call
local function three() return next, {z = 26}, nil end
local function tail() return three() end
for k, v in tail() do print(k, v) end
local function two() return ipairs({7}) end
for i, v in (function() return two() end)() do print(i, v) end
local function one() return function(s, c) if not c then return 1 end end end
for k in one() do print("one", k) end
local cv = setmetatable({}, {__close = function() print("closed") end})
local function four() return next, {q = 1}, nil, cv end
for k, v in four() do print(k, v) end
print(pcall(function() for k in (function() return next, {}, nil, 42 end)() do end end))
for k, v in next, {w = 1} do print(k, v) end
