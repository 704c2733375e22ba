"""process: PIDs, messages, spawning, events — the actor API (a global).

Messages and process events reach a Lua state as external events with reserved
ids (MESSAGE, EVENT); the Lua surface routes a message to the `listen` channel of
its topic or to the inbox, and events to the events channel. Both channels are
unbounded, created with the state, so nothing that arrives is lost before the
program asks for them. What the host does for each call (a process host, the
workflow engine) is the invocation's: `current().spawn/send/...`.

Invariants: payloads cross as plain data (copied); topics starting with `@` are
reserved; per-sender order is the order of `send` calls.
"""

from __future__ import annotations

from typing import Any

from ..scheduler import to_plain
from ._spec import Module, current

MESSAGE = -1  # event id: a message {topic, from, data}
EVENT = -2  # event id: a process event {kind, from, ...}

LUA = r"""
local P, W = ...
local BIG = math.maxinteger

local process = {}
process.event = {EXIT = "pid.exit", CANCEL = "pid.cancel", LINK_DOWN = "pid.link.down"}

local Message = {}
Message.__index = Message
Message.__name = "message"
function Message:topic() return self._topic end
function Message:from() return self._from end
function Message:payload() return W.payload(self._data) end
local function message(m) return setmetatable({_topic = m.topic, _from = m.from, _data = m.data}, Message) end
if W.payload == nil then  -- (funcs defines the same when it is required)
  local Payload = {}
  Payload.__index = Payload
  Payload.__name = "payload"
  function Payload:data() return self._v end
  W.Payload = Payload
  W.payload = function(v) return setmetatable({_v = v}, Payload) end
end

local inbox = W.channel(BIG)
local events = W.channel(BIG)
local listeners = {}   -- topic -> {ch=, msg=bool}

W.subscribe(-1, function(m)
  local l = listeners[m.topic]
  if l then
    l.ch:offer(l.msg and message(m) or m.data)
  else
    inbox:offer(message(m))
  end
end)
W.subscribe(-2, function(ev)
  -- an exit's error arrives as data: give Lua an error object (kind(), message(), tostring)
  local r = ev.result
  if type(r) == "table" and type(r.error) == "table" and not W.is_error(r.error) then
    r.error = W.error(r.error)
  end
  events:offer(ev)
end)

local function fail(e) return nil, W.error(e) end

function process.pid() return P.pid() end
function process.inbox() return inbox end
function process.events() return events end

function process.listen(topic, opts)
  if type(topic) ~= "string" then return fail({kind = "Invalid", message = "topic must be a string"}) end
  if topic:sub(1, 1) == "@" then return fail({kind = "Invalid", message = "topics starting with @ are reserved"}) end
  if listeners[topic] then return fail({kind = "AlreadyExists", message = "already listening on " .. topic}) end
  local ch = W.channel(BIG)
  local as_msg = type(opts) == "table" and opts.message == true
  listeners[topic] = {ch = ch, msg = as_msg}
  -- messages of this topic that arrived before (e.g. sent with the start) move here
  for _, m in ipairs(W.chan_extract(inbox, function(m) return m._topic == topic end)) do
    ch:offer(as_msg and m or m._data)
  end
  return ch
end

function process.unlisten(ch)
  for topic, l in pairs(listeners) do
    if l.ch == ch then
      listeners[topic] = nil
      if not ch.closed then ch:close() end
      return true
    end
  end
  return false
end

function process.send(dest, topic, ...)
  if type(topic) ~= "string" then return fail({kind = "Invalid", message = "topic must be a string"}) end
  if topic:sub(1, 1) == "@" then return fail({kind = "Invalid", message = "topics starting with @ are reserved"}) end
  local ok, err = P.send(dest, topic, (...))
  if err then return fail(err) end
  return true
end

local function spawn(opts, ctxv, mode, id, host, ...)
  if type(id) ~= "string" then return fail({kind = "Invalid", message = "entry id must be a string"}) end
  local pid, err = P.spawn(mode, id, host, table.pack(...), opts, ctxv, 0)
  if err then return fail(err) end
  return pid
end

local function exec(opts, ctxv, id, host, ...)
  if type(id) ~= "string" then return fail({kind = "Invalid", message = "entry id must be a string"}) end
  local eid = W.new_id()
  local ch = W.channel(1)
  W.expect(eid, function(res) ch:offer(res) end)
  local pid, err = P.spawn("exec", id, host, table.pack(...), opts, ctxv, eid)
  if err then
    W.forget(eid)
    return fail(err)
  end
  local res = ch:receive()
  if res.error ~= nil then return nil, W.error(res.error) end
  return res.value
end
W.process_exec = exec

local Builder = {}
Builder.__index = Builder
Builder.__name = "process.builder"
local function builder(opts, ctxv) return setmetatable({_opts = opts or {}, _ctx = ctxv or {}}, Builder) end
local function merged(a, b)
  local r = {}
  for k, v in pairs(a) do r[k] = v end
  for k, v in pairs(b or {}) do r[k] = v end
  return r
end
function Builder:with_context(t) return builder(self._opts, merged(self._ctx, t)) end
function Builder:with_options(t) return builder(merged(self._opts, t), self._ctx) end
function Builder:with_name(n) return builder(merged(self._opts, {["workflow.id"] = n, name = n}), self._ctx) end
function Builder:with_message(topic, data)
  local o = merged(self._opts, {})
  local msgs = {}
  for i, m in ipairs(o.__messages or {}) do msgs[i] = m end
  msgs[#msgs + 1] = {topic = topic, data = data}
  o.__messages = msgs
  return builder(o, self._ctx)
end
function Builder:spawn(id, host, ...) return spawn(self._opts, self._ctx, "spawn", id, host, ...) end
function Builder:spawn_monitored(id, host, ...) return spawn(self._opts, self._ctx, "monitored", id, host, ...) end
function Builder:spawn_linked(id, host, ...) return spawn(self._opts, self._ctx, "linked", id, host, ...) end
function Builder:spawn_linked_monitored(id, host, ...)
  return spawn(self._opts, self._ctx, "linked_monitored", id, host, ...)
end
function Builder:exec(id, host, ...) return exec(self._opts, self._ctx, id, host, ...) end

function process.with_context(t) return builder(nil, t) end
function process.with_options(t) return builder(t, nil) end
function process.spawn(id, host, ...) return spawn(nil, nil, "spawn", id, host, ...) end
function process.spawn_monitored(id, host, ...) return spawn(nil, nil, "monitored", id, host, ...) end
function process.spawn_linked(id, host, ...) return spawn(nil, nil, "linked", id, host, ...) end
function process.spawn_linked_monitored(id, host, ...) return spawn(nil, nil, "linked_monitored", id, host, ...) end
function process.exec(id, host, ...) return exec(nil, nil, id, host, ...) end

local function simple(name)
  return function(...)
    local ok, err = P.control(name, ...)
    if err then return fail(err) end
    return ok
  end
end
process.cancel = simple("cancel")
process.terminate = simple("terminate")
process.monitor = simple("monitor")
process.unmonitor = simple("unmonitor")
process.link = simple("link")
process.unlink = simple("unlink")

local options = {trap_links = false}
function process.set_options(t)
  if type(t) ~= "table" then return fail({kind = "Invalid", message = "set_options expects a table"}) end
  for k, v in pairs(t) do
    if k ~= "trap_links" then return fail({kind = "Invalid", message = "unknown process option " .. tostring(k)}) end
    options[k] = v
  end
  P.control("options", t)
  return true
end
function process.get_options() return {trap_links = options.trap_links} end

function process.upgrade(id, ...)
  local ok, err = P.upgrade(id, table.pack(...))
  if err then return fail(err) end
  -- the host ends this run; a continued workflow never returns here
  return W.park({})
end

process.registry = {
  register = function(name, pid)
    local ok, err = P.control("register", name, pid)
    if err then return fail(err) end
    return ok
  end,
  lookup = function(name)
    local pid, err = P.control("lookup", name)
    if err then return fail(err) end
    return pid
  end,
  unregister = function(name)
    local ok, err = P.control("unregister", name)
    if err then return fail(err) end
    return ok
  end,
}
return process
"""


