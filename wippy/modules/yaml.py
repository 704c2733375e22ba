"""The `yaml` module: YAML text <-> Lua values, with PyYAML's safe loader and dumper.

Lua surface: `yaml.encode(t [, {field_order = {...}, sort_unordered = bool}]) -> s, err`,
`yaml.decode(s) -> v, err`.

Concept: encoding converts the table with the json module's `lua_to_data` (same
rules: a 1..n sequence is a list, string keys a mapping, anything else an error;
an empty table is `[]`), orders each mapping (the `field_order` names first, in
that order, then the rest in the table's own order or sorted when
`sort_unordered`), and dumps block style. Decoding is PyYAML's safe loader (with
YAML 1.2 booleans: `yes`/`no`/`on`/`off` are strings, as Wippy's Go decoder reads
them; no sexagesimal numbers) of the first document, made Lua-shaped: timestamps become ISO 8601 strings, binary
becomes a byte string, sets become sequences, keys that are not strings, integers
or booleans become strings, integers outside int64 become floats.

Invariants: only the safe subset of YAML (no Python objects) is ever constructed;
strings that are not UTF-8 encode with U+FFFD in place of the bad bytes, and
input that is not UTF-8 does not decode;
alias expansion is bounded (a "billion laughs" document is an error, not a hang)
and nesting is limited to 128 levels. Failures are `nil, err`: a non-table to
encode, a non-string or empty string to decode are kind Invalid; unrepresentable
values and syntax errors are kind Internal (as Wippy).

Costs: linear in the document (libyaml's C loader/dumper when available).
"""

from __future__ import annotations

import datetime
import math
import re
from typing import Any

import yaml as pyyaml

from luavm import LuaTableView

from ._spec import Module, failure
from .json import MAX_DEPTH, EncodeError, arg_type, lua_to_data, utf8_safe

