-- Richards: Martin Richards' OS task-scheduler simulation (after the
-- pyperformance/Smalltalk versions). Classes via metatables, inheritance,
-- method dispatch through __index chains, field access, linked lists.

-- a tiny class system: Class.new(...) calls Class:init(...)
local function class(parent)
  local c = {}
  c.__index = c
  if parent then setmetatable(c, { __index = parent }) end
  c.new = function(...)
    local o = setmetatable({}, c)
    o:init(...)
    return o
  end
  return c
end

-- task ids
local I_IDLE, I_WORK, I_HANDLERA, I_HANDLERB, I_DEVA, I_DEVB = 1, 2, 3, 4, 5, 6
-- packet kinds
local K_DEV, K_WORK = 1000, 1001

local BUFSIZE = 4
local TASKTABSIZE = 10
local A = string.byte("A")

local Packet = class()

function Packet:init(link, ident, kind)
  self.link = link
  self.ident = ident
  self.kind = kind
  self.datum = 0
  local data = {}
  for i = 1, BUFSIZE do data[i] = 0 end
  self.data = data
end

function Packet:append_to(lst)
  self.link = nil
  if lst == nil then return self end
  local p = lst
  local nxt = p.link
  while nxt ~= nil do
    p = nxt
    nxt = p.link
  end
  p.link = self
  return lst
end

local DeviceTaskRec = class()
function DeviceTaskRec:init() self.pending = nil end

local IdleTaskRec = class()
function IdleTaskRec:init()
  self.control = 1
  self.count = 10000
end

local HandlerTaskRec = class()
function HandlerTaskRec:init()
  self.work_in = nil
  self.device_in = nil
end

function HandlerTaskRec:work_in_add(p)
  self.work_in = p:append_to(self.work_in)
  return self.work_in
end

function HandlerTaskRec:device_in_add(p)
  self.device_in = p:append_to(self.device_in)
  return self.device_in
end

local WorkerTaskRec = class()
function WorkerTaskRec:init()
  self.destination = I_HANDLERA
  self.count = 0
end

local TaskState = class()
function TaskState:init()
  self.packet_pending = true
  self.task_waiting = false
  self.task_holding = false
end

function TaskState:packet_pending_state()
  self.packet_pending = true
  self.task_waiting = false
  self.task_holding = false
  return self
end

function TaskState:waiting()
  self.packet_pending = false
  self.task_waiting = true
  self.task_holding = false
  return self
end

function TaskState:running()
  self.packet_pending = false
  self.task_waiting = false
  self.task_holding = false
  return self
end

function TaskState:waiting_with_packet()
  self.packet_pending = true
  self.task_waiting = true
  self.task_holding = false
  return self
end

function TaskState:is_packet_pending() return self.packet_pending end
function TaskState:is_task_waiting() return self.task_waiting end
function TaskState:is_task_holding() return self.task_holding end

function TaskState:is_task_holding_or_waiting()
  return self.task_holding or (not self.packet_pending and self.task_waiting)
end

function TaskState:is_waiting_with_packet()
  return self.packet_pending and self.task_waiting and not self.task_holding
end

local TaskWorkArea = class()
function TaskWorkArea:init()
  local tab = {}
  for i = 1, TASKTABSIZE do tab[i] = false end
  self.task_tab = tab
  self.task_list = nil
  self.hold_count = 0
  self.qpkt_count = 0
end

local Task = class(TaskState)

function Task:init(area, i, p, w, initial_state, r)
  self.area = area
  self.link = area.task_list
  self.ident = i
  self.priority = p
  self.input = w
  self.packet_pending = initial_state:is_packet_pending()
  self.task_waiting = initial_state:is_task_waiting()
  self.task_holding = initial_state:is_task_holding()
  self.handle = r
  area.task_list = self
  area.task_tab[i] = self
end

function Task:fn(pkt, r)
  error("not implemented")
end

function Task:add_packet(p, old)
  if self.input == nil then
    self.input = p
    self.packet_pending = true
    if self.priority > old.priority then return self end
  else
    p:append_to(self.input)
  end
  return old
end

function Task:run_task()
  local msg
  if self:is_waiting_with_packet() then
    msg = self.input
    self.input = msg.link
    if self.input == nil then
      self:running()
    else
      self:packet_pending_state()
    end
  else
    msg = nil
  end
  return self:fn(msg, self.handle)
end

function Task:wait_task()
  self.task_waiting = true
  return self
end

function Task:hold()
  local area = self.area
  area.hold_count = area.hold_count + 1
  self.task_holding = true
  return self.link
end

