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
-- (Per-state data — the inbox, the events channel, the listeners, the options, the
-- metatables — is in W, reached through S; the closures capture only builtins,
-- primitives and each other, so copies of a template state share them: see
-- wippy/lua/kernel.lua. The events channel, the listeners and the metatables of
-- messages and builders are made on first use, in W.late.)
local P, W = ...
local S = W.state
local p_pid, p_send, p_spawn, p_control, p_upgrade = P.pid, P.send, P.spawn, P.control, P.upgrade
local w_error, w_is_error, w_channel, w_chan_extract = W.error, W.is_error, W.channel, W.chan_extract
local w_new_id, w_expect, w_forget, w_park = W.new_id, W.expect, W.forget, W.park
local type, setmetatable, pairs, ipairs, tostring = type, setmetatable, pairs, ipairs, tostring
local pack = table.pack
local BIG = math.maxinteger

local process = {}
process.event = {EXIT = "pid.exit", CANCEL = "pid.cancel", LINK_DOWN = "pid.link.down"}

-- a metatable of this state made on first use: W.late[name] (methods: shared closures)
local function class(name, lua_name, methods)
  local late = S().late
  local mt = late[name]
  if mt == nil then
    mt = {__name = lua_name}
    for k, f in pairs(methods) do mt[k] = f end
    mt.__index = mt
    late[name] = mt
  end
  return mt
end

local function m_topic(self) return self._topic end
local function m_from(self) return self._from end
local function m_payload(self) return S().payload(self._data) end
local function message(W_, m)
  local mt = W_.late.Message or class("Message", "message", {topic = m_topic, from = m_from, payload = m_payload})
  return setmetatable({_topic = m.topic, _from = m.from, _data = m.data}, mt)
end
if W.payload == nil then  -- (funcs defines the same when it is required)
  local Payload = {}
  Payload.__index = Payload
  Payload.__name = "payload"
  function Payload:data() return self._v end
  W.Payload = Payload
  W.payload = function(v) return setmetatable({_v = v}, S().Payload) end
end

-- the inbox; the events channel is made at the first event or request
W.inbox = w_channel(BIG)
local function events_of(W_)
  local late = W_.late
  local ch = late.events
  if ch == nil then
    ch = w_channel(BIG)
    late.events = ch
  end
  return ch
end

W.subscribe(-1, function(m)
  local W_ = S()
  local ls = W_.late.listeners
  local l = ls and ls[m.topic]
  if l then
    l.ch:offer(l.msg and message(W_, m) or m.data)
  else
    W_.inbox:offer(message(W_, m))
  end
end)
W.subscribe(-2, function(ev)
  -- an exit's error arrives as data: give Lua an error object (kind(), message(), tostring)
  local r = ev.result
  if type(r) == "table" and type(r.error) == "table" and not w_is_error(r.error) then
    r.error = w_error(r.error)
  end
  events_of(S()):offer(ev)
end)

local function fail(e) return nil, w_error(e) end

function process.pid() return p_pid() end
function process.inbox() return S().inbox end
function process.events() return events_of(S()) end

function process.listen(topic, opts)
  if type(topic) ~= "string" then return fail({kind = "Invalid", message = "topic must be a string"}) end
  if topic:sub(1, 1) == "@" then return fail({kind = "Invalid", message = "topics starting with @ are reserved"}) end
  local W_ = S()
  local listeners = W_.late.listeners
  if listeners == nil then
    listeners = {}  -- topic -> {ch=, msg=bool}
    W_.late.listeners = listeners
  end
  if listeners[topic] then return fail({kind = "AlreadyExists", message = "already listening on " .. topic}) end
  local ch = w_channel(BIG)
  local as_msg = type(opts) == "table" and opts.message == true
  listeners[topic] = {ch = ch, msg = as_msg}
  -- messages of this topic that arrived before (e.g. sent with the start) move here
  for _, m in ipairs(w_chan_extract(W_.inbox, function(m) return m._topic == topic end)) do
    ch:offer(as_msg and m or m._data)
  end
  return ch
end

function process.unlisten(ch)
  local listeners = S().late.listeners or {}
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
  local ok, err = p_send(dest, topic, (...))
  if err then return fail(err) end
  return true
end

local function spawn(opts, ctxv, mode, id, host, ...)
  if type(id) ~= "string" then return fail({kind = "Invalid", message = "entry id must be a string"}) end
  local pid, err = p_spawn(mode, id, host, pack(...), opts, ctxv, 0)
  if err then return fail(err) end
  return pid
end

