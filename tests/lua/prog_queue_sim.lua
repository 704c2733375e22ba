-- queue/stack simulation
local Queue = {}
Queue.__index = Queue
function Queue.new() return setmetatable({first = 1, last = 0, items = {}}, Queue) end
function Queue:push(v) self.last = self.last + 1; self.items[self.last] = v end
function Queue:pop()
  if self.first > self.last then return nil end
  local v = self.items[self.first]
  self.items[self.first] = nil
  self.first = self.first + 1
  return v
end
function Queue:len() return self.last - self.first + 1 end

local Stack = {}
Stack.__index = Stack
function Stack.new() return setmetatable({n = 0}, Stack) end
function Stack:push(v) self.n = self.n + 1; self[self.n] = v end
function Stack:pop() local v = self[self.n]; self[self.n] = nil; self.n = self.n - 1; return v end
function Stack:peek() return self[self.n] end

-- bank teller simulation with deterministic LCG
local seed = 7
local function rand(n) seed = (seed * 16807) % 2147483647; return seed % n + 1 end
local q = Queue.new()
local served, waited, maxlen = 0, 0, 0
local teller_busy = 0
for tick = 1, 500 do
  if rand(10) <= 4 then q:push(tick) end
  if teller_busy > 0 then teller_busy = teller_busy - 1 end
  if teller_busy == 0 and q:len() > 0 then
    local arrived = q:pop()
    waited = waited + (tick - arrived)
    served = served + 1
    teller_busy = rand(3)
  end
  if q:len() > maxlen then maxlen = q:len() end
end
print("served", served, "waiting", q:len(), "total wait", waited, "max queue", maxlen)
print(string.format("avg wait %.3f", waited / served))

-- balanced brackets with stack
local function balanced(s)
  local st = Stack.new()
  local pairs_ = {[")"] = "(", ["]"] = "[", ["}"] = "{"}
  for c in s:gmatch(".") do
    if c == "(" or c == "[" or c == "{" then st:push(c)
    elseif pairs_[c] then
      if st:pop() ~= pairs_[c] then return false end
    end
  end
  return st.n == 0
end
for _, s in ipairs({"()", "([]{})", "(]", "((", "{[()()]}", "", "}{", "a(b)c[d]"}) do
  io.write(string.format("%q=%s ", s, tostring(balanced(s))))
end
print()

-- RPN calculator
local function rpn(expr)
  local st = Stack.new()
  for tok in expr:gmatch("%S+") do
    local n = tonumber(tok)
    if n then st:push(n)
    else
      local b, a = st:pop(), st:pop()
      if a == nil or b == nil then error("stack underflow at '" .. tok .. "'") end
      if tok == "+" then st:push(a + b)
      elseif tok == "-" then st:push(a - b)
      elseif tok == "*" then st:push(a * b)
      elseif tok == "/" then st:push(a / b)
      elseif tok == "//" then st:push(a // b)
      elseif tok == "^" then st:push(a ^ b)
      else error("unknown op " .. tok) end
    end
  end
  return st:pop()
end
print(rpn("3 4 + 2 *"), rpn("5 1 2 + 4 * + 3 -"), rpn("2 10 ^"), rpn("7 2 //"), rpn("7 2 /"))
print(pcall(rpn, "1 +"))
print(pcall(rpn, "1 2 %"))
print(pcall(rpn, "1 0 //"))

-- BFS on a grid using the queue
local grid = {
  "S.#.....",
  ".##..#..",
  "....#..#",
  "#.#...#.",
  "..#.#..E",
}
local H, W = #grid, #grid[1]
local sr, sc, er, ec
for r = 1, H do for c = 1, W do
  local ch = grid[r]:sub(c, c)
  if ch == "S" then sr, sc = r, c elseif ch == "E" then er, ec = r, c end
end end
local dist = {}
local bq = Queue.new()
bq:push({sr, sc}); dist[sr * 100 + sc] = 0
while bq:len() > 0 do
  local cur = bq:pop()
  local r, c = cur[1], cur[2]
  for _, d in ipairs({{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) do
    local nr, nc = r + d[1], c + d[2]
    if nr >= 1 and nr <= H and nc >= 1 and nc <= W and grid[nr]:sub(nc, nc) ~= "#" and not dist[nr * 100 + nc] then
      dist[nr * 100 + nc] = dist[r * 100 + c] + 1
      bq:push({nr, nc})
    end
  end
end
print("shortest path", dist[er * 100 + ec])