function Task:release(i)
  local t = self:findtcb(i)
  t.task_holding = false
  if t.priority > self.priority then return t end
  return self
end

function Task:qpkt(pkt)
  local t = self:findtcb(pkt.ident)
  local area = self.area
  area.qpkt_count = area.qpkt_count + 1
  pkt.link = nil
  pkt.ident = self.ident
  return t:add_packet(pkt, self)
end

function Task:findtcb(ident)
  local t = self.area.task_tab[ident]
  if not t then error(string.format("Bad task id %d", ident)) end
  return t
end

local DeviceTask = class(Task)

function DeviceTask:fn(pkt, r)
  local d = r
  if pkt == nil then
    pkt = d.pending
    if pkt == nil then return self:wait_task() end
    d.pending = nil
    return self:qpkt(pkt)
  end
  d.pending = pkt
  return self:hold()
end

local HandlerTask = class(Task)

function HandlerTask:fn(pkt, r)
  local h = r
  if pkt ~= nil then
    if pkt.kind == K_WORK then
      h:work_in_add(pkt)
    else
      h:device_in_add(pkt)
    end
  end
  local work = h.work_in
  if work == nil then return self:wait_task() end
  local count = work.datum
  if count >= BUFSIZE then
    h.work_in = work.link
    return self:qpkt(work)
  end
  local dev = h.device_in
  if dev == nil then return self:wait_task() end
  h.device_in = dev.link
  dev.datum = work.data[count + 1]
  work.datum = count + 1
  return self:qpkt(dev)
end

local IdleTask = class(Task)

function IdleTask:init(area, i, p, w, s, r)
  Task.init(self, area, i, 0, nil, s, r)
end

function IdleTask:fn(pkt, r)
  local i = r
  i.count = i.count - 1
  if i.count == 0 then return self:hold() end
  if i.control & 1 == 0 then
    i.control = i.control // 2
    return self:release(I_DEVA)
  end
  i.control = (i.control // 2) ~ 0xD008
  return self:release(I_DEVB)
end

local WorkTask = class(Task)

function WorkTask:fn(pkt, r)
  local w = r
  if pkt == nil then return self:wait_task() end
  local dest
  if w.destination == I_HANDLERA then dest = I_HANDLERB else dest = I_HANDLERA end
  w.destination = dest
  pkt.ident = dest
  pkt.datum = 0
  local data = pkt.data
  for i = 1, BUFSIZE do
    w.count = w.count + 1
    if w.count > 26 then w.count = 1 end
    data[i] = A + w.count - 1
  end
  return self:qpkt(pkt)
end

local function schedule(area)
  local t = area.task_list
  while t ~= nil do
    if t:is_task_holding_or_waiting() then
      t = t.link
    else
      t = t:run_task()
    end
  end
end

local function run_once()
  local area = TaskWorkArea.new()
  IdleTask.new(area, I_IDLE, 1, 10000, TaskState.new():running(), IdleTaskRec.new())

  local wkq = Packet.new(nil, 0, K_WORK)
  wkq = Packet.new(wkq, 0, K_WORK)
  WorkTask.new(area, I_WORK, 1000, wkq, TaskState.new():waiting_with_packet(), WorkerTaskRec.new())

  wkq = Packet.new(nil, I_DEVA, K_DEV)
  wkq = Packet.new(wkq, I_DEVA, K_DEV)
  wkq = Packet.new(wkq, I_DEVA, K_DEV)
  HandlerTask.new(area, I_HANDLERA, 2000, wkq, TaskState.new():waiting_with_packet(), HandlerTaskRec.new())

  wkq = Packet.new(nil, I_DEVB, K_DEV)
  wkq = Packet.new(wkq, I_DEVB, K_DEV)
  wkq = Packet.new(wkq, I_DEVB, K_DEV)
  HandlerTask.new(area, I_HANDLERB, 3000, wkq, TaskState.new():waiting_with_packet(), HandlerTaskRec.new())

  DeviceTask.new(area, I_DEVA, 4000, nil, TaskState.new():waiting(), DeviceTaskRec.new())
  DeviceTask.new(area, I_DEVB, 5000, nil, TaskState.new():waiting(), DeviceTaskRec.new())

  schedule(area)
  return area.hold_count, area.qpkt_count
end

function bench(n)
  local hold, qpkt = 0, 0
  for _ = 1, n do
    local h, q = run_once()
    if h ~= 9297 or q ~= 23246 then
      error(string.format("richards: wrong counts %d %d", h, q))
    end
    hold = hold + h
    qpkt = qpkt + q
  end
  return string.format("%d %d", hold, qpkt)
end
