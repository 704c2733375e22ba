local function counter()
  local n = 0
  return function() n = n + 1; return n end
end
local c1, c2 = counter(), counter()
print(c1(), c1(), c1(), c2(), c1(), c2())
-- shared upvalues between siblings
local function pair()
  local v = 0
  local function get() return v end
  local function set(x) v = x end
  local function inc() v = v + 1 end
  return get, set, inc
end
local get, set, inc = pair()
set(10); inc(); inc()
print(get())
-- per-iteration fresh loop variable in numeric for
local fs = {}
for i = 1, 5 do fs[i] = function() return i end end
for i = 1, 5 do io.write(fs[i](), " ") end print()
-- generic for
local gs = {}
for k, v in ipairs({"a", "b", "c"}) do gs[#gs + 1] = function() return k .. v end end
for _, g in ipairs(gs) do io.write(g(), " ") end print()
-- while loop with local
local ws = {}
local j = 0
while j < 4 do
  j = j + 1
  local captured = j * 10
  ws[j] = function() captured = captured + 1; return captured end
end
print(ws[1](), ws[1](), ws[2](), ws[4]())
-- repeat with local
local rs = {}
local r = 0
repeat
  local x = r
  rs[#rs + 1] = function() return x end
  r = r + 1
until x >= 3
for _, f in ipairs(rs) do io.write(f(), " ") end print()
-- loop var modified inside closure does not affect loop
local mods = {}
for i = 1, 3 do
  mods[i] = function() i = i + 100; return i end
end
print(mods[1](), mods[1](), mods[2](), mods[3]())
-- recursion via local function
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(fact(10), fact(20), fact(21))
local fib
fib = function(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(20))
-- upvalues of upvalues
local function outer()
  local a = 1
  return function()
    local b = 2
    return function()
      local c = 3
      return function()
        a = a + 1; b = b + 1; c = c + 1
        return a + b + c
      end
    end
  end
end
local l3 = outer()()()
print(l3(), l3(), l3())
-- closures capturing parameters
local function adder(x) return function(y) return x + y end end
local add5 = adder(5)
print(add5(1), add5(10), adder(-1)(1))
-- closure sees later assignment to upvalue
local late
local function uselate() return late end
late = "assigned later"
print(uselate())
-- closure in table of methods
local function makeAccount(balance)
  local self = {}
  function self.deposit(v) balance = balance + v end
  function self.withdraw(v)
    if v > balance then error("insufficient funds", 2) end
    balance = balance - v
  end
  function self.balance() return balance end
  return self
end
local acc = makeAccount(100)
acc.deposit(50); acc.withdraw(30)
print(acc.balance(), pcall(acc.withdraw, 1000))
-- many closures each with separate state
local list = {}
for i = 1, 10 do
  local count = i
  list[i] = function() count = count * 2; return count end
end
local sum = 0
for i = 1, 10 do sum = sum + list[i]() + list[i]() end
print(sum)
-- closure over loop var, after loop ends, with nested loops
local grid = {}
for x = 1, 3 do
  for y = 1, 3 do
    grid[#grid + 1] = function() return x * 10 + y end
  end
end
for _, f in ipairs(grid) do io.write(f(), " ") end print()
