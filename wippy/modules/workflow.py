"""workflow: what a workflow may ask about itself (workflows only) — `info`,
`version` (Temporal's GetVersion: a recorded branch point), `history_length`,
`exec` (a child workflow, waited for)."""

from __future__ import annotations

from typing import Any

from ._spec import Module, current

LUA = r"""
local P, W = ...
local S = W.state
local p_check = P.check
local p_info = P.info
local p_version = P.version
local w_error = W.error
local w_process_exec = W.process_exec
local math_type = math.type
local type, error = type, error
local workflow = {}
local function check()
  local ok, err = p_check()
  if err then error(w_error(err), 3) end
end
function workflow.info() check() return p_info() end
function workflow.history_length() check() return p_info().history_length end
function workflow.version(change_id, min_version, max_version)
  check()
  if type(change_id) ~= "string" then error("bad argument #1 to 'version' (string expected)", 2) end
  if math_type(min_version) ~= "integer" or math_type(max_version) ~= "integer" or min_version > max_version then
    error("bad arguments to 'version' (integers min <= max expected)", 2)
  end
  local late = S().late
  local versions = late.versions
  if versions == nil then
    versions = {}
    late.versions = versions
  end
  local v = versions[change_id]
  if v == nil then
    v = p_version(change_id, min_version, max_version)
    versions[change_id] = v
  end
  return v
end
function workflow.exec(id, ...)
  check()
  local info = p_info()
  return w_process_exec(nil, nil, id, info.task_queue, ...)
end
return workflow
"""


def check() -> Any:
    if not current().in_workflow:
        return None, {"kind": "Invalid", "message": "the workflow module is available in workflows only"}
    return True, None


def info() -> Any:
    return current().info()  # type: ignore[attr-defined]


def version(change_id: str, vmin: int, vmax: int) -> int:
    return int(current().version(change_id, vmin, vmax))  # type: ignore[attr-defined]


MODULE = Module(name="workflow", lua=LUA, primitives={"check": check, "info": info, "version": version},
                workflow_safe=True)
