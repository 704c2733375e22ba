-- Numeric loops: a Mandelbrot escape-count over a grid (float arithmetic in a
-- while loop) plus an integer checksum loop (integer ops, // and %).
local function mandel(size, maxiter)
  local inside, escaped = 0, 0
  local step = 3.0 / size
  for py = 0, size - 1 do
    local ci = py * step - 1.5
    for px = 0, size - 1 do
      local cr = px * step - 2.0
      local zr, zi = 0.0, 0.0
      local i = 0
      while i < maxiter do
        local zr2, zi2 = zr * zr, zi * zi
        if zr2 + zi2 > 4.0 then break end
        zi = 2.0 * zr * zi + ci
        zr = zr2 - zi2 + cr
        i = i + 1
      end
      if i == maxiter then inside = inside + 1 else escaped = escaped + i end
    end
  end
  return inside, escaped
end

local function intloop(m)
  local acc = 0
  for i = 1, m do
    acc = (acc + i * i // 3 + i % 7) % 1000000007
  end
  return acc
end

function bench(n)
  local inside, escaped = mandel(n, 50)
  local acc = intloop(n * n * 4)
  return string.format("%d %d %d", inside, escaped, acc)
end
