-- Tables: hash-part work (word counts with string keys, sparse integer keys),
-- array-part work (sieve, stack push/pop), nested arrays (matrix multiply),
-- table.sort with a comparator.
local M = 1000000007

local function word_counts(nwords)
  local seed = 7
  local counts = {}
  for _ = 1, nwords do
    seed = (seed * 1103515245 + 12345) % 2147483648
    local w = "w" .. (seed >> 8) % 3000
    counts[w] = (counts[w] or 0) + 1
  end
  local keys = {}
  for k in pairs(counts) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    local ca, cb = counts[a], counts[b]
    if ca ~= cb then return ca > cb end
    return a < b
  end)
  local h = #keys
  for i = 1, 10 do
    local k = keys[i]
    h = (h * 31 + counts[k] * #k) % M
  end
  return h, keys[1]
end

local function sparse(n)
  local t = {}
  for i = 1, n do
    local k = i * 7919 % 65521
    t[k] = (t[k] or 0) + i
  end
  local s = 0
  for i = 0, 65520 do
    local v = t[i]
    if v then s = (s + v * i) % M end
  end
  return s
end

local function sieve(limit)
  local is_prime = {}
  for i = 1, limit do is_prime[i] = true end
  is_prime[1] = false
  for i = 2, limit do
    if is_prime[i] and i * i <= limit then
      for j = i * i, limit, i do is_prime[j] = false end
    end
  end
  local count, sum = 0, 0
  for i = 1, limit do
    if is_prime[i] then count = count + 1; sum = sum + i end
  end
  return count, sum
end

local function stack_work(n)
  local st = {}
  local acc = 0
  for i = 1, n do
    st[#st + 1] = i
    if i % 3 == 0 then
      acc = acc + table.remove(st)
      table.insert(st, i * 2)
    end
  end
  while #st > 0 do acc = (acc + table.remove(st)) % M end
  return acc
end

local function matmul(a, b, m)
  local c = {}
  for i = 1, m do
    local ci, ai = {}, a[i]
    for j = 1, m do
      local s = 0
      for k = 1, m do s = s + ai[k] * b[k][j] end
      ci[j] = s
    end
    c[i] = ci
  end
  return c
end

local function matrix(m, seed)
  local a = {}
  for i = 1, m do
    local row = {}
    for j = 1, m do row[j] = (i * seed + j * 7) % 10 - 4 end
    a[i] = row
  end
  return a
end

function bench(n)
  local h, top = word_counts(n * 4)
  local sp = sparse(n * 2)
  local np, sp2 = sieve(n * 8)
  local st = stack_work(n * 2)
  local m = math.floor(n ^ (1 / 3) * 1.6)
  local c = matmul(matrix(m, 3), matrix(m, 5), m)
  local tr = 0
  for i = 1, m do tr = tr + c[i][i] + c[i][m - i + 1] end
  return string.format("%d %s %d %d %d %d %d %d", h, top, sp, np, sp2, st, m, tr)
end
