-- constructors ending in a call: one plain result, several, none, nil, a tail call, a yield
local function two() return 1, 2 end
local function none() end
local function one() return "x" end
local function nilf() return nil end
local function tc() return two() end
local t = {0, two()}; print(#t, t[1], t[2], t[3])
t = {0, none()}; print(#t, t[1], t[2])
t = {0, one()}; print(#t, t[2])
t = {0, nilf()}; print(#t, t[2])
t = {0, tc()}; print(#t, t[3])
local function tc1() return one() end
t = {0, tc1()}; print(#t, t[2])
t = {two()}; print(#t)
t = {0, (two())}; print(#t)
local co = coroutine.wrap(function() local x = {1, coroutine.yield(5)}; return #x, x[2] end)
print(co()); print(co("y", "z"))
t = {x = 1, 0, two()}; print(#t, t.x, t[3])
t = {0, 9, x = 1, two()}; print(#t, t.x, t[4])
local function deep(n) if n == 0 then return "d", "e" end return deep(n - 1) end
t = {1, deep(100)}; print(#t, t[2], t[3])
local gen = coroutine.wrap(function()
  for i = 1, 3 do local x = {i, coroutine.yield(i)}; print("got", #x, x[2]) end
end)
gen(); gen("a"); gen(nil); gen("b", "c")
