-- Conway's game of life on a small torus
local W, H = 20, 10
local function make() local g = {} for y = 1, H do g[y] = {} for x = 1, W do g[y][x] = 0 end end return g end
local grid = make()
local function set(pattern, ox, oy)
  for y, row in ipairs(pattern) do
    for x = 1, #row do if row:sub(x, x) == "#" then grid[oy + y][ox + x] = 1 end end
  end
end
set({".#.", "..#", "###"}, 1, 1)           -- glider
set({"###"}, 12, 2)                       -- blinker
set({"##", "##"}, 16, 6)                  -- block
local function show(g, gen)
  print("generation " .. gen)
  for y = 1, H do
    local row = {}
    for x = 1, W do row[x] = g[y][x] == 1 and "#" or "." end
    print(table.concat(row))
  end
end
local function step(g)
  local n = make()
  for y = 1, H do
    for x = 1, W do
      local c = 0
      for dy = -1, 1 do for dx = -1, 1 do
        if dx ~= 0 or dy ~= 0 then
          local yy, xx = (y + dy - 1) % H + 1, (x + dx - 1) % W + 1
          c = c + g[yy][xx]
        end
      end end
      if c == 3 or (c == 2 and g[y][x] == 1) then n[y][x] = 1 end
    end
  end
  return n
end
show(grid, 0)
for gen = 1, 12 do
  grid = step(grid)
  if gen % 4 == 0 then show(grid, gen) end
end
local alive = 0
for y = 1, H do for x = 1, W do alive = alive + grid[y][x] end end
print("alive", alive)
