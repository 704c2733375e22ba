-- binary-trees (Computer Language Benchmarks Game): allocation of many small
-- tables, recursion, garbage collection.
local function bottom_up(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return { bottom_up(depth), bottom_up(depth) }
end

local function check(tree)
  local left = tree[1]
  if left == nil then return 1 end
  return 1 + check(left) + check(tree[2])
end

function bench(n)
  local mindepth = 4
  local maxdepth = math.max(mindepth + 2, n)
  local out = {}
  out[#out + 1] = string.format("stretch %d %d", maxdepth + 1, check(bottom_up(maxdepth + 1)))
  local longlived = bottom_up(maxdepth)
  for depth = mindepth, maxdepth, 2 do
    local iters = 1 << (maxdepth - depth + mindepth)
    local c = 0
    for _ = 1, iters do
      c = c + check(bottom_up(depth))
    end
    out[#out + 1] = string.format("%d %d %d", iters, depth, c)
  end
  out[#out + 1] = string.format("long %d %d", maxdepth, check(longlived))
  return table.concat(out, "; ")
end
