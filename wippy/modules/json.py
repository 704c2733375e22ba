"""The `json` module: JSON text <-> Lua values, and JSON Schema validation.

Lua surface: `json.encode(v) -> s, err`, `json.decode(s) -> v, err`,
`json.validate(schema, v) -> true | false, err`,
`json.validate_string(schema, s) -> true | false, err`.

Concept: a Lua value becomes plain data (`lua_to_data`, shared with the yaml
module), which the stdlib `json` writes; decoding is the stdlib parser with hooks
for Lua's number model. Validation is the `jsonschema` library.

Invariants (Wippy's encoding rules):
- a table whose keys are exactly 1..n is an array; one whose keys are all strings
  is an object (in the table's own key order); an empty table is `[]`. Any other
  table (mixed, sparse, or with float/boolean/table keys) is an encode error, as are
  functions, coroutines, tables that contain themselves and nesting deeper than 128.
- integers stay integers and floats stay floats both ways (`1` vs `1.0`); NaN and
  ±inf encode as `null` (Wippy); a decoded integer outside int64 becomes a float.
- an error object encodes as its message (Wippy).
- strings are bytes in Lua: invalid UTF-8 is written as U+FFFD (as Go does).
- failures are `nil, err`: bad argument types are kind Invalid, encode/parse
  failures kind Internal, schema problems and validation failures kind Invalid
  (`false, err` for validate*). The validation message names each failing path.

Costs: encode and decode are linear in the data: encode walks luavm's tables
directly (~1 µs per value), decode is the C parser plus the conversion to Lua
tables. Compiled schemas are cached by their JSON text (LRU, 128 entries), so a
schema given as a Lua table is re-serialised on each call but compiled once;
validating a Lua value converts it like encode does.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from luavm import LuaFunction, LuaTable, LuaTableView
from luavm import lua_type as type_name

from ._spec import Module, failure

MAX_DEPTH = 128
_MININT, _MAXINT = -(2**63), 2**63 - 1


class EncodeError(ValueError):
    """A Lua value that has no JSON (or YAML) form."""


class EmptyTable(list):  # type: ignore[type-arg]
    """An empty Lua table: `[]` in output; to schema validation both an empty array and
    an empty object (Lua cannot tell them apart)."""


def _lua_type(x: Any) -> str:
    if isinstance(x, LuaFunction):
        return "function"
    return str(type_name(x))


def _str(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def lua_to_data(v: Any, *, error_mt: Any = None, finite: bool = True,
                empty: Callable[[], Any] = list) -> Any:
    """A Lua value (as a primitive receives it) as JSON-shaped Python data.

    `error_mt`: the error objects' metatable (W.Error); such tables become their
    message. `finite`: NaN/±inf become None (JSON); otherwise kept (YAML).
    `empty`: what an empty table becomes. Raises EncodeError.

    Walks luavm's tables directly (array part, then `LuaTable.pairs()` over the
    hash part; raw strings are bytes), ~3x faster than going through LuaTableView."""
    emt = error_mt.table if isinstance(error_mt, LuaTableView) else None
    active: set[int] = set()

    def conv(x: Any, depth: int) -> Any:
        t = type(x)
        if t is bytes:
            return _str(x)
        if x is None or t is bool or t is int or t is str:
            return x
        if t is float:
            if finite and not math.isfinite(x):
                return None
            return x
        if t is LuaTableView:
            x = x.table
            t = LuaTable
        if t is LuaTable:
            if emt is not None and x.meta is emt:
                m = x.get(b"_message")
                return _str(m) if type(m) is bytes else ""
            if depth >= MAX_DEPTH:
                raise EncodeError(f"exceeded maximum nesting depth ({MAX_DEPTH}) for encoding")
            key = id(x)
            if key in active:
                raise EncodeError("cannot encode a table that contains itself")
            active.add(key)
            try:
                return table(x, depth + 1)
            finally:
                active.discard(key)
        raise EncodeError(f"cannot encode a {_lua_type(x)}")

    def table(tab: LuaTable, depth: int) -> Any:
        arr = tab.arr
        if not tab.hash:  # a plain sequence (the common case for arrays)
            if not arr:
                return empty()
            if None not in arr:
                return [conv(val, depth) for val in arr]
        items: list[tuple[Any, Any]] = [(i, val) for i, val in enumerate(arr, 1) if val is not None]
        items.extend(tab.pairs())
        if not items:
            return empty()
        nstr = nint = 0
        for k, _ in items:
            tk = type(k)
            if tk is bytes:
                nstr += 1
            elif tk is int and k > 0:
                nint += 1
            else:
                raise EncodeError(f"cannot encode a table with a {_key_desc(k)} key "
                                  "(only string keys, or a sequence 1..n)")
        if nstr and nint:
            raise EncodeError("cannot encode a table with both numeric and string keys")
        if nstr:
            return {_str(k): conv(val, depth) for k, val in items}
        n = len(items)
        if max(k for k, _ in items) != n:
            raise EncodeError("cannot encode a sparse array (its numeric keys are not 1..n)")
        items.sort(key=lambda kv: kv[0])
        return [conv(val, depth) for _, val in items]

    return conv(v, 0)


def _key_desc(k: Any) -> str:
    t = type(k)
    if t is int:
        return f"non-positive integer ({k})"
    if t is float:
        return f"float ({k!r})"
    if t is bool:
        return "boolean"
    return _lua_type(k)


def utf8_safe(s: str) -> str:
    """`s` with bytes that are not UTF-8 (kept as surrogates) replaced by U+FFFD."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def dumps(data: Any) -> str:
    """Compact JSON text of plain data (as `lua_to_data` makes it)."""
    return utf8_safe(json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False))


