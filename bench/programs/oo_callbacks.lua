-- Method calls through closures stored in fields: closure-based objects
-- (`acc.add(v)` where `add` closes over its object's state), an event emitter
-- whose listeners are closures kept in a list field, strategy objects holding
-- a function field called with the object (`s.score(s, x)`), and pipelines of
-- stages each holding its `next` stage's closure.

local function make_account(id)
  local self = {id = id, balance = 0, ops = 0}
  self.deposit = function(v) self.balance = self.balance + v; self.ops = self.ops + 1 end
  self.withdraw = function(v)
    if v > self.balance then return false end
    self.balance = self.balance - v
    self.ops = self.ops + 1
    return true
  end
  self.get = function() return self.balance end
  return self
end

local Emitter = {}
Emitter.__index = Emitter
function Emitter.new() return setmetatable({listeners = {}, fired = 0}, Emitter) end
function Emitter:on(fn) local l = self.listeners; l[#l + 1] = fn end
function Emitter:emit(a, b)
  local l = self.listeners
  for i = 1, #l do l[i](a, b) end
  self.fired = self.fired + 1
end

local function strategy(kind)
  local s = {kind = kind, weight = kind * 3 + 1, hits = 0}
  if kind % 3 == 0 then
    s.score = function(self, x) self.hits = self.hits + 1; return x * self.weight % 1009 end
  elseif kind % 3 == 1 then
    s.score = function(self, x) self.hits = self.hits + 1; return (x + self.weight) % 1009 end
  else
    s.score = function(self, x) self.hits = self.hits + 1; return (x ~ self.weight) % 1009 end
  end
  return s
end

local function stage(f, nxt)
  local st = {count = 0}
  st.push = function(v)
    st.count = st.count + 1
    local r = f(v)
    if nxt then return nxt.push(r) end
    return r
  end
  return st
end

function bench(n)
  local accounts = {}
  for i = 1, 50 do accounts[i] = make_account(i) end
  local em = Emitter.new()
  local moved = 0
  em:on(function(i, v) accounts[i % 50 + 1].deposit(v) end)
  em:on(function(i, v)
    if accounts[(i * 7) % 50 + 1].withdraw(v // 2) then moved = moved + 1 end
  end)
  em:on(function(i, v) if i % 10 == 0 then accounts[1].deposit(1) end end)
  local strategies = {}
  for k = 1, 9 do strategies[k] = strategy(k) end
  local pipe = stage(function(v) return v * 3 end,
               stage(function(v) return v + 7 end,
               stage(function(v) return v % 1000 end, nil)))
  local total = 0
  for r = 1, n do
    em:emit(r, r % 100)
    local s = strategies[r % 9 + 1]
    total = (total + s.score(s, r) + pipe.push(r)) % 1000000007
  end
  for i = 1, #accounts do
    local a = accounts[i]
    total = (total + a.get() * i + a.ops) % 1000000007
  end
  local hits = 0
  for k = 1, #strategies do hits = hits + strategies[k].hits end
  return total .. " " .. moved .. " " .. em.fired .. " " .. hits
end
