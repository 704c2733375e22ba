-- A parser object with a cursor field: a recursive-descent parser/evaluator for
-- arithmetic with variables and assignments (`a = 3 * (b + 12) % 7; ...`), whose
-- methods read and advance `self.pos` over `self.src` one byte at a time.

local Parser = {}
Parser.__index = Parser

function Parser.new(src, vars)
  return setmetatable({src = src, pos = 1, len = #src, vars = vars, tokens = 0}, Parser)
end

function Parser:peek()
  local src, pos = self.src, self.pos
  local c = src:byte(pos)
  while c == 32 do
    pos = pos + 1
    c = src:byte(pos)
  end
  self.pos = pos
  return c
end

function Parser:advance()
  self.pos = self.pos + 1
  self.tokens = self.tokens + 1
end

function Parser:expect(c)
  if self:peek() ~= c then error("expected " .. string.char(c) .. " at " .. self.pos) end
  self:advance()
end

function Parser:number()
  local v = 0
  local c = self.src:byte(self.pos)
  while c and c >= 48 and c <= 57 do
    v = v * 10 + (c - 48)
    self.pos = self.pos + 1
    c = self.src:byte(self.pos)
  end
  self.tokens = self.tokens + 1
  return v
end

function Parser:name()
  local start = self.pos
  local c = self.src:byte(self.pos)
  while c and c >= 97 and c <= 122 do
    self.pos = self.pos + 1
    c = self.src:byte(self.pos)
  end
  self.tokens = self.tokens + 1
  return self.src:sub(start, self.pos - 1)
end

function Parser:primary()
  local c = self:peek()
  if c == 40 then -- (
    self:advance()
    local v = self:expr()
    self:expect(41)
    return v
  elseif c == 45 then -- unary minus
    self:advance()
    return (-self:primary()) % 1000003
  elseif c >= 48 and c <= 57 then
    return self:number()
  else
    return self.vars[self:name()] or 0
  end
end

function Parser:term()
  local v = self:primary()
  while true do
    local c = self:peek()
    if c == 42 then self:advance(); v = v * self:primary() % 1000003
    elseif c == 37 then self:advance(); v = v % (self:primary() + 1)
    else return v end
  end
end

function Parser:expr()
  local v = self:term()
  while true do
    local c = self:peek()
    if c == 43 then self:advance(); v = (v + self:term()) % 1000003
    elseif c == 45 then self:advance(); v = (v - self:term()) % 1000003
    else return v end
  end
end

function Parser:statement()
  local save = self.pos
  local c = self:peek()
  if c >= 97 and c <= 122 then
    local n = self:name()
    if self:peek() == 61 then
      self:advance()
      local v = self:expr()
      self.vars[n] = v
      return v
    end
    self.pos = save
  end
  return self:expr()
end

function Parser:program()
  local acc = 0
  while self:peek() do
    acc = (acc * 7 + self:statement()) % 1000000007
    if self:peek() == 59 then self:advance() end
  end
  return acc
end

local NAMES = {"a", "b", "cnt", "x", "y", "total", "k"}

local function gen(seed, depth, out)
  seed = (seed * 1103515245 + 12345) % 2147483648
  local k = seed % 7
  if depth == 0 or k == 0 then
    if seed % 2 == 0 then out[#out + 1] = tostring(seed % 1000)
    else out[#out + 1] = NAMES[seed % #NAMES + 1] end
    return seed
  end
  if k == 1 then
    out[#out + 1] = "("
    seed = gen(seed, depth - 1, out)
    out[#out + 1] = ")"
    return seed
  end
  if k == 2 then out[#out + 1] = "-" return gen(seed, depth - 1, out) end
  seed = gen(seed, depth - 1, out)
  out[#out + 1] = ({" + ", " - ", "*", " % ", " * "})[k - 2]
  return gen(seed, depth - 1, out)
end

function bench(n)
  local sources = {}
  local seed = 11
  for i = 1, 30 do
    local out = {}
    for s = 1, 6 do
      out[#out + 1] = NAMES[(i + s) % #NAMES + 1] .. " = "
      seed = gen(seed, 6, out)
      out[#out + 1] = "; "
    end
    seed = gen(seed, 5, out)
    sources[i] = table.concat(out)
  end
  local total, tokens = 0, 0
  for r = 1, n do
    local vars = {a = r % 10, b = 3, x = r % 7}
    local p = Parser.new(sources[r % #sources + 1], vars)
    total = (total + p:program()) % 1000000007
    tokens = tokens + p.tokens
  end
  return total .. " " .. tokens
end
