local function classify(n)
  if n < 0 then return "negative"
  elseif n == 0 then return "zero"
  elseif n < 10 then return "small"
  else return "large" end
end
for _, v in ipairs({-5, 0, 3, 42}) do io.write(classify(v), " ") end print()
-- truthiness
for _, v in ipairs({0, "", false, true}) do io.write(tostring(v and "T" or "F"), " ") end
if nil then print("nil true") else print("nil false") end
-- and/or values
print(nil or "default", false or nil, 1 and 2, nil and 1, false and error("x"), 0 or 1)
print(1 == 1 and "yes" or "no", not nil, not 0, not not "x")
-- while
local i, s = 0, 0
while i < 10 do i = i + 1; if i % 2 == 0 then s = s + i end end
print(i, s)
-- repeat with local in until
local n = 0
repeat
  local sq = n * n
  n = n + 1
until sq > 50
print(n)
-- numeric for
for k = 1, 3 do io.write(k, " ") end print()
for k = 3, 1, -1 do io.write(k, " ") end print()
for k = 1, 0 do io.write("never") end print("empty loop ok")
for k = 1, 2, 0.5 do io.write(k, " ") end print()
for k = 1.0, 3 do io.write(k, " ") end print()
for k = 10, 1, -3 do io.write(k, " ") end print()
for k = 0.1, 0.5, 0.1 do io.write(string.format("%.1f", k), " ") end print()
for k = -1, -5, -2 do io.write(k, " ") end print()
for k = math.maxinteger - 2, math.maxinteger do io.write(k, " ") end print()
for k = math.mininteger, math.mininteger + 2 do io.write(k, " ") end print()
for k = math.mininteger + 2, math.mininteger, -1 do io.write(k, " ") end print()
for k = math.maxinteger - 5, math.maxinteger, 4 do io.write(k, " ") end print()
for k = 1, math.huge do if k > 3 then break end io.write(k, " ") end print()
for k = 3, 1.5, -1 do io.write(k, " ", math.type(k), " ") end print()
for k = 1, 3.9 do io.write(k, " ") end print()
print(pcall(function() for k = 1, 10, 0 do end end))
print(pcall(function() for k = "a", 10 do end end))
print(pcall(function() for k = 1, {} do end end))
print(pcall(function() for k = 1, 2, nil do end end))
-- modifying loop var does not affect iteration
for k = 1, 3 do local kk = k; k = k * 10; io.write(kk, ":", k, " ") end print()
-- nested break
for a = 1, 3 do
  for b = 1, 3 do
    if b == 2 then break end
    io.write(a, b, " ")
  end
end
print()
-- while with break and complex condition
local x = 100
while true do
  x = x // 2
  if x < 5 then break end
end
print(x)
-- nested loops sum
local total = 0
for a = 1, 10 do for b = a, 10 do total = total + a * b end end
print(total)
-- float loop accumulating
local acc = 0
for f = 0, 1, 0.25 do acc = acc + f end
print(acc)
