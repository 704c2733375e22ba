math.randomseed(42)
local out = {}
for i = 1, 20 do out[#out + 1] = math.random(1, 100) end
print(table.concat(out, " "))
for i = 1, 5 do print(math.random()) end
for i = 1, 5 do io.write(math.random(10), " ") end print()
for i = 1, 5 do io.write(math.random(-5, 5), " ") end print()
for i = 1, 3 do io.write(math.random(0), " ") end print()
print(math.random(math.mininteger, math.maxinteger))
print(math.random(3, 3))
math.randomseed(42)
local again = {}
for i = 1, 20 do again[#again + 1] = math.random(1, 100) end
print(table.concat(again, " ") == table.concat(out, " "))
math.randomseed(123, 456)
print(math.random(1, 1000), math.random(1, 1000), math.random())
math.randomseed(0)
print(math.random(1, 6), math.random(1, 6), math.random(1, 6))
math.randomseed(-7)
print(math.random(100), math.random(1 << 40))
math.randomseed(3.0)
print(math.random(100))
print(pcall(math.random, 1, 2, 3))
print(pcall(math.random, 0.5))
-- shuffle with fixed seed
math.randomseed(2024)
local deck = {}
for i = 1, 10 do deck[i] = i end
for i = #deck, 2, -1 do
  local j = math.random(i)
  deck[i], deck[j] = deck[j], deck[i]
end
print(table.concat(deck, " "))
-- distribution check
math.randomseed(99)
local buckets = {0, 0, 0, 0}
for i = 1, 1000 do local r = math.random(4); buckets[r] = buckets[r] + 1 end
print(table.concat(buckets, " "))
local fsum = 0
for i = 1, 100 do fsum = fsum + math.random() end
print(string.format("%.10f", fsum))