# decoding ----------------------------------------------------------------------------

def _parse_int(s: str) -> int | float:
    """A JSON integer: a Lua integer if it fits in 64 bits, else a float (as Wippy)."""
    if len(s) <= 18:
        return int(s)
    if len(s) <= 20:
        v = int(s)
        if _MININT <= v <= _MAXINT:
            return v
    return float(s)


def _parse_constant(s: str) -> Any:
    raise ValueError(f"invalid JSON value {s}")


_DECODER = json.JSONDecoder(parse_int=_parse_int, parse_constant=_parse_constant)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _too_deep(obj: Any, limit: int) -> bool:
    stack = [(obj, 1)]
    while stack:
        o, d = stack.pop()
        if d > limit:
            return True
        children = o.values() if type(o) is dict else o
        stack.extend((c, d + 1) for c in children if type(c) is dict or type(c) is list)
    return False


def _fix_surrogates(obj: Any) -> Any:
    """Lone UTF-16 surrogates (from `\\udXXX` escapes) have no UTF-8 form: U+FFFD."""
    t = type(obj)
    if t is str:
        return obj.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if t is list:
        return [_fix_surrogates(x) for x in obj]
    if t is dict:
        return {_fix_surrogates(k): _fix_surrogates(x) for k, x in obj.items()}
    return obj


def loads(s: str) -> Any:
    """Parse JSON text into plain data with Lua's number model. Raises ValueError."""
    try:
        data = _DECODER.decode(s)
    except RecursionError:
        raise ValueError(f"exceeded maximum nesting depth ({MAX_DEPTH})") from None
    if (type(data) is dict or type(data) is list) and s.count("[") + s.count("{") > MAX_DEPTH \
            and _too_deep(data, MAX_DEPTH):
        raise ValueError(f"exceeded maximum nesting depth ({MAX_DEPTH})")
    if _SURROGATE_ESCAPE.search(s):
        data = _fix_surrogates(data)
    return data


# primitives --------------------------------------------------------------------------

def encode(v: Any, error_mt: Any = None) -> Any:
    try:
        return dumps(lua_to_data(v, error_mt=error_mt)), None
    except EncodeError as e:
        return failure("Internal", f"encode failed: {e}")


def decode(s: Any) -> Any:
    if type(s) is not str:
        return failure("Invalid", f"string expected, got {arg_type(s)}")
    if s == "":
        return failure("Invalid", "empty string is not valid JSON")
    try:
        return loads(s), None
    except ValueError as e:
        return failure("Internal", f"decode failed: {e}")


_ARRAY_KEYWORDS = frozenset({"required", "enum", "allOf", "anyOf", "oneOf", "prefixItems", "examples",
                             "type", "dependentRequired"})


def _schema_data(schema: Any, error_mt: Any) -> Any:
    """A schema table as data: an empty table is `{}` (an empty schema, no properties)
    except under keywords whose value is an array (`required = {}`)."""
    data = lua_to_data(schema, error_mt=error_mt, empty=EmptyTable)

    def fix(x: Any, key: str | None) -> Any:
        if type(x) is EmptyTable:
            return [] if key in _ARRAY_KEYWORDS else {}
        if type(x) is dict:
            return {k: fix(v, k) for k, v in x.items()}
        if type(x) is list:
            return [fix(v, None) for v in x]
        return x

    return fix(data, None)


def _is_object(checker: Any, instance: Any) -> bool:
    return isinstance(instance, dict) or type(instance) is EmptyTable


