"""The global `errors` library (wippy/lua/errors.lua) as user code sees it."""

from __future__ import annotations

from typing import Any

import pytest

from wippy.testing import run_lua


def lua(src: str, *args: Any, modules: tuple[str, ...] = ()) -> Any:
    out = run_lua(src, *args, modules=modules)
    assert out.ok, (out.error, out.traceback)
    return out.value


KINDS = {
    "NOT_FOUND": "NotFound", "ALREADY_EXISTS": "AlreadyExists", "INVALID": "Invalid",
    "PERMISSION_DENIED": "PermissionDenied", "UNAVAILABLE": "Unavailable", "INTERNAL": "Internal",
    "CANCELED": "Canceled", "CONFLICT": "Conflict", "TIMEOUT": "Timeout", "RATE_LIMITED": "RateLimited",
    "UNKNOWN": "",
}


def test_kind_constants() -> None:
    got = lua("local t = {} for k, v in pairs(errors) do if type(v) == 'string' then t[k] = v end end return t")
    assert got == KINDS


def test_new_from_string() -> None:
    got = lua("""
        local e = errors.new("something went wrong")
        return {kind = e:kind(), message = e:message(), retryable = e:retryable() == nil,
                details = e:details() == nil, str = tostring(e), t = type(e),
                is_unknown = errors.is(e, errors.UNKNOWN)}
    """)
    assert got == {"kind": "", "message": "something went wrong", "retryable": True, "details": True,
                   "str": "something went wrong", "t": "table", "is_unknown": True}


def test_new_from_table() -> None:
    got = lua("""
        local e = errors.new({message = "user not found", kind = errors.NOT_FOUND, retryable = false,
                              details = {user_id = 123, tags = {"a", "b"}}})
        local d = e:details()
        return {e:kind(), e:message(), e:retryable(), d.user_id, d.tags[2], tostring(e)}
    """)
    assert got == ["NotFound", "user not found", False, 123, "b", "user not found"]


def test_new_table_ignores_badly_typed_optional_fields() -> None:
    got = lua("""
        local e = errors.new({message = "m", kind = 42, retryable = "yes", details = "x"})
        return {kind = e:kind(), retryable = e:retryable() == nil, details = e:details() == nil}
    """)
    assert got == {"kind": "", "retryable": True, "details": True}


def test_new_empty_details_is_nil() -> None:
    assert lua("return errors.new({message = 'm', details = {}}):details() == nil") is True


def test_new_retryable_true() -> None:
    assert lua("return errors.new({message = 'm', kind = errors.TIMEOUT, retryable = true}):retryable()") is True


@pytest.mark.parametrize("arg, fragment", [
    ("{kind = 'Invalid'}", "message field is required"),
    ("{message = 12}", "message must be a string"),
    ("12", "expected string or table, got number"),
    ("nil", "expected string or table, got nil"),
    ("true", "expected string or table, got boolean"),
])
def test_new_bad_arguments_raise_invalid(arg: str, fragment: str) -> None:
    got = lua(f"""
        local ok, e = pcall(errors.new, {arg})
        return {{ok = ok, kind = e:kind(), msg = e:message(), is = errors.is(e, errors.INVALID)}}
    """)
    assert got["ok"] is False and got["kind"] == "Invalid" and got["is"] is True
    assert fragment in got["msg"] and "bad argument #1 to 'new'" in got["msg"]


def test_new_of_an_error_is_that_error() -> None:
    assert lua("local e = errors.new('x') return rawequal(errors.new(e), e)") is True


def test_wrap_keeps_kind_retryable_details_and_cause() -> None:
    got = lua("""
        local base = errors.new({message = "connection refused", kind = errors.UNAVAILABLE,
                                 retryable = true, details = {host = "db"}})
        local w = errors.wrap(base, "failed to load users")
        local ww = errors.wrap(w, "request failed")
        return {w:message(), w:kind(), w:retryable(), w:details().host, rawequal(w:unwrap(), base),
                rawequal(errors.unwrap(w), base), ww:message(), ww:kind(), tostring(ww),
                errors.is(ww, errors.UNAVAILABLE), errors.is(ww, errors.INVALID)}
    """)
    assert got == ["failed to load users: connection refused", "Unavailable", True, "db", True, True,
                   "request failed: failed to load users: connection refused", "Unavailable",
                   "request failed: failed to load users: connection refused", True, False]


