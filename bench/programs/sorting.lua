-- Sorting: hand-written quicksort (recursive, median-of-three), heapsort and
-- insertion sort over arrays of pseudo-random integers; array indexing,
-- comparisons and swaps.
local function insertion_sort(a, lo, hi)
  for i = lo + 1, hi do
    local v = a[i]
    local j = i - 1
    while j >= lo and a[j] > v do
      a[j + 1] = a[j]
      j = j - 1
    end
    a[j + 1] = v
  end
end

local function quicksort(a, lo, hi)
  while hi - lo > 16 do
    local mid = (lo + hi) // 2
    if a[mid] < a[lo] then a[mid], a[lo] = a[lo], a[mid] end
    if a[hi] < a[lo] then a[hi], a[lo] = a[lo], a[hi] end
    if a[hi] < a[mid] then a[hi], a[mid] = a[mid], a[hi] end
    local pivot = a[mid]
    local i, j = lo, hi
    while i <= j do
      while a[i] < pivot do i = i + 1 end
      while a[j] > pivot do j = j - 1 end
      if i <= j then
        a[i], a[j] = a[j], a[i]
        i = i + 1
        j = j - 1
      end
    end
    -- recurse into the smaller part, loop on the larger
    if j - lo < hi - i then
      quicksort(a, lo, j)
      lo = i
    else
      quicksort(a, i, hi)
      hi = j
    end
  end
  insertion_sort(a, lo, hi)
end

local function sift_down(a, start, stop)
  local root = start
  while true do
    local child = 2 * root
    if child > stop then return end
    if child + 1 <= stop and a[child] < a[child + 1] then child = child + 1 end
    if a[root] < a[child] then
      a[root], a[child] = a[child], a[root]
      root = child
    else
      return
    end
  end
end

local function heapsort(a, n)
  for start = n // 2, 1, -1 do sift_down(a, start, n) end
  for stop = n, 2, -1 do
    a[stop], a[1] = a[1], a[stop]
    sift_down(a, 1, stop - 1)
  end
end

local function random_array(n, seed)
  local a = {}
  for i = 1, n do
    seed = (seed * 1103515245 + 12345) % 2147483648
    a[i] = seed % 100000
  end
  return a
end

local function check(a, n)
  local h = 0
  for i = 1, n do
    if i > 1 and a[i - 1] > a[i] then error("not sorted at " .. i) end
    h = (h * 31 + a[i]) % 1000000007
  end
  return h
end

function bench(n)
  local a = random_array(n, 1)
  quicksort(a, 1, n)
  local h1 = check(a, n)
  local b = random_array(n, 2)
  heapsort(b, n)
  local h2 = check(b, n)
  local m = n // 20
  local c = random_array(m, 3)
  insertion_sort(c, 1, m)
  local h3 = check(c, m)
  return string.format("%d %d %d %d %d", h1, h2, h3, a[n // 2], b[n // 3])
end