@lru_cache(maxsize=128)
def _compile(schema_text: str) -> Any:
    """A validator for a schema given as JSON text. Raises ValueError."""
    # (imported on first use: ~0.1 s a process that never validates does not pay)
    import jsonschema  # type: ignore[import-untyped]
    import jsonschema.exceptions  # type: ignore[import-untyped]
    import jsonschema.validators  # type: ignore[import-untyped]

    schema = json.loads(schema_text)
    if not isinstance(schema, dict | bool):
        raise ValueError(f"a schema must be an object or a boolean, not {type(schema).__name__}")
    base = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        base.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        raise ValueError(f"{e.message} (at {_pointer(e.absolute_path) or '(root)'})") from None
    cls = jsonschema.validators.extend(base, type_checker=base.TYPE_CHECKER.redefine("object", _is_object))
    return cls(schema, format_checker=base.FORMAT_CHECKER)


def _pointer(path: Any) -> str:
    """A JSON Pointer (RFC 6901; array indices from 0); the root is ""."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _validator(schema: Any, error_mt: Any) -> tuple[Any, dict[str, Any] | None]:
    if schema is None:
        return failure("Invalid", "schema is required")
    try:
        if type(schema) is str:
            text = schema
        elif type(schema) is LuaTableView:
            text = json.dumps(_schema_data(schema, error_mt), sort_keys=True, allow_nan=False)
        else:
            return failure("Invalid", f"schema must be a string or a table, got {arg_type(schema)}")
        return _compile(text), None
    except EncodeError as e:
        return failure("Invalid", f"schema error: {e}")
    except (ValueError, RecursionError) as e:
        return failure("Invalid", f"compile schema: {e}")


_MAX_REPORTED = 20


def _check(validator: Any, data: Any) -> tuple[bool, dict[str, Any] | None]:
    try:
        errs = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    except Exception as e:  # noqa: BLE001 - a schema that fails only when used: a bad pattern, an unresolvable or looping $ref
        msg = str(e).splitlines()[0] if str(e) else ""
        return False, failure("Invalid", f"validation error: {type(e).__name__.lstrip('_')}: {msg}")[1]
    if not errs:
        return True, None
    listed = [{"path": _pointer(e.absolute_path), "message": e.message} for e in errs[:_MAX_REPORTED]]
    text = "; ".join(f"{x['path'] or '(root)'}: {x['message']}" for x in listed)
    if len(errs) > _MAX_REPORTED:
        text += f"; ... ({len(errs) - _MAX_REPORTED} more)"
    _, err = failure("Invalid", f"validation failed: {text}", {"errors": listed})
    return False, err


def validate(schema: Any, data: Any = None, error_mt: Any = None) -> tuple[bool, dict[str, Any] | None]:
    if schema is not None and data is None:
        return False, failure("Invalid", "data is required")[1]
    validator, err = _validator(schema, error_mt)
    if err is not None:
        return False, err
    try:
        plain = lua_to_data(data, error_mt=error_mt, empty=EmptyTable)
    except EncodeError as e:
        return False, failure("Invalid", f"convert data: {e}")[1]
    return _check(validator, plain)


def validate_string(schema: Any, s: Any = None, error_mt: Any = None) -> tuple[bool, dict[str, Any] | None]:
    validator, err = _validator(schema, error_mt)
    if err is not None:
        return False, err
    if type(s) is not str:
        return False, failure("Invalid", f"data must be a JSON string, got {arg_type(s)}")[1]
    try:
        data = loads(s)
    except ValueError as e:
        return False, failure("Invalid", f"validation failed: invalid JSON: {e}")[1]
    return _check(validator, data)


def arg_type(v: Any) -> str:
    if v is None:
        return "nil"
    t = type(v)
    if t is bool:
        return "boolean"
    if t is int or t is float:
        return "number"
    if t is str:
        return "string"
    if t is LuaTableView:
        return "table"
    return _lua_type(v)


LUA = """
local P, W = ...
local S = W.state
local p_decode = P.decode
local p_encode = P.encode
local p_validate = P.validate
local p_validate_string = P.validate_string
local w_error = W.error
local mkerr = w_error
local json = {}

function json.encode(v)
  local s, e = p_encode(v, S().Error)
  if e then return nil, mkerr(e) end
  return s
end

function json.decode(s)
  local v, e = p_decode(s)
  if e then return nil, mkerr(e) end
  return v
end

function json.validate(schema, data)
  local ok, e = p_validate(schema, data, S().Error)
  if e then return false, mkerr(e) end
  return ok
end

function json.validate_string(schema, s)
  local ok, e = p_validate_string(schema, s, S().Error)
  if e then return false, mkerr(e) end
  return ok
end

return json
"""

MODULE = Module(
    name="json",
    lua=LUA,
    primitives={"encode": encode, "decode": decode, "validate": validate, "validate_string": validate_string},
    workflow_safe=True,
)

__all__ = ["MODULE", "lua_to_data", "dumps", "loads", "arg_type", "utf8_safe", "EncodeError", "EmptyTable", "MAX_DEPTH"]