def pid() -> str:
    return current().pid


def send(dest: Any, topic: str, data: Any) -> Any:
    if not isinstance(dest, str):
        return None, {"kind": "Invalid", "message": f"destination must be a PID or name string, got {dest!r}"}
    try:
        plain = to_plain(data)
    except ValueError as e:
        return None, {"kind": "Invalid", "message": f"cannot send that payload: {e}"}
    err = current().send(dest, topic, plain)
    if err is not None:
        return None, err
    return True, None


def spawn(mode: str, entry: str, host: Any, args: Any, opts: Any, ctx: Any, eid: int) -> Any:
    try:
        n = args.get("n", 0)
        plain_args = [to_plain(args.get(i)) for i in range(1, n + 1)]
        o = to_plain(opts) if opts is not None else {}
        c = to_plain(ctx) if ctx is not None else {}
    except ValueError as e:
        return None, {"kind": "Invalid", "message": f"cannot pass arguments to {entry}: {e}"}
    if not isinstance(host, str):
        return None, {"kind": "Invalid", "message": f"host must be a string, got {host!r}"}
    return current().spawn(mode, entry, host, plain_args, o or {}, c or {}, eid)


def control(op: str, *args: Any) -> Any:
    try:
        plain = [to_plain(a) for a in args]
    except ValueError as e:
        return None, {"kind": "Invalid", "message": str(e)}
    return current().control(op, *plain)


def upgrade(entry: Any, args: Any) -> Any:
    n = args.get("n", 0)
    try:
        plain_args = [to_plain(args.get(i)) for i in range(1, n + 1)]
    except ValueError as e:
        return None, {"kind": "Invalid", "message": str(e)}
    return current().upgrade(entry, plain_args)


MODULE = Module(name="process", lua=LUA,
                primitives={"pid": pid, "send": send, "spawn": spawn, "control": control, "upgrade": upgrade},
                workflow_safe=True, is_global=True)
