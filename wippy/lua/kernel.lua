-- The kernel of one Lua state: green threads, channels and select, run FIFO.
--
-- A process, a workflow and a function call each run their main function through
-- W.run. Every thread (the main function and each coroutine.spawn) is a Lua
-- coroutine managed here; a blocking channel operation parks the thread and yields
-- to the kernel, which runs the next ready thread. When no thread can run, the
-- kernel asks the host for external events (timers, messages, results of calls)
-- through one suspension (P.wait), and delivers them to the handlers registered
-- for them (W.expect). Everything here is Lua data, so a snapshot holds the whole
-- scheduler: threads, channels, buffered values, waiters.
--
-- Invariants: scheduling is a function of the program and of the order of the
-- events the host delivers (deterministic, FIFO); a thread never runs while
-- another runs; handlers do not block.
local W, P = ...

-- Per-state data (K below, the metatables Chan and Case) lives in W, and the
-- closures here reach it through S (a primitive: the running state's W) instead of
-- capturing it: a closure that captures only builtins, primitives, strings and
-- other such closures is shared by every copy of a template state (luavm's
-- instantiate), so a new process or workflow run copies none of them. For the
-- same reason every global used here is a local of the chunk (a global is read
-- through the chunk's _ENV, which is per state).
local S = P.state
local p_wait = P.wait
local co_create, co_resume, co_status, co_yield, co_running =
  coroutine.create, coroutine.resume, coroutine.status, coroutine.yield, coroutine.running
local pack, unpack, tremove = table.pack, table.unpack, table.remove
local type, error, next, pcall, xpcall, tostring, ipairs, setmetatable, getmetatable =
  type, error, next, pcall, xpcall, tostring, ipairs, setmetatable, getmetatable
local math_type = math.type
local traceback = debug.traceback
local function BLOCK() end  -- what a parked managed thread yields (a value no program holds)

W.state = S
-- per-state values made on first use (a module's metatable, the process events
-- channel, ...): in a table of their own, so that a workflow's snapshot taken after
-- one is made rewrites this small table, not W
W.late = {}
W.K = {
  rq = {}, rh = 1, rt = 0,   -- ready queue: {co, values}
  managed = setmetatable({}, {__mode = "k"}),
  handlers = {},              -- external event id -> function(value) (or {fn=, keep=true})
  subscriptions = {},         -- event id -> function(value): messages, process events
  next_id = 0,
  main = nil,
}

local function push(K, co, vals)
  local t = K.rt + 1
  K.rt = t
  K.rq[t] = {co, vals}
end

local function pop(K)
  local h = K.rh
  if h > K.rt then return nil end
  local item = K.rq[h]
  K.rq[h] = nil
  K.rh = h + 1
  return item
end

-- ids for external waits: deterministic, per state
function W.new_id()
  local K = S().K
  local n = K.next_id + 1
  K.next_id = n
  return n
end

-- W.expect(id, fn, keep): call fn(value) when the host delivers an event for id
-- (`keep`: called for every event id gets, as a ticker's; still something pending)
function W.expect(id, fn, keep)
  S().K.handlers[id] = keep and {fn = fn, keep = true} or fn
end

function W.forget(id) S().K.handlers[id] = nil end

-- W.subscribe(id, fn): events that may come at any time (messages, process events);
-- unlike W.expect, waiting for them alone is not something pending
function W.subscribe(id, fn) S().K.subscriptions[id] = fn end

local function deliver(K, id, value)
  local h = K.handlers[id]
  if h ~= nil then
    if type(h) == "table" then return h.fn(value) end
    K.handlers[id] = nil
    return h(value)
  end
  h = K.subscriptions[id]
  if h ~= nil then return h(value) end
  -- a stopped timer, a cancelled future: dropped
end
W.deliver = function(id, value) return deliver(S().K, id, value) end

local function deliver_all(K, events)
  for i = 1, #events do
    local ev = events[i]
    deliver(K, ev[1], ev[2])
  end
end

-- threads run under xpcall, so a failure keeps the stack where it happened; a
-- thread's body returns table.pack of its xpcall's results
local function on_error(e)
  local msg = e
  if type(e) ~= "string" then
    local ok, s = pcall(tostring, e)
    msg = ok and s or "?"
  end
  local W_ = S()
  W_.K.traceback = W_.user_frames(traceback(msg, 2))
  return e
end

local function traced(fn)
  return function(...) return pack(xpcall(fn, on_error, ...)) end
end
W.traced = traced

-- what follows a resume of thread `co` that returned `ok, v`
local function resumed(K, co, ok, v)
  if co_status(co) == "dead" then
    K.managed[co] = nil
    local r = ok and v or pack(false, v)  -- the body's pack of its xpcall (or the resume's failure)
    if co == K.main then
      K.result = r
    elseif not r[1] and K.result == nil then
      K.result = r  -- a spawned thread failed: the process fails with its error
    end
  elseif ok and v ~= BLOCK then
    push(K, co, pack())  -- a plain coroutine.yield in a thread: let the others run first
  end
end

-- run one ready thread of K; false if none was ready
local function step(K)
  local item = pop(K)
  if item == nil then return false end
  local co = item[1]
  local vals = item[2]
  resumed(K, co, co_resume(co, unpack(vals, 1, vals.n)))
  return true
end
function W.step() return step(S().K) end

local function wait_external(K)
  deliver_all(K, p_wait(next(K.handlers) ~= nil))
end
function W.wait_external() return wait_external(S().K) end

-- Park the running thread until `waiter.done`; returns what the waker passed.
-- (Chan:receive inlines the first lines: a suspension records every frame on the
-- way, so a receive that blocks records one frame fewer.)
local function park(waiter)
  local co = co_running()
  waiter.co = co
  local K = S().K
  if K.managed[co] then
    return co_yield(BLOCK)
  end
  -- a blocking operation in a coroutine the program made itself (coroutine.wrap,
  -- an iterator): run the other threads from here until this one is woken
  waiter.nested = true
  while not waiter.done do
    if not step(K) then wait_external(K) end
  end
  return unpack(waiter.result, 1, waiter.result.n)
end

-- wake a waiter of the state whose kernel data is K (a channel carries its K:
-- the channel operations wake without asking S)
local function wake_in(K, waiter, ...)
  waiter.done = true
  if waiter.nested then
    waiter.result = pack(...)
  else
    push(K, waiter.co, pack(...))
  end
end
local function wake(waiter, ...) return wake_in(S().K, waiter, ...) end
W.park, W.wake = park, wake

-- a new managed thread running fn (as the main one when `main`)
local function start(K, fn, main)
  local co = co_create(traced(fn))
  K.managed[co] = true
  if main then
    K.main = co
    K.result = nil
  end
  return co
end

-- the result of a run, once K.result is set: all other threads end with main
-- (they are simply never resumed again)
local function finish(K)
  local r = K.result
  if K.rh <= K.rt then K.rq, K.rh, K.rt = {}, 1, 0 end
  return r
end

-- W.run(main, ...): run main and every thread it spawns until main returns, waiting
-- for external events suspended in P.wait, inline (a workflow's checkpoints hold
-- this one frame: its run on the sqlite provider, W.run_packed's on Temporal).
-- Returns table.pack of pcall-style results; on error, K.traceback holds the stack.
local function run(main, ...)
  local K = S().K
  -- (a pooled state may still queue threads of a run that failed: they never run)
  if K.rh <= K.rt then K.rq, K.rh, K.rt = {}, 1, 0 end
  local co = start(K, main, true)
  resumed(K, co, co_resume(co, ...))  -- main is the only ready thread: its first step
  while K.result == nil do
    if not step(K) then deliver_all(K, p_wait(next(K.handlers) ~= nil)) end
  end
  return finish(K)
end
W.run = run

-- W.pump(events): deliver external events ({id, value} pairs), then run the ready
-- threads; returns as W.serve does
local function pump(events)
  local K = S().K
  if events ~= nil then deliver_all(K, events) end
  while K.result == nil do
    if not step(K) then return nil, next(K.handlers) ~= nil end
  end
  return finish(K)
end
W.pump = pump

-- W.serve(main, ...): W.run for an invocation that is never snapshotted (a process,
-- a function call), driven by the host: it starts main and runs the ready threads
-- until main ends — returning K.result, as W.run — or every thread is blocked —
-- returning nil and whether something external is pending (what P.wait is told).
-- The host then calls W.pump(events) with the events that came, in a new task,
-- until one returns the result. So a wait unwinds no frame of the kernel: a
-- suspension records, and its resumption rebuilds, every frame on the stack (a
-- workflow keeps W.run: there the frames are what its snapshots hold). A blocking
-- operation in a coroutine the program made itself still waits in P.wait (park).
local function serve(main, ...)
  local K = S().K
  -- (a pooled state may still queue threads of a run that failed: they never run)
  if K.rh <= K.rt then K.rq, K.rh, K.rt = {}, 1, 0 end
  local co = start(K, main, true)
  resumed(K, co, co_resume(co, ...))  -- main is the only ready thread: its first step
  return pump(nil)
end
W.serve = serve

-- W.run_packed(main, args) / W.serve_packed(main, args): W.run / W.serve with the
-- arguments in a table (n = their count)
function W.run_packed(main, a) return run(main, unpack(a, 1, a.n)) end
function W.serve_packed(main, a) return serve(main, unpack(a, 1, a.n)) end

function W.spawn(fn, ...)
  if type(fn) ~= "function" then
    error("bad argument #1 to 'spawn' (function expected, got " .. type(fn) .. ")", 2)
  end
  local K = S().K
  local co = start(K, fn, false)
  push(K, co, pack(...))
  return co
end

---------------------------------------------------------------------------
-- channels (Go semantics)
-- A channel holds its state's K (`K`), so that sending, receiving and closing,
-- the path of every message, reach the ready queue without calling S.
local Chan = {}  -- (W.Chan: the closures below reach it as S().Chan)
Chan.__index = Chan
Chan.__name = "channel"
W.Chan = Chan

local function new_chan(size)
  if size ~= nil and (math_type(size) ~= "integer" or size < 0) then
    error("bad argument #1 to 'new' (non-negative integer expected)", 3)
  end
  local W_ = S()
  return setmetatable({size = size or 0, buf = {}, bh = 1, bt = 0, closed = false,
                       rq = {}, sq = {}, K = W_.K}, W_.Chan)
end
W.channel = new_chan

local function count(ch) return ch.bt - ch.bh + 1 end

local function buf_push(ch, v)
  ch.bt = ch.bt + 1
  ch.buf[ch.bt] = v
end

local function buf_pop(ch)
  local v = ch.buf[ch.bh]
  ch.buf[ch.bh] = nil
  ch.bh = ch.bh + 1
  return v
end

-- first live waiter of a queue (select waiters that fired elsewhere are skipped)
local function take(q)
  while #q > 0 do
    local w = tremove(q, 1)
    if not w.done then return w end
  end
  return nil
end

local function has_live(q)
  for i = 1, #q do if not q[i].done then return true end end
  return false
end

-- deliver to a receiver waiter: a plain receive gets (v, ok); a select gets its case
local function wake_receiver(K, w, v, ok)
  if w.case then
    wake_in(K, w, w.case, v, ok)
  else
    wake_in(K, w, v, ok)
  end
end

-- non-blocking attempts; each returns true if it completed
local function try_send(ch, v)
  if ch.closed then error("send on closed channel", 0) end
  local w = take(ch.rq)
  if w then
    wake_receiver(ch.K, w, v, true)
    return true
  end
  if count(ch) < ch.size then
    buf_push(ch, v)
    return true
  end
  return false
end

local function try_receive(ch)
  if count(ch) > 0 then
    local v = buf_pop(ch)
    local s = take(ch.sq)
    if s then
      buf_push(ch, s.value)
      if s.case then wake_in(ch.K, s, s.case) else wake_in(ch.K, s) end
    end
    return true, v, true
  end
  local s = take(ch.sq)
  if s then
    if s.case then wake_in(ch.K, s, s.case) else wake_in(ch.K, s) end
    return true, s.value, true
  end
  if ch.closed then return true, nil, false end
  return false
end

local function ready_send(ch) return ch.closed or has_live(ch.rq) or count(ch) < ch.size end
local function ready_receive(ch) return count(ch) > 0 or has_live(ch.sq) or ch.closed end

function Chan:send(v)
  if try_send(self, v) then return true end
  local w = {value = v}
  self.sq[#self.sq + 1] = w
  local closed = park(w)
  if closed == "closed" then error("send on closed channel", 2) end
  return true
end

-- a send that never blocks: true if delivered or buffered (used by timers, the host)
function Chan:offer(v)
  if self.closed then return false end
  return try_send(self, v)
end

function Chan:receive()
  local done, v, ok = try_receive(self)
  if done then return v, ok end
  local co = co_running()
  local w = {co = co}
  self.rq[#self.rq + 1] = w
  if self.K.managed[co] then return co_yield(BLOCK) end  -- (park, inline)
  return park(w)
end

function Chan:close()
  if self.closed then error("close of closed channel", 2) end
  self.closed = true
  while true do
    local w = take(self.rq)
    if not w then break end
    wake_receiver(self.K, w, nil, false)
  end
  while true do
    local w = take(self.sq)
    if not w then break end
    if w.case then wake_in(self.K, w, w.case, "closed") else wake_in(self.K, w, "closed") end
  end
  if self.on_close then self.on_close(self) end
end

-- take the buffered values for which pred(v) holds out of the buffer, in order
function W.chan_extract(ch, pred)
  local keep, out = {}, {}
  for i = ch.bh, ch.bt do
    local v = ch.buf[i]
    if pred(v) then out[#out + 1] = v else keep[#keep + 1] = v end
    ch.buf[i] = nil
  end
  ch.bh, ch.bt = 1, 0
  for _, v in ipairs(keep) do buf_push(ch, v) end
  return out
end

function Chan:len() return count(self) end
function Chan:cap() return self.size end
function Chan:is_closed() return self.closed end

local Case = {}
Case.__index = Case
Case.__name = "channel.case"
W.Case = Case

function Chan:case_receive() return setmetatable({channel = self, dir = "receive"}, S().Case) end
function Chan:case_send(v) return setmetatable({channel = self, dir = "send", value = v}, S().Case) end

local function is_chan(v) return getmetatable(v) == S().Chan end
W.is_chan = is_chan

-- channel.select{case, ... [, default = true]} -> {channel=, value=, ok=} (| {default=true})
-- Ready cases are taken in the order given (deterministic; Go picks at random).
local function select_cases(cases)
  if type(cases) ~= "table" then
    error("bad argument #1 to 'select' (table expected, got " .. type(cases) .. ")", 2)
  end
  local n = #cases
  local Case_ = S().Case
  for i = 1, n do
    local c = cases[i]
    if getmetatable(c) ~= Case_ then
      error("bad argument #1 to 'select' (case " .. i .. " is not a channel case)", 2)
    end
  end
  for i = 1, n do
    local c = cases[i]
    local ch = c.channel
    if c.dir == "receive" then
      if ready_receive(ch) then
        local _, v, ok = try_receive(ch)
        return {channel = ch, value = v, ok = ok}
      end
    elseif ready_send(ch) then
      try_send(ch, c.value)
      return {channel = ch, value = c.value, ok = true, sent = true}
    end
  end
  if cases.default then return {default = true} end
  if n == 0 then error("select with no cases would block forever", 2) end
  local w = {}
  for i = 1, n do
    local c = cases[i]
    local entry = setmetatable({case = i, value = c.value}, {__index = w, __newindex = w})
    if c.dir == "receive" then
      c.channel.rq[#c.channel.rq + 1] = entry
    else
      c.channel.sq[#c.channel.sq + 1] = entry
    end
  end
  -- all entries share w's fields (done, co, result) through __index/__newindex
  local i, v, ok = park(w)
  local c = cases[i]
  if c.dir == "receive" then
    return {channel = c.channel, value = v, ok = ok}
  end
  if v == "closed" then error("send on closed channel", 2) end
  return {channel = c.channel, value = c.value, ok = true, sent = true}
end
W.select = select_cases

local channel = {new = new_chan, select = select_cases}
W.channel_module = channel
return channel
