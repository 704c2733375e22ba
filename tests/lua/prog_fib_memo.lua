-- memoised fibonacci with integer wraparound
local memo = {}
local function fib(n)
  if n <= 2 then return 1 end
  local v = memo[n]
  if v then return v end
  v = fib(n - 1) + fib(n - 2)
  memo[n] = v
  return v
end
for _, n in ipairs({1, 2, 10, 50, 90, 92, 93, 94, 100, 200, 300}) do print(n, fib(n)) end
-- float version diverges after 2^53
local function ffib(n) local a, b = 0.0, 1.0 for i = 1, n do a, b = b, a + b end return a end
print(ffib(78), ffib(80), ffib(100), ffib(1476), ffib(1477))
-- iterative with wrap, compare with memo
local function ifib(n) local a, b = 0, 1 for i = 1, n do a, b = b, a + b end return a end
local mismatch = 0
for n = 1, 300 do if ifib(n) ~= fib(n) then mismatch = mismatch + 1 end end
print("mismatch", mismatch)
-- factorial wraparound
local f = 1
for i = 1, 25 do f = f * i; io.write(i, "!=", f, " ") if i % 5 == 0 then print() end end
-- memoize generic with multiple args key
local function memo2(fn)
  local cache = {}
  return function(a, b)
    local key = a .. "," .. b
    if cache[key] == nil then cache[key] = fn(a, b) end
    return cache[key]
  end
end
local binom
binom = memo2(function(n, k)
  if k == 0 or k == n then return 1 end
  return binom(n - 1, k - 1) + binom(n - 1, k)
end)
print(binom(10, 5), binom(30, 15), binom(60, 30), binom(70, 35))
-- power with overflow
local function ipow(b, e) local r = 1 while e > 0 do if e & 1 == 1 then r = r * b end b = b * b; e = e >> 1 end return r end
print(ipow(2, 62), ipow(2, 63), ipow(2, 64), ipow(3, 40), ipow(3, 41), ipow(7, 77))
