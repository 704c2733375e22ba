"""registry: read the app's registry from Lua — `get(id)`, `find(filter)`,
`parse_id(id)`, and a point-in-time `snapshot()` with `entries/get/find/namespace`.

A filter matches entry fields `.kind`, `.ns`, `.name`, `.id` and any `meta` field
(dotted paths into nested meta, e.g. `["temporal.workflow.worker"]`). Entries are
plain data `{id, kind, meta, data}` (Lua sources are included as data). The
registry is read-only here: versions, history and changesets (which modify a
running Wippy node's registry) are not supported and return an error. Not
workflow safe (the registry may change between a run and its replay).
"""

from __future__ import annotations

from typing import Any

from ..scheduler import to_plain
from ._spec import Module, current, failure

LUA = r"""
local P, W = ...
local S = W.state
local p_find = P.find
local p_get = P.get
local w_error = W.error
local type, setmetatable = type, setmetatable
local registry = {}

local function fail(e) return nil, w_error(e) end

local function get(id)
  if type(id) ~= "string" then return fail({kind = "Invalid", message = "entry id must be a string"}) end
  local e, err = p_get(id)
  if err then return fail(err) end
  return e
end

local function find(filter)
  if filter ~= nil and type(filter) ~= "table" then
    return fail({kind = "Invalid", message = "filter must be a table"})
  end
  local r, err = p_find(filter or {})
  if err then return fail(err) end
  return r
end

registry.get, registry.find = get, find

function registry.parse_id(id)
  if type(id) ~= "string" then return nil end
  local ns, name = id:match("^(.*):([^:]+)$")
  if not ns then return {ns = "", name = id} end
  return {ns = ns, name = name}
end

local Snapshot = {}
Snapshot.__index = Snapshot
W.registry_Snapshot = Snapshot
function Snapshot:entries() return p_find({}) end
function Snapshot:get(id) return get(id) end
function Snapshot:find(filter) return (find(filter)) end
function Snapshot:namespace(ns) return (find({[".ns"] = ns})) end

function registry.snapshot() return setmetatable({}, S().registry_Snapshot) end

local function unsupported(what)
  return function() return fail({kind = "Invalid", message = "registry." .. what .. " is not supported here (read-only registry)"}) end
end
registry.snapshot_at = unsupported("snapshot_at")
registry.current_version = unsupported("current_version")
registry.versions = unsupported("versions")
registry.history = unsupported("history")
return registry
"""


def _registry() -> Any:
    app = getattr(getattr(current(), "scheduler", None), "dispatcher", None)
    return getattr(app, "registry", None)


def _entry(e: Any) -> dict[str, Any]:
    return {"id": e.id, "kind": e.kind, "meta": dict(e.meta), "data": dict(e.data)}


def get(eid: str) -> Any:
    reg = _registry()
    e = reg.get(eid) if reg is not None and ":" in eid else None
    if e is None:
        return failure("NotFound", f"entry {eid} not found")
    return _entry(e), None


def _meta_get(meta: dict[str, Any], path: str) -> Any:
    cur: Any = meta
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def find(flt: Any) -> Any:
    reg = _registry()
    if reg is None:
        return [], None
    try:
        crit = to_plain(flt) or {}
    except ValueError as e:
        return failure("Invalid", str(e))
    if isinstance(crit, list):
        return failure("Invalid", "filter must be a table of field = value")
    out = []
    for entry in reg.entries.values():
        ok = True
        for k, want in crit.items():
            k = str(k)
            if k == ".kind":
                have: Any = entry.kind
            elif k == ".ns":
                have = entry.namespace
            elif k == ".name":
                have = entry.name
            elif k == ".id":
                have = entry.id
            else:
                have = _meta_get(dict(entry.meta), k.removeprefix("meta."))
            if have != want or type(have) is not type(want) and not (
                    isinstance(have, (int, float)) and isinstance(want, (int, float))):
                ok = False
                break
        if ok:
            out.append(_entry(entry))
    return out, None


MODULE = Module(name="registry", lua=LUA, primitives={"get": get, "find": find}, workflow_safe=False)
