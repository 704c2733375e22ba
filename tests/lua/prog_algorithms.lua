-- sieve
local function sieve(n)
  local is = {}
  for i = 2, n do is[i] = true end
  for i = 2, math.floor(math.sqrt(n)) do
    if is[i] then for j = i * i, n, i do is[j] = false end end
  end
  local primes = {}
  for i = 2, n do if is[i] then primes[#primes + 1] = i end end
  return primes
end
local p = sieve(10000)
print(#p, p[1], p[100], p[#p])
local first = {}
for i = 1, 25 do first[i] = p[i] end
print(table.concat(first, " "))
-- n-queens
local function queens(n)
  local count, first_solution = 0, nil
  local cols, d1, d2, pos = {}, {}, {}, {}
  local function place(r)
    if r > n then
      count = count + 1
      if not first_solution then first_solution = table.concat(pos, ",") end
      return
    end
    for c = 1, n do
      if not cols[c] and not d1[r + c] and not d2[r - c + n] then
        cols[c], d1[r + c], d2[r - c + n], pos[r] = true, true, true, c
        place(r + 1)
        cols[c], d1[r + c], d2[r - c + n] = false, false, false
      end
    end
  end
  place(1)
  return count, first_solution
end
for n = 1, 8 do print("queens", n, queens(n)) end
-- binary trees
local function bottomUp(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return {bottomUp(depth), bottomUp(depth)}
end
local function check(tree)
  if tree[1] then return 1 + check(tree[1]) + check(tree[2]) end
  return 1
end
local maxdepth = 8
local stretch = bottomUp(maxdepth + 1)
print("stretch tree of depth " .. (maxdepth + 1) .. " check: " .. check(stretch))
local long = bottomUp(maxdepth)
for d = 4, maxdepth, 2 do
  local iters = 1 << (maxdepth - d + 4)
  local c = 0
  for i = 1, iters do c = c + check(bottomUp(d)) end
  print(iters .. " trees of depth " .. d .. " check: " .. c)
end
print("long lived tree of depth " .. maxdepth .. " check: " .. check(long))
-- quicksort implemented in Lua
local function qsort(a, lo, hi)
  lo, hi = lo or 1, hi or #a
  if lo < hi then
    local pivot, i = a[hi], lo - 1
    for j = lo, hi - 1 do
      if a[j] <= pivot then i = i + 1; a[i], a[j] = a[j], a[i] end
    end
    a[i + 1], a[hi] = a[hi], a[i + 1]
    qsort(a, lo, i)
    qsort(a, i + 2, hi)
  end
  return a
end
local arr = {}
local seed = 12345
for i = 1, 50 do seed = (seed * 1103515245 + 12345) % 2147483648; arr[i] = seed % 1000 end
print(table.concat(qsort(arr), " "))
-- gcd / lcm / collatz
local function gcd(a, b) while b ~= 0 do a, b = b, a % b end return a end
print(gcd(48, 18), gcd(17, 5), gcd(0, 9), 48 * 18 // gcd(48, 18))
local function collatz(n) local steps = 0 while n ~= 1 do n = n % 2 == 0 and n // 2 or 3 * n + 1; steps = steps + 1 end return steps end
local best, bestn = 0, 0
for i = 1, 3000 do local s = collatz(i) if s > best then best, bestn = s, i end end
print(bestn, best)
-- matrix multiply
local function matmul(a, b)
  local n, m, q = #a, #b, #b[1]
  local c = {}
  for i = 1, n do
    c[i] = {}
    for j = 1, q do
      local s = 0
      for k = 1, m do s = s + a[i][k] * b[k][j] end
      c[i][j] = s
    end
  end
  return c
end
local A = {{1, 2}, {3, 4}}
local R = {{1, 0}, {0, 1}}
for i = 1, 10 do R = matmul(R, A) end
print(R[1][1], R[1][2], R[2][1], R[2][2])
-- string permutations
local function permute(s)
  local out = {}
  local function go(prefix, rest)
    if #rest == 0 then out[#out + 1] = prefix return end
    for i = 1, #rest do go(prefix .. rest:sub(i, i), rest:sub(1, i - 1) .. rest:sub(i + 1)) end
  end
  go("", s)
  return out
end
print(table.concat(permute("abcd"), " "))
