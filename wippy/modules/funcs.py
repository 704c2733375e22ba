"""funcs: call function entries — `funcs.call`, `funcs.async` with futures, and
immutable executors (`funcs.new():with_context(t):with_options(t)`).

A call is a command to the host. `funcs.call` outside a workflow first takes the
direct path (`call_now`): the target runs at once, inside the caller's step — a
Lua entry on a pooled state, a synchronous Python function called — and its
result returns without the caller suspending (a suspension and resumption of the
caller's whole stack cost ~10x the call itself); a callee that blocks (sleeps,
receives, calls something that blocks) goes on as an invocation of its own, and
the caller waits for it on a future as `funcs.async` does. `funcs.async`, async
Python functions and calls nested deeper than App's DIRECT_DEPTH always take the
future's path (`current().call`): the target runs as its own invocation and the
caller's thread parks on the future's channel, so other threads of the caller
keep running. Inside a workflow every call is an activity (recorded, retried).
Arguments and results cross as plain data (copied; no functions, no shared
tables) on both paths.
"""

from __future__ import annotations

from typing import Any

from ..scheduler import to_plain
from ._spec import Module, current

LUA = r"""
local P, W = ...
local S = W.state
local p_attach = P.attach
local p_call = P.call
local p_call_now = P.call_now
local p_cancel = P.cancel
local w_channel = W.channel
local w_error = W.error
local w_expect = W.expect
local w_forget = W.forget
local w_new_id = W.new_id
local w_park, w_wake = W.park, W.wake
local table_pack = table.pack
local type, pairs, setmetatable = type, pairs, setmetatable

local Payload = {}
Payload.__index = Payload
Payload.__name = "payload"
function Payload:data() return self._v end
W.Payload = Payload
local function payload(v) return setmetatable({_v = v}, S().Payload) end
W.payload = payload

local Future = {}
Future.__index = Future
Future.__name = "future"
W.Future = Future

-- a future whose outcome arrives as an external event (its id)
local function new_future()
  local id = w_new_id()
  local ch = w_channel(1)
  local fut = setmetatable({_id = id, _ch = ch, _done = false, _canceled = false}, S().Future)
  w_expect(id, function(res)
    fut._done = true
    if res.error ~= nil then
      fut._err = w_error(res.error)
      ch:close()
    else
      fut._value = payload(res.value)
      ch:offer(fut._value)
    end
  end)
  return fut
end

local function start(opts, ctxv, target, ...)
  if type(target) ~= "string" then
    return nil, w_error({kind = "Invalid", message = "function id must be a string, got " .. type(target)})
  end
  local fut = new_future()
  local _, err = p_call(fut._id, target, table_pack(...), opts, ctxv)
  if err then
    w_forget(fut._id)
    return nil, w_error(err)
  end
  return fut
end

-- funcs.call: first the host's direct path (the callee runs now, inside this
-- call, while it does not block: 1 = its value, 2 = its error data, 3 = it
-- blocked and goes on as an invocation of its own whose outcome comes as the
-- event attached to it); nil = not for the direct path (an activity in a
-- workflow, an async Python function, deep nesting): the call is made with an
-- event id. Either way the calling thread then parks until that event: no future
-- or channel, which funcs.call never hands out (fewer objects for a workflow's
-- checkpoint to write, fewer frames for its suspension to record).
local function call(opts, ctxv, target, ...)
  if type(target) ~= "string" then
    return nil, w_error({kind = "Invalid", message = "function id must be a string, got " .. type(target)})
  end
  local r, v = p_call_now(target, opts, ctxv, ...)
  if r == 1 then return v end
  if r == 2 then return nil, w_error(v) end
  local id = w_new_id()
  local waiter = {}
  w_expect(id, function(res) w_wake(waiter, res) end)
  if r == 3 then
    p_attach(id)
  else
    local _, err = p_call(id, target, table_pack(...), opts, ctxv)
    if err then
      w_forget(id)
      return nil, w_error(err)
    end
  end
  local res = w_park(waiter)
  if res.error ~= nil then return nil, w_error(res.error) end
  return res.value
end

function Future:response() return self._ch end
Future.channel = Future.response
function Future:is_complete() return self._done end
function Future:is_canceled() return self._canceled end
function Future:result()
  if self._canceled then return nil, w_error({kind = "Canceled", message = "future canceled"}) end
  if not self._done then return nil, nil end
  if self._err then return nil, self._err end
  return self._value, nil
end
function Future:error()
  if self._canceled then return w_error({kind = "Canceled", message = "future canceled"}), true end
  if self._err then return self._err, true end
  return nil, false
end
function Future:cancel()
  if self._done or self._canceled then return false end
  self._canceled = true
  w_forget(self._id)
  p_cancel(self._id)
  if not self._ch.closed then self._ch:close() end
  return true
end

local Executor = {}
Executor.__index = Executor
Executor.__name = "funcs.executor"
W.Executor = Executor

local function copy(t)
  local r = {}
  if t then for k, v in pairs(t) do r[k] = v end end
  return r
end

local function executor(opts, ctxv)
  return setmetatable({_opts = opts, _ctx = ctxv}, S().Executor)
end

function Executor:with_context(values)
  if type(values) ~= "table" then
    return nil, w_error({kind = "Invalid", message = "with_context expects a table"})
  end
  local c = copy(self._ctx)
  for k, v in pairs(values) do c[k] = v end
  return executor(self._opts, c)
end

function Executor:with_options(options)
  if type(options) ~= "table" then
    return nil, w_error({kind = "Invalid", message = "with_options expects a table"})
  end
  local o = copy(self._opts)
  for k, v in pairs(options) do o[k] = v end
  return executor(o, self._ctx)
end

function Executor:with_actor(actor) return executor(self._opts, self._ctx) end
function Executor:with_scope(scope) return executor(self._opts, self._ctx) end
function Executor:call(target, ...) return call(self._opts, self._ctx, target, ...) end
function Executor:async(target, ...) return start(self._opts, self._ctx, target, ...) end

local funcs = {}
function funcs.call(target, ...) return call(nil, nil, target, ...) end
function funcs.async(target, ...) return start(nil, nil, target, ...) end
function funcs.new() return executor(nil, nil) end
W.funcs_start = start
return funcs
"""


