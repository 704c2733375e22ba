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