_BaseLoader: Any = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader with YAML 1.2's booleans and no sexagesimal numbers, as Go's
    yaml.v3 (Wippy) reads untyped values: `yes`, `off`, `1:20` stay strings."""


_BaseDumper: Any = getattr(pyyaml, "CSafeDumper", pyyaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[misc]
    """The safe dumper, quoting every string that YAML 1.1 *or* the loader above
    would read as something else (`yes`, `1e5`)."""


def _core_resolvers() -> None:
    bool_tag, int_tag, float_tag = ("tag:yaml.org,2002:" + t for t in ("bool", "int", "float"))
    _Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag not in (bool_tag, int_tag, float_tag)]
        for k, v in pyyaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _Dumper.yaml_implicit_resolvers = {k: list(v) for k, v in pyyaml.SafeDumper.yaml_implicit_resolvers.items()}
    core = [
        (bool_tag, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        (int_tag, r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$",
         "-+0123456789"),
        (float_tag, r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
         "-+0123456789."),
    ]
    for tag, rx, first in core:
        _Loader.add_implicit_resolver(tag, re.compile(rx), list(first))
        _Dumper.add_implicit_resolver(tag, re.compile(rx), list(first))


_core_resolvers()

_MININT, _MAXINT = -(2**63), 2**63 - 1


def _order(data: Any, order: dict[str, int], sort: bool) -> Any:
    """Mappings reordered: keys named in `order` first (by their rank), then the rest
    (sorted when `sort`, else as they were)."""
    if type(data) is list:
        return [_order(x, order, sort) for x in data]
    if type(data) is not dict:
        return data
    keys = list(data)
    big = len(order)
    if sort:
        keys.sort(key=lambda k: (order.get(k, big), "" if k in order else k))
    else:
        keys.sort(key=lambda k: order.get(k, big))  # stable: the rest keep their order
    return {k: _order(data[k], order, sort) for k in keys}


def _options(opts: Any) -> tuple[dict[str, int], bool]:
    if type(opts) is not LuaTableView:
        return {}, False
    fo = opts.get("field_order")
    order: dict[str, int] = {}
    if type(fo) is LuaTableView:
        for name in fo.to_list():
            if type(name) is str and name not in order:
                order[name] = len(order)
    return order, opts.get("sort_unordered") is True


def encode(data: Any, opts: Any = None, error_mt: Any = None) -> Any:
    if type(data) is not LuaTableView:
        return failure("Invalid", f"table expected, got {arg_type(data)}")
    try:
        plain = lua_to_data(data, error_mt=error_mt, finite=False)
    except EncodeError as e:
        return failure("Internal", f"encode failed: {e}")
    order, sort = _options(opts)
    if order or sort:
        plain = _order(plain, order, sort)
    try:
        try:
            text = _dump(plain)
        except UnicodeEncodeError:  # strings that are not UTF-8: U+FFFD, as json does
            text = _dump(_utf8_strings(plain))
    except (pyyaml.YAMLError, ValueError) as e:
        return failure("Internal", f"encode failed: {e}")
    return text, None


def _dump(plain: Any) -> str:
    return str(pyyaml.dump(plain, Dumper=_Dumper, default_flow_style=False, allow_unicode=True,
                           sort_keys=False, indent=2, width=1 << 30))


def _utf8_strings(x: Any) -> Any:
    t = type(x)
    if t is str:
        return utf8_safe(x)
    if t is list:
        return [_utf8_strings(v) for v in x]
    if t is dict:
        return {_utf8_strings(k): _utf8_strings(v) for k, v in x.items()}
    return x


class _Budget(Exception):
    pass


def _to_lua_data(v: Any, budget: list[int], depth: int = 0) -> Any:
    """A safe_load result as Lua-shaped data (a fresh tree: shared aliases are copied,
    within `budget` nodes)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _Budget("document too large (too many alias expansions)")
    t = type(v)
    if v is None or t is bool or t is str:
        return v
    if t is int:
        return v if _MININT <= v <= _MAXINT else float(v)
    if t is float:
        return v
    if depth >= MAX_DEPTH:
        raise _Budget(f"exceeded maximum nesting depth ({MAX_DEPTH})")
    if t is dict:
        out: dict[Any, Any] = {}
        for k, x in v.items():
            out[_key(k)] = _to_lua_data(x, budget, depth + 1)
        return out
    if t is list or t is set or t is tuple:
        items = sorted(v, key=repr) if t is set else v
        return [_to_lua_data(x, budget, depth + 1) for x in items]
    if isinstance(v, datetime.date):  # datetime is a date too
        return v.isoformat()
    if t is bytes:
        return v
    return str(v)


def _key(k: Any) -> Any:
    t = type(k)
    if t is str or t is bool:
        return k
    if t is int:
        return k if _MININT <= k <= _MAXINT else str(k)
    if t is float:
        if math.isnan(k):
            return "nan"
        return int(k) if k.is_integer() and _MININT <= k <= _MAXINT else k
    if k is None:
        return "null"
    if isinstance(k, datetime.date):
        return k.isoformat()
    return str(k)


def decode(s: Any) -> Any:
    if type(s) is not str:
        return failure("Invalid", f"string expected, got {arg_type(s)}")
    if s == "":
        return failure("Invalid", "input cannot be empty")
    if utf8_safe(s) is not s:
        return failure("Internal", "decode failed: input is not valid UTF-8")
    try:
        docs = pyyaml.load_all(s, Loader=_Loader)
        data = next(iter(docs), None)
        close = getattr(docs, "close", None)
        if close is not None:
            close()
        return _to_lua_data(data, [max(100_000, 16 * len(s))]), None
    except (pyyaml.YAMLError, _Budget, RecursionError, ValueError, TypeError, OverflowError) as e:
        return failure("Internal", f"decode failed: {_one_line(e)}")


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())


LUA = """
local P, W = ...
local S = W.state
local p_decode = P.decode
local p_encode = P.encode
local w_error = W.error
local mkerr = w_error
local yaml = {}

function yaml.encode(t, options)
  local s, e = p_encode(t, options, S().Error)
  if e then return nil, mkerr(e) end
  return s
end

function yaml.decode(s)
  local v, e = p_decode(s)
  if e then return nil, mkerr(e) end
  return v
end

return yaml
"""

MODULE = Module(name="yaml", lua=LUA, primitives={"encode": encode, "decode": decode}, workflow_safe=True)

__all__ = ["MODULE"]
