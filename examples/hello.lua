-- A small tour of Lua 5.4 running on luavm.
local Account = {}
Account.__index = Account

function Account.new(owner, balance)
  return setmetatable({owner = owner, balance = balance or 0}, Account)
end

function Account:deposit(v) self.balance = self.balance + v end

function Account:withdraw(v)
  if v > self.balance then error("insufficient funds", 2) end
  self.balance = self.balance - v
end

local acc = Account.new("ada", 100)
acc:deposit(50)
print(acc.owner, acc.balance)
print(pcall(acc.withdraw, acc, 1000))

-- coroutines: a generator of primes
local primes = coroutine.wrap(function()
  local found = {}
  for n = 2, math.huge do
    local prime = true
    for _, p in ipairs(found) do
      if p * p > n then break end
      if n % p == 0 then prime = false; break end
    end
    if prime then found[#found + 1] = n; coroutine.yield(n) end
  end
end)
local first = {}
for _ = 1, 10 do first[#first + 1] = primes() end
print("primes:", table.concat(first, " "))

-- integers wrap around like Lua's, floats print like Lua's
print(math.maxinteger + 1 == math.mininteger, 2^53, 10 // 3, 10.0 / 4, 7 % -3)
print(string.format("%-8s|%5.2f|%x", "fmt", math.pi, 255), ("hello"):upper(), #"é")