local function exec(opts, ctxv, id, host, ...)
  if type(id) ~= "string" then return fail({kind = "Invalid", message = "entry id must be a string"}) end
  local eid = w_new_id()
  local ch = w_channel(1)
  w_expect(eid, function(res) ch:offer(res) end)
  local pid, err = p_spawn("exec", id, host, pack(...), opts, ctxv, eid)
  if err then
    w_forget(eid)
    return fail(err)
  end
  local res = ch:receive()
  if res.error ~= nil then return nil, w_error(res.error) end
  return res.value
end
W.process_exec = exec

local function merged(a, b)
  local r = {}
  for k, v in pairs(a) do r[k] = v end
  for k, v in pairs(b or {}) do r[k] = v end
  return r
end
-- process.builder: its metatable is W.late.Builder, made by the first builder (so a
-- builder's methods find it there)
local function rebuild(opts, ctxv) return setmetatable({_opts = opts, _ctx = ctxv}, S().late.Builder) end
local methods = {
  with_context = function(self, t) return rebuild(self._opts, merged(self._ctx, t)) end,
  with_options = function(self, t) return rebuild(merged(self._opts, t), self._ctx) end,
  with_name = function(self, n) return rebuild(merged(self._opts, {["workflow.id"] = n, name = n}), self._ctx) end,
  with_message = function(self, topic, data)
    local o = merged(self._opts, {})
    local msgs = {}
    for i, m in ipairs(o.__messages or {}) do msgs[i] = m end
    msgs[#msgs + 1] = {topic = topic, data = data}
    o.__messages = msgs
    return rebuild(o, self._ctx)
  end,
  spawn = function(self, id, host, ...) return spawn(self._opts, self._ctx, "spawn", id, host, ...) end,
  spawn_monitored = function(self, id, host, ...) return spawn(self._opts, self._ctx, "monitored", id, host, ...) end,
  spawn_linked = function(self, id, host, ...) return spawn(self._opts, self._ctx, "linked", id, host, ...) end,
  spawn_linked_monitored = function(self, id, host, ...)
    return spawn(self._opts, self._ctx, "linked_monitored", id, host, ...)
  end,
  exec = function(self, id, host, ...) return exec(self._opts, self._ctx, id, host, ...) end,
}
local m_with_context, m_with_options, m_with_name, m_with_message = methods.with_context, methods.with_options,
  methods.with_name, methods.with_message
local m_spawn, m_spawn_monitored, m_spawn_linked, m_spawn_linked_monitored, m_exec = methods.spawn,
  methods.spawn_monitored, methods.spawn_linked, methods.spawn_linked_monitored, methods.exec
local function builder(opts, ctxv)
  local mt = S().late.Builder or class("Builder", "process.builder", {
    with_context = m_with_context, with_options = m_with_options, with_name = m_with_name,
    with_message = m_with_message, spawn = m_spawn, spawn_monitored = m_spawn_monitored,
    spawn_linked = m_spawn_linked, spawn_linked_monitored = m_spawn_linked_monitored, exec = m_exec})
  return setmetatable({_opts = opts or {}, _ctx = ctxv or {}}, mt)
end

function process.with_context(t) return builder(nil, t) end
function process.with_options(t) return builder(t, nil) end
function process.spawn(id, host, ...) return spawn(nil, nil, "spawn", id, host, ...) end
function process.spawn_monitored(id, host, ...) return spawn(nil, nil, "monitored", id, host, ...) end
function process.spawn_linked(id, host, ...) return spawn(nil, nil, "linked", id, host, ...) end
function process.spawn_linked_monitored(id, host, ...) return spawn(nil, nil, "linked_monitored", id, host, ...) end
function process.exec(id, host, ...) return exec(nil, nil, id, host, ...) end

local function simple(name)
  return function(...)
    local ok, err = p_control(name, ...)
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

function process.set_options(t)
  if type(t) ~= "table" then return fail({kind = "Invalid", message = "set_options expects a table"}) end
  for k, v in pairs(t) do
    if k ~= "trap_links" then return fail({kind = "Invalid", message = "unknown process option " .. tostring(k)}) end
    S().late.trap_links = v
  end
  p_control("options", t)
  return true
end
function process.get_options() return {trap_links = S().late.trap_links or false} end

function process.upgrade(id, ...)
  local ok, err = p_upgrade(id, pack(...))
  if err then return fail(err) end
  -- the host ends this run; a continued workflow never returns here
  return w_park({})
end

process.registry = {
  register = function(name, pid)
    local ok, err = p_control("register", name, pid)
    if err then return fail(err) end
    return ok
  end,
  lookup = function(name)
    local pid, err = p_control("lookup", name)
    if err then return fail(err) end
    return pid
  end,
  unregister = function(name)
    local ok, err = p_control("unregister", name)
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
