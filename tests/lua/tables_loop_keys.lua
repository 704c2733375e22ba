-- Array access with numeric-for variables as keys: loops counting up from a
-- positive start (keys known >= 1), from 0 or below, downwards, with float steps.
local t = {}
for i = 1, 5 do t[i] = i * i end
for i = 0, 3 do io.write(tostring(t[i]), " ") end
print()
for i = -2, 2 do t[i] = -i end
for i = -2, 6 do io.write(tostring(t[i]), " ") end
print(#t)
for i = 5, 1, -1 do t[i] = t[i] and t[i] + 1 end
for i = 3, 7, 2 do t[i] = i end
print(t[1], t[3], t[5], t[7], #t == 5 or #t == 7)
for i = 1.0, 3.0 do t[i] = "f" .. i end
print(t[1], t[2], t[3], math.type(next({[1.0] = 1})))
local big = math.maxinteger - 2
for i = big, math.maxinteger do t[i] = i end
print(t[big], t[math.maxinteger])
local s = setmetatable({}, {__index = function(_, k) return "idx" .. k end,
                            __newindex = function(tt, k, v) rawset(tt, k, v .. "!") end})
for i = 1, 3 do s[i] = i end
for i = 1, 4 do io.write(tostring(s[i]), " ") end
print()
local u = {}
for i = 1, 3 do u[i] = i end
for i = 2, 3 do u[i] = nil end
for i = 1, 4 do io.write(tostring(u[i]), " ") end
print(#u)

-- loop variables counting up from 1 or down to 1 index without a sign test
local t = {10, 20, 30, n = 1}
local s = 0
for i = 1, 5 do s = s + (t[i] or 0) end
for i = 5, 1, -1 do t[i] = i * 2 end
for i = 3, 1, -1 do s = s + t[i] end
local function f(n) local r = {} for i = n, 1, -1 do r[#r + 1] = t[i] end return r end
print(s, #t, table.concat(f(5), ","), table.concat(f(3.5), ","), pcall(f, "x"))
local u = setmetatable({}, {__index = function(_, k) return k * 100 end, __newindex = function(tt, k, v) rawset(tt, k, v + 1) end})
for i = 1, 3 do u[i] = i end
for i = 1, 5 do io.write(u[i], " ") end print()
local w = {}
for i = 1, 4 do w[i] = i end
for i = 2, 4 do w[i] = nil end
for i = 1, 6 do io.write(tostring(w[i]), " ") end print(#w)
