-- A visitor/interpreter over an AST of objects: node classes (Num, Var, Add,
-- Sub, Mul, Lt, If, Let, Call of a small function table) evaluated by a method
-- per node (`node:eval(env)`) and walked by a visitor object (`node:accept(v)`
-- calling `v:visit_add(node)`...) that counts and folds constants.

local function class(parent)
  local c = {}
  c.__index = c
  if parent then setmetatable(c, {__index = parent}) end
  return c
end

local Node = class()
function Node:size() return 1 end

local Num = class(Node)
function Num.new(v) return setmetatable({value = v}, Num) end
function Num:eval(env) return self.value end
function Num:accept(v) return v:visit_num(self) end

local Var = class(Node)
function Var.new(slot) return setmetatable({slot = slot}, Var) end
function Var:eval(env) return env[self.slot] end
function Var:accept(v) return v:visit_var(self) end

local Bin = class(Node)
function Bin:size() return 1 + self.left:size() + self.right:size() end

local Add = class(Bin)
function Add.new(l, r) return setmetatable({left = l, right = r}, Add) end
function Add:eval(env) return (self.left:eval(env) + self.right:eval(env)) % 1000003 end
function Add:accept(v) return v:visit_add(self) end

local Sub = class(Bin)
function Sub.new(l, r) return setmetatable({left = l, right = r}, Sub) end
function Sub:eval(env) return (self.left:eval(env) - self.right:eval(env)) % 1000003 end
function Sub:accept(v) return v:visit_sub(self) end

local Mul = class(Bin)
function Mul.new(l, r) return setmetatable({left = l, right = r}, Mul) end
function Mul:eval(env) return (self.left:eval(env) * self.right:eval(env)) % 1000003 end
function Mul:accept(v) return v:visit_mul(self) end

local Lt = class(Bin)
function Lt.new(l, r) return setmetatable({left = l, right = r}, Lt) end
function Lt:eval(env) if self.left:eval(env) < self.right:eval(env) then return 1 end return 0 end
function Lt:accept(v) return v:visit_lt(self) end

local If = class(Node)
function If.new(c, a, b) return setmetatable({cond = c, yes = a, no = b}, If) end
function If:eval(env)
  if self.cond:eval(env) ~= 0 then return self.yes:eval(env) end
  return self.no:eval(env)
end
function If:size() return 1 + self.cond:size() + self.yes:size() + self.no:size() end
function If:accept(v) return v:visit_if(self) end

local Let = class(Node)
function Let.new(slot, e, body) return setmetatable({slot = slot, expr = e, body = body}, Let) end
function Let:eval(env)
  local old = env[self.slot]
  env[self.slot] = self.expr:eval(env)
  local r = self.body:eval(env)
  env[self.slot] = old
  return r
end
function Let:size() return 1 + self.expr:size() + self.body:size() end
function Let:accept(v) return v:visit_let(self) end

-- a visitor: counts node kinds and computes a constant-folding hash
local Counter = class()
function Counter.new() return setmetatable({nums = 0, vars = 0, ops = 0, depth = 0, maxdepth = 0}, Counter) end
function Counter:enter()
  self.depth = self.depth + 1
  if self.depth > self.maxdepth then self.maxdepth = self.depth end
end
function Counter:leave() self.depth = self.depth - 1 end
function Counter:visit_num(n) self.nums = self.nums + 1; return n.value end
function Counter:visit_var(n) self.vars = self.vars + 1; return n.slot end
function Counter:binary(n, k)
  self:enter()
  self.ops = self.ops + 1
  local a = n.left:accept(self)
  local b = n.right:accept(self)
  self:leave()
  return (a * k + b) % 1000003
end
function Counter:visit_add(n) return self:binary(n, 3) end
function Counter:visit_sub(n) return self:binary(n, 5) end
function Counter:visit_mul(n) return self:binary(n, 7) end
function Counter:visit_lt(n) return self:binary(n, 11) end
function Counter:visit_if(n)
  self:enter()
  local r = n.cond:accept(self) + n.yes:accept(self) * 2 + n.no:accept(self) * 3
  self:leave()
  return r % 1000003
end
function Counter:visit_let(n)
  self:enter()
  local r = n.expr:accept(self) * 13 + n.body:accept(self)
  self:leave()
  return r % 1000003
end

local function build(depth, seed)
  seed = (seed * 1103515245 + 12345) % 2147483648
  if depth == 0 then
    if seed % 3 == 0 then return Num.new(seed % 100), seed end
    return Var.new(seed % 4 + 1), seed
  end
  local k = seed % 6
  local a, b, c
  a, seed = build(depth - 1, seed)
  b, seed = build(depth - 1, seed)
  if k == 0 then return Add.new(a, b), seed
  elseif k == 1 then return Sub.new(a, b), seed
  elseif k == 2 then return Mul.new(a, b), seed
  elseif k == 3 then
    c, seed = build(depth - 1, seed)
    return If.new(Lt.new(a, b), c, Add.new(a, c)), seed
  elseif k == 4 then return Let.new(seed % 4 + 1, a, b), seed
  else return Add.new(Mul.new(a, Num.new(3)), b), seed end
end

function bench(n)
  local trees = {}
  local seed = 7
  for i = 1, 20 do trees[i], seed = build(7, seed) end
  local total = 0
  local env = {1, 2, 3, 4}
  for r = 1, n do
    local t = trees[r % #trees + 1]
    env[1] = r % 97
    env[2] = r % 13
    total = (total + t:eval(env)) % 1000000007
    if r % 4 == 0 then
      local c = Counter.new()
      total = (total + t:accept(c) + c.nums + c.vars * 3 + c.ops * 5 + c.maxdepth) % 1000000007
    end
    if r % 16 == 0 then total = (total + t:size()) % 1000000007 end
  end
  return total
end