def test_wrap_of_string_and_nil_and_error_context() -> None:
    got = lua("""
        local w = errors.wrap("disk full", "save")
        local c = errors.wrap(errors.new("inner"), errors.new("outer ctx"))
        return {w:message(), w:kind(), errors.wrap(nil, "ctx") == nil, c:message(),
                rawequal(errors.wrap(w), w), w:unwrap():message()}
    """)
    assert got == ["save: disk full", "", True, "outer ctx: inner", True, "disk full"]


def test_is_with_error_value_and_non_errors() -> None:
    got = lua("""
        local a = errors.new({message = "a", kind = errors.CONFLICT})
        local w = errors.wrap(a, "ctx")
        return {errors.is(w, a), errors.is(a, w), errors.is("plain", errors.CONFLICT),
                errors.is(nil, errors.UNKNOWN), errors.is(a, errors.CONFLICT)}
    """)
    assert got == [True, False, False, False, True]


def test_kind_and_unwrap_functions() -> None:
    got = lua("""
        local e = errors.new({message = "m", kind = errors.TIMEOUT})
        return {errors.kind(e), errors.kind("x") == nil, errors.unwrap(e) == nil, errors.unwrap("x") == nil}
    """)
    assert got == ["Timeout", True, True, True]


def test_stack_is_where_the_error_was_made() -> None:
    got = lua("""
        local function make_it()
          local e = errors.new("boom")
          return e
        end
        local e = make_it()
        return {e:stack(), errors.new({message = "t"}):stack()}
    """)
    stack, stack2 = got
    assert stack.startswith("stack traceback:")
    assert "test:3:" in stack and "make_it" in stack and "test:6:" in stack
    assert stack2.splitlines()[1].strip().startswith("test:7:")


def test_call_stack() -> None:
    got = lua("""
        local function inner() local e = errors.new("x") return e end
        local cs = errors.call_stack(inner())
        local f = cs.frames[1]
        return {thread = type(cs.thread), n = #cs.frames > 1, source = f.source, line = f.line,
                name = f.name, level = f.level, ftype = f.type,
                none = errors.call_stack("not an error") == nil}
    """)
    assert got == {"thread": "string", "n": True, "source": "test", "line": 2, "name": "inner", "level": 0,
                   "ftype": "Lua", "none": True}


def test_tostring_and_concat() -> None:
    got = lua("""
        local e = errors.new({message = "bad input", kind = errors.INVALID})
        return {tostring(e), "error: " .. e, e .. "!", string.format("%s", tostring(e))}
    """)
    assert got == ["bad input", "error: bad input", "bad input!", "bad input"]


def test_equality() -> None:
    got = lua("""
        local a = errors.new({message = "m", kind = errors.INVALID})
        local b = errors.new({message = "m", kind = errors.INVALID})
        local c = errors.new({message = "m", kind = errors.INTERNAL})
        return {a == b, a == c, a == "m"}
    """)
    assert got == [True, False, False]


def test_raised_error_object_is_caught_whole() -> None:
    got = lua("""
        local ok, e = pcall(function() error(errors.new({message = "nope", kind = errors.PERMISSION_DENIED})) end)
        return {ok, e:kind(), e:message()}
    """)
    assert got == [False, "PermissionDenied", "nope"]


def test_returned_error_fails_the_invocation_with_its_data() -> None:
    out = run_lua("""return nil, errors.new({message = "card declined", kind = errors.INVALID,
                                                retryable = false, details = {code = 7}})""")
    assert out.error == {"kind": "Invalid", "message": "card declined", "retryable": False,
                         "details": {"code": 7}}


def test_wrapped_error_fails_the_invocation_with_context() -> None:
    out = run_lua("return nil, errors.wrap(errors.new({message = 'gone', kind = errors.NOT_FOUND}), 'lookup')")
    assert out.error == {"kind": "NotFound", "message": "lookup: gone"}


def test_raised_error_object_fails_the_invocation() -> None:
    out = run_lua("error(errors.new({message = 'too slow', kind = errors.TIMEOUT, retryable = true}))")
    assert out.error == {"kind": "Timeout", "message": "too slow", "retryable": True}


def test_errors_is_global_without_require() -> None:
    assert lua("return type(errors) == 'table' and type(errors.new) == 'function'") is True
