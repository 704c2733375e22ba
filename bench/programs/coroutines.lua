-- Coroutines: a producer -> filter -> map -> consumer pipeline of
-- coroutine.wrap stages, a push-style consumer fed through resume/yield values,
-- a round-robin scheduler of many tasks, and many short-lived coroutines.
local yield, wrap, create, resume, status = coroutine.yield, coroutine.wrap, coroutine.create, coroutine.resume, coroutine.status
local M = 1000000007

local function producer(n)
  return wrap(function()
    for i = 1, n do yield(i) end
  end)
end

local function filter(src, pred)
  return wrap(function()
    for v in src do
      if pred(v) then yield(v) end
    end
  end)
end

local function map(src, f)
  return wrap(function()
    for v in src do yield(f(v)) end
  end)
end

local function pipeline(n)
  local src = producer(n)
  local odd = filter(src, function(v) return v % 3 ~= 0 end)
  local sq = map(odd, function(v) return v * v % 1009 end)
  local total, count = 0, 0
  for v in sq do
    total = total + v
    count = count + 1
  end
  return total, count
end

-- push style: values travel into the consumer through resume
local function accumulator()
  return create(function(v)
    local total, seen = 0, 0
    while v ~= nil do
      seen = seen + 1
      total = (total * 7 + v) % M
      v = yield(total)
    end
    return seen
  end)
end

local function push(n)
  local acc = accumulator()
  local last
  for i = 1, n do
    local ok, t = resume(acc, i)
    last = t
  end
  local _, seen = resume(acc, nil)
  return last, seen, status(acc)
end

-- round-robin scheduler
local function scheduler(ntasks, steps)
  local tasks = {}
  local log = 0
  for id = 1, ntasks do
    tasks[id] = create(function()
      local x = id
      for s = 1, steps + id % 5 do
        x = (x * 31 + s) % 10007
        yield(x)
      end
      return -x
    end)
  end
  local alive = ntasks
  local switches = 0
  while alive > 0 do
    for id = 1, ntasks do
      local co = tasks[id]
      if co then
        local _, v = resume(co)
        switches = switches + 1
        if status(co) == "dead" then
          tasks[id] = false
          alive = alive - 1
          log = (log + -v * id) % M
        else
          log = (log + v) % M
        end
      end
    end
  end
  return log, switches
end

-- many short-lived coroutines
local function short_lived(n)
  local s = 0
  for i = 1, n do
    local co = wrap(function(a)
      local b = yield(a + 1)
      return a + b
    end)
    s = s + co(i) + co(2)
  end
  return s
end

function bench(n)
  local t1, c1 = pipeline(n)
  local last, seen, st = push(n)
  local log, switches = scheduler(100, n // 100)
  local s = short_lived(n // 10)
  return string.format("%d %d %d %d %s %d %d %d", t1, c1, last, seen, st, log, switches, s)
end