def call(eid: int, target: str, args: Any, options: Any, ctx: Any) -> Any:
    """Start a call of `target`; its outcome arrives as event `eid` ({value} or {error})."""
    try:
        n = args.get("n", 0)
        plain_args = [to_plain(args.get(i)) for i in range(1, n + 1)]
        opts = to_plain(options) if options is not None else {}
        cv = to_plain(ctx) if ctx is not None else {}
    except ValueError as e:
        return None, {"kind": "Invalid", "message": f"cannot pass arguments to {target}: {e}"}
    err = current().call(eid, target, plain_args, opts or {}, cv or {})
    if err is not None:
        return None, err
    return True, None


def cancel(eid: int) -> bool:
    return current().cancel_call(eid)


def call_now(target: str, options: Any, ctx: Any, *args: Any) -> Any:
    """The direct path of funcs.call (see the Lua `call` above): (1, value),
    (2, error data), (3, None) when the callee blocked (then `attach` names the
    event its outcome comes as), or None when the call must take the future's
    path. Never in a workflow: there a call is an activity."""
    inv = current()
    if inv.in_workflow:
        return None
    now = getattr(inv, "call_now", None)
    if now is None:
        return None
    try:
        plain_args = [to_plain(a) for a in args]
        opts = to_plain(options) if options is not None else {}
        cv = to_plain(ctx) if ctx is not None else {}
    except ValueError as e:
        return 2, {"kind": "Invalid", "message": f"cannot pass arguments to {target}: {e}"}
    return now(target, plain_args, opts or {}, cv or {})


def attach(eid: int) -> None:
    """The callee of the last direct call blocked: its outcome is posted as event `eid`."""
    current().attach_call(eid)  # type: ignore[attr-defined]


MODULE = Module(name="funcs", lua=LUA, primitives={"call": call, "cancel": cancel, "call_now": call_now,
                                                   "attach": attach}, workflow_safe=True)
