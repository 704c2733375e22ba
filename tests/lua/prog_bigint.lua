-- arbitrary precision non-negative integers, base 10^7
local BASE, WIDTH = 10000000, 7
local Big = {}
Big.__index = Big
local function new(digits) return setmetatable(digits, Big) end
function Big.from(n)
  if type(n) == "string" then
    local d = {}
    for i = #n, 1, -WIDTH do
      local s = math.max(1, i - WIDTH + 1)
      d[#d + 1] = tonumber(n:sub(s, i))
    end
    return new(d)
  end
  local d = {}
  repeat d[#d + 1] = n % BASE; n = n // BASE until n == 0
  return new(d)
end
local function trim(d) while #d > 1 and d[#d] == 0 do d[#d] = nil end return d end
Big.__add = function(a, b)
  if type(a) == "number" then a = Big.from(a) end
  if type(b) == "number" then b = Big.from(b) end
  local r, carry = {}, 0
  for i = 1, math.max(#a, #b) do
    local s = (a[i] or 0) + (b[i] or 0) + carry
    r[i] = s % BASE; carry = s // BASE
  end
  if carry > 0 then r[#r + 1] = carry end
  return new(r)
end
Big.__mul = function(a, b)
  if type(a) == "number" then a = Big.from(a) end
  if type(b) == "number" then b = Big.from(b) end
  local r = {}
  for i = 1, #a + #b do r[i] = 0 end
  for i = 1, #a do
    local carry = 0
    for j = 1, #b do
      local cur = r[i + j - 1] + a[i] * b[j] + carry
      r[i + j - 1] = cur % BASE; carry = cur // BASE
    end
    local k = i + #b
    while carry > 0 do
      local cur = r[k] + carry
      r[k] = cur % BASE; carry = cur // BASE; k = k + 1
    end
  end
  return new(trim(r))
end
Big.__eq = function(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do if a[i] ~= b[i] then return false end end
  return true
end
Big.__lt = function(a, b)
  if #a ~= #b then return #a < #b end
  for i = #a, 1, -1 do if a[i] ~= b[i] then return a[i] < b[i] end end
  return false
end
Big.__tostring = function(a)
  local parts = {tostring(a[#a])}
  for i = #a - 1, 1, -1 do parts[#parts + 1] = string.format("%07d", a[i]) end
  return table.concat(parts)
end
function Big:ndigits() return #tostring(self) end
Big.__concat = function(a, b) return tostring(a) .. tostring(b) end

local f = Big.from(1)
for i = 1, 50 do f = f * i end
print("50! =", tostring(f), f:ndigits())
local a, b = Big.from(0), Big.from(1)
for i = 1, 200 do a, b = b, a + b end
print("fib(200) =", tostring(a))
local p = Big.from(1)
for i = 1, 100 do p = p * 2 end
print("2^100 =", tostring(p))
print(Big.from("123456789012345678901234567890") * Big.from("987654321098765432109876543210") .. "")
print(Big.from(99) == Big.from("99"), Big.from(5) < Big.from(50), Big.from("100000000000") < Big.from("99999999999"))
print(tostring(Big.from(0) * Big.from(12345)), tostring(Big.from(9999999) + 1), tostring(1 + Big.from(BASE - 1)))
-- sum of digits of 100!
local h = Big.from(1)
for i = 2, 100 do h = h * i end
local s = 0
for d in tostring(h):gmatch("%d") do s = s + tonumber(d) end
print("digit sum of 100! =", s, "length", h:ndigits())
