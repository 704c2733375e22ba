"""The `logger` module: structured logging from Lua into Python's `logging`.

Lua surface (as Wippy; the module value is itself a logger, called with colons):
`logger:debug/info/warn/error(message [, fields])`, `logger:with(fields) -> Logger`
(a child that adds `fields` to every line), `logger:named(name) -> Logger` (a
child named `name`, or `parent.name`). Dot calls (`logger.info("m")`) work too.

Concept: a Logger is a small Lua object {name, fields} (so snapshots hold it); a
log call hands the message, the logger's fields and the call's fields to one
primitive, which emits a record on the Python logger `wippy.lua` with `extra`
{"entry": entry ID, "pid": PID, "logger": name ("" for the root), "fields": dict}.
The level maps debug/info/warn/error to DEBUG/INFO/WARNING/ERROR.

Invariants: fields of the call override the logger's; only string keys are kept
(as Wippy); values are converted to plain data — error objects become their
message, tables become dicts/lists (functions and other non-data become their type
name; nesting is cut at 16 levels), never raising. A message that is not a string
(or number), fields that are not a table, and `with`/`named` with bad arguments
raise an error object of kind Invalid, as Wippy raises. While a workflow replays
(`current().replaying`) nothing is emitted, so each line appears once.

Costs: a disabled level costs one Lua->Python call and a level check; an enabled
one converts the fields (µs per field) and whatever the handlers do.
"""

from __future__ import annotations

import logging
from typing import Any

import luavm
from luavm import LuaFunction, LuaTableView

from ._spec import Module, current
from .json import utf8_safe

LOG = logging.getLogger("wippy.lua")
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}
_MAX_FIELD_DEPTH = 16


def _value(v: Any, emt: Any, depth: int) -> Any:
    t = type(v)
    if v is None or t is bool or t is int or t is float:
        return v
    if t is str:
        return utf8_safe(v)
    if t is LuaTableView:
        tab = v.table
        if emt is not None and tab.meta is emt:
            return utf8_safe(str(v.get("_message") or ""))
        if depth >= _MAX_FIELD_DEPTH:
            return "..."
        items = list(v.items())
        n = len(items)
        if n and all(type(k) is int for k, _ in items) and {k for k, _ in items} == set(range(1, n + 1)):
            items.sort(key=lambda kv: kv[0])
            return [_value(x, emt, depth + 1) for _, x in items]
        return {(utf8_safe(k) if type(k) is str else str(k)): _value(x, emt, depth + 1) for k, x in items}
    if isinstance(v, LuaFunction) or callable(v):
        return "function"
    return str(luavm.lua_type(v))


def log(level: str, name: Any, msg: str, base: Any = None, fields: Any = None, error_mt: Any = None) -> None:
    inv = current()
    if inv.replaying:
        return
    lvl = _LEVELS.get(level, logging.INFO)
    if not LOG.isEnabledFor(lvl):
        return
    emt = error_mt.table if isinstance(error_mt, LuaTableView) else None
    data: dict[str, Any] = {}
    for src in (base, fields):
        if type(src) is LuaTableView:
            for k, v in src.items():
                if type(k) is str:
                    data[utf8_safe(k)] = _value(v, emt, 0)
    LOG.log(lvl, utf8_safe(msg), extra={"entry": inv.entry_id, "pid": inv.pid,
                                        "logger": name if type(name) is str else "", "fields": data})


LUA = """
local P, W = ...
local S = W.state
local p_log = P.log
local w_error = W.error
local type, error, pairs, tostring, setmetatable, getmetatable = type, error, pairs, tostring, setmetatable, getmetatable
local mkerr = w_error

local Logger = {}
Logger.__index = Logger
Logger.__name = "logger.Logger"
W.logger_Logger = Logger

local function new(name, fields)
  return setmetatable({_name = name, _fields = fields}, S().logger_Logger)
end
local root = new(nil, nil)
W.logger_root = root

local function bad(i, fname, what)
  error(mkerr({kind = "Invalid", message = ("bad argument #%d to '%s' (%s)"):format(i, fname, what)}, 3), 3)
end

local function level(lv)
  return function(self, msg, fields)
    local W_ = S()
    if getmetatable(self) ~= W_.logger_Logger then self, msg, fields = W_.logger_root, self, msg end
    local tm = type(msg)
    if tm == "number" then
      msg = tostring(msg)
    elseif tm ~= "string" then
      bad(1, lv, "string expected, got " .. tm)
    end
    if fields ~= nil and type(fields) ~= "table" then
      bad(2, lv, "table expected, got " .. type(fields))
    end
    p_log(lv, self._name, msg, self._fields, fields, W_.Error)
  end
end

Logger.debug = level("debug")
Logger.info = level("info")
Logger.warn = level("warn")
Logger.error = level("error")

function Logger:with(fields)
  local W_ = S()
  if getmetatable(self) ~= W_.logger_Logger then self, fields = W_.logger_root, self end
  if type(fields) ~= "table" then bad(1, "with", "table expected, got " .. type(fields)) end
  local merged = {}
  if self._fields then for k, v in pairs(self._fields) do merged[k] = v end end
  for k, v in pairs(fields) do
    if type(k) == "string" then merged[k] = v end
  end
  return new(self._name, merged)
end

function Logger:named(name)
  local W_ = S()
  if getmetatable(self) ~= W_.logger_Logger then self, name = W_.logger_root, self end
  local tn = type(name)
  if tn == "number" then
    name = tostring(name)
  elseif tn ~= "string" then
    bad(1, "named", "string expected, got " .. tn)
  end
  if name == "" then bad(1, "named", "name cannot be empty") end
  return new(self._name and (self._name .. "." .. name) or name, self._fields)
end

return root
"""

MODULE = Module(name="logger", lua=LUA, primitives={"log": log}, workflow_safe=True)

__all__ = ["MODULE", "LOG"]
