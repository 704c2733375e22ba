-- event emitter with priorities, once-handlers, and error isolation
local Emitter = {}
Emitter.__index = Emitter
function Emitter.new() return setmetatable({handlers = {}, seq = 0}, Emitter) end
function Emitter:on(ev, fn, prio, once)
  self.seq = self.seq + 1
  local list = self.handlers[ev] or {}
  self.handlers[ev] = list
  list[#list + 1] = {fn = fn, prio = prio or 0, once = once, id = self.seq}
  table.sort(list, function(a, b) if a.prio ~= b.prio then return a.prio > b.prio end return a.id < b.id end)
  return self.seq
end
function Emitter:once(ev, fn, prio) return self:on(ev, fn, prio, true) end
function Emitter:off(ev, id)
  local list = self.handlers[ev]
  if not list then return false end
  for i, h in ipairs(list) do if h.id == id then table.remove(list, i) return true end end
  return false
end
function Emitter:emit(ev, ...)
  local list = self.handlers[ev]
  if not list then return 0 end
  local snapshot = {table.unpack(list)}
  local called = 0
  for _, h in ipairs(snapshot) do
    if h.once then self:off(ev, h.id) end
    local ok, err = pcall(h.fn, ...)
    called = called + 1
    if not ok then print("  handler error:", err) end
  end
  return called
end
local em = Emitter.new()
local log = {}
em:on("data", function(x) log[#log + 1] = "low:" .. x end, -1)
em:on("data", function(x) log[#log + 1] = "high:" .. x end, 10)
local mid = em:on("data", function(x) log[#log + 1] = "mid:" .. x end, 5)
em:once("data", function(x) log[#log + 1] = "once:" .. x end, 5)
em:on("data", function(x) if x == 2 then error("bad value " .. x) end end)
print(em:emit("data", 1))
print(table.concat(log, " ")); log = {}
print(em:emit("data", 2))
print(table.concat(log, " ")); log = {}
print(em:off("data", mid), em:off("data", mid), em:off("none", 1))
print(em:emit("data", 3), em:emit("nothing"))
print(table.concat(log, " "))
-- observer with weak-ish bookkeeping (no gc dependency)
local Subject = {}
Subject.__index = Subject
function Subject.new(v) return setmetatable({value = v, observers = {}}, Subject) end
function Subject:subscribe(name, fn) self.observers[#self.observers + 1] = {name, fn} end
function Subject:set(v)
  local old = self.value
  self.value = v
  for _, o in ipairs(self.observers) do o[2](o[1], old, v) end
end
local s = Subject.new(0)
s:subscribe("printer", function(n, old, new) print(n, old, "->", new) end)
s:subscribe("doubler", function(n, old, new) print(n, new * 2) end)
s:set(5); s:set(7.5)
