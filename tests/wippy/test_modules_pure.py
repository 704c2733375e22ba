"""The data modules (json, yaml, base64, hash, uuid) and the invocation-reading
modules (env, ctx, logger), called from Lua as user code calls them, through the
real runtime."""

from __future__ import annotations

import asyncio
import base64 as pybase64
import hashlib
import hmac
import logging
import random
import re
import uuid as pyuuid
from typing import Any

import pytest

import luavm
from wippy.luastate import new_state
from wippy.modules import get_module
from wippy.scheduler import Invocation, Outcome, Scheduler
from wippy.testing import run_lua

# E(v, err): a call's (value, error) pair as data the test can compare
PRELUDE = """
local function E(v, e)
  if e == nil then return {ok = v} end
  return {kind = e:kind(), msg = e:message(), retryable = e:retryable(), value = v}
end
"""


def lua(src: str, *args: Any, modules: tuple[str, ...] = ()) -> Any:
    out = run_lua(PRELUDE + src, *args, modules=modules)
    assert out.ok, (out.error, out.traceback)
    return out.value


def run_with(src: str, modules: tuple[str, ...], *, cls: type[Invocation] = Invocation,
             env: dict[str, str] | None = None, ctx: dict[str, Any] | None = None,
             entry_id: str = "test:main", **attrs: Any) -> Outcome:
    """Like run_lua, with a chosen Invocation class (attributes set on the instance),
    the scheduler's environment and the invocation's context."""

    async def go() -> Outcome:
        sched = Scheduler(env=env)
        st = new_state(modules, entry_id=entry_id)
        fn = st.runtime.load(PRELUDE + src, "=test")
        inv = cls(sched, st, fn, (), entry_id=entry_id, ctx=ctx)
        for k, v in attrs.items():
            setattr(inv, k, v)
        return await sched.start(inv)

    return luavm.run_with_big_stack(lambda: asyncio.run(go()))


def value(out: Outcome) -> Any:
    assert out.ok, (out.error, out.traceback)
    return out.value


class SeededInvocation(Invocation):
    """A workflow as the uuid module sees it: a seeded generator and a frozen clock."""

    in_workflow = True
    seed = 0
    clock_ns = 1_700_000_000_123_456_789

    def random_bytes(self, n: int) -> bytes:
        rng = self.__dict__.setdefault("_rng", random.Random(self.seed))
        return rng.randbytes(n)

    def now_ns(self) -> int:
        return self.clock_ns


def J(src: str) -> Any:
    return lua(src, modules=("json",))


# json: encode --------------------------------------------------------------------------

@pytest.mark.parametrize("expr, text", [
    ('"hello"', '"hello"'),
    ("42", "42"),
    ("-7", "-7"),
    ("math.maxinteger", "9223372036854775807"),
    ("math.mininteger", "-9223372036854775808"),
    ("1.5", "1.5"),
    ("1.0", "1.0"),
    ("-0.25", "-0.25"),
    ("1e300", "1e+300"),
    ("2^53", "9007199254740992.0"),
    ("true", "true"),
    ("false", "false"),
    ("nil", "null"),
    ("0/0", "null"),
    ("1/0", "null"),
    ("-1/0", "null"),
    ("{}", "[]"),
    ("{1, 2, 3}", "[1,2,3]"),
    ('{"a", "b"}', '["a","b"]'),
    ("{1.0, 2}", "[1.0,2]"),
    ("{{}, {{}}}", "[[],[[]]]"),
    ('{name = "Alice", age = 30}', '{"name":"Alice","age":30}'),
    ('{["1"] = "x"}', '{"1":"x"}'),
    ('{x = 0/0}', '{"x":null}'),
    ('"é ü 日本 😀"', '"é ü 日本 😀"'),
    ('"q\\"b\\\\n\\n\\t\\0"', '"q\\"b\\\\n\\n\\t\\u0000"'),
    ('"bad \\xff\\xfe utf8"', '"bad \ufffd\ufffd utf8"'),
])
def test_encode(expr: str, text: str) -> None:
    assert J(f"local json = require('json') return E(json.encode({expr}))") == {"ok": text}


def test_encode_no_argument_is_null_and_keeps_key_order() -> None:
    got = J("""
        local json = require("json")
        local t = {}
        t.zeta = 1 t.alpha = 2 t.mid = 3
        return {json.encode(), json.encode(t)}
    """)
    assert got == ["null", '{"zeta":1,"alpha":2,"mid":3}']


def test_encode_nested_order_example() -> None:
    got = J("""
        local json = require("json")
        local order = {id = "ord-123", items = {{sku = "ABC", qty = 2}, {sku = "XYZ", qty = 1}}, total = 99.50}
        return json.encode(order)
    """)
    assert got == '{"id":"ord-123","items":[{"sku":"ABC","qty":2},{"sku":"XYZ","qty":1}],"total":99.5}'


def test_encode_error_object_is_its_message() -> None:
    got = J("""
        local json = require("json")
        local e = errors.wrap(errors.new({message = "gone", kind = errors.NOT_FOUND}), "lookup")
        return json.encode({err = e})
    """)
    assert got == '{"err":"lookup: gone"}'


@pytest.mark.parametrize("expr, fragment", [
    ("{1, 2, a = 3}", "both numeric and string keys"),
    ("{[1] = 1, [3] = 3}", "sparse array"),
    ("{[2] = 1}", "sparse array"),
    ("{[0] = 1}", "non-positive integer (0) key"),
    ("{[-1] = 1}", "non-positive integer (-1) key"),
    ("{[1.5] = 1}", "float (1.5) key"),
    ("{[true] = 1}", "boolean key"),
    ("{[{}] = 1}", "table key"),
    ("print", "cannot encode a function"),
    ("{f = function() end}", "cannot encode a function"),
    ("{co = coroutine.create(function() end)}", "cannot encode a thread"),
])
def test_encode_errors(expr: str, fragment: str) -> None:
    got = J(f"local json = require('json') return E(json.encode({expr}))")
    assert got["kind"] == "Internal" and got["retryable"] is False and "value" not in got
    assert fragment in got["msg"], got


def test_encode_self_reference_and_depth() -> None:
    got = J("""
        local json = require("json")
        local t = {} t.me = t
        local function nest(n) local x = {} for _ = 1, n do x = {x} end return x end
        local ok100 = json.encode(nest(100))
        return {E(json.encode(t)), E(json.encode(nest(200))), #ok100,
                E(json.encode({a = {1, 2}, b = {1, 2}}))}
    """)
    assert got[0]["kind"] == "Internal" and "contains itself" in got[0]["msg"]
    assert got[1]["kind"] == "Internal" and "nesting depth" in got[1]["msg"]
    assert got[2] == 202
    assert got[3] == {"ok": '{"a":[1,2],"b":[1,2]}'}  # a shared (not cyclic) table is fine


# json: decode --------------------------------------------------------------------------

def test_decode_values_and_number_types() -> None:
    got = J("""
        local json = require("json")
        local v = json.decode('{"i": 1, "f": 2.0, "e": 3e2, "neg": -4, "big": 123456789012345678901234,' ..
                              ' "max": 9223372036854775807, "s": "x", "t": true, "n": null}')
        return {math.type(v.i), math.type(v.f), math.type(v.e), math.type(v.neg), math.type(v.big),
                math.type(v.max), v.max == math.maxinteger, v.s, v.t, v.n == nil, v.f, v.e}
    """)
    assert got == ["integer", "float", "float", "integer", "float", "integer", True, "x", True, True, 2.0, 300.0]


def test_decode_arrays_objects_and_nesting() -> None:
    got = J("""
        local json = require("json")
        local r = json.decode([[
        {"status": "ok", "data": {"users": [{"id": 1, "name": "Alice"}, {"id": 2, "name": "Bob"}]}}
        ]])
        local items = json.decode('[10, 20, 30]')
        local holes = json.decode('[1, null, 3]')
        local keys = json.decode('{"1": "one"}')
        return {r.data.users[1].name, r.data.users[2].id, #items, items[3], holes[1], holes[2] == nil,
                holes[3], keys["1"], keys[1] == nil}
    """)
    assert got == ["Alice", 2, 3, 30, 1, True, 3, "one", True]


@pytest.mark.parametrize("text, expected", [
    ('"s"', "s"), ("42", 42), ("-1.5", -1.5), ("true", True), ("false", False),
])
def test_decode_top_level_scalars(text: str, expected: Any) -> None:
    got = J(f"local json = require('json') return E(json.decode({text!r}))")
    assert got == {"ok": expected}


def test_decode_null_is_nil_without_error() -> None:
    got = J("local json = require('json') local v, e = json.decode('null') return {v == nil, e == nil}")
    assert got == [True, True]


def test_decode_unicode() -> None:
    got = J(r"""
        local json = require("json")
        return {json.decode('"\\u00e9\\u65e5"'), json.decode('"\\ud83d\\ude00"'), json.decode('"é 😀"'),
                json.decode('"\\ud800 lone"'), #json.decode('"\\u00e9"')}
    """)
    assert got == ["é日", "😀", "é 😀", "\ufffd lone", 2]


@pytest.mark.parametrize("arg, kind, fragment", [
    ("12", "Invalid", "string expected, got number"),
    ("nil", "Invalid", "string expected, got nil"),
    ("{}", "Invalid", "string expected, got table"),
    ("''", "Invalid", "empty string"),
    ("'not valid json'", "Internal", "decode failed"),
    ("'{\"a\": }'", "Internal", "decode failed"),
    ("'[1, 2'", "Internal", "decode failed"),
    ("'NaN'", "Internal", "decode failed"),
    ("'[Infinity]'", "Internal", "decode failed"),
    ("'1 2'", "Internal", "decode failed"),
    ("string.rep('[', 200) .. string.rep(']', 200)", "Internal", "nesting depth"),
])
def test_decode_errors(arg: str, kind: str, fragment: str) -> None:
    got = J(f"local json = require('json') return E(json.decode({arg}))")
    assert got["kind"] == kind and fragment in got["msg"] and "value" not in got, got


def test_decode_depth_within_limit() -> None:
    got = J("local json = require('json') local v = json.decode(string.rep('[', 100) .. string.rep(']', 100))"
            " local d = 0 while type(v) == 'table' do d = d + 1 v = v[1] end return d")
    assert got == 100


def test_json_round_trips() -> None:
    got = J("""
        local json = require("json")
        local data = {name = "Ünïcødé ✓", n = 1, f = 1.0, g = -2.5e-8, list = {1, "two", {three = 3}, {}},
                      flags = {on = true, off = false}, deep = {a = {b = {c = {d = "e"}}}}}
        local s = json.encode(data)
        local back = json.decode(s)
        return {s == json.encode(back), math.type(back.n), math.type(back.f), back.g, back.list[3].three,
                back.deep.a.b.c.d, back.name, #back.list[4]}
    """)
    assert got == [True, "integer", "float", -2.5e-8, 3, "e", "Ünïcødé ✓", 0]


# json: schema validation ---------------------------------------------------------------

USER_SCHEMA = """{
    type = "object",
    properties = {
        name = {type = "string", minLength = 1},
        email = {type = "string", format = "email"},
        age = {type = "integer", minimum = 0, maximum = 150},
    },
    required = {"name", "email"},
}"""


def test_validate_accepts_valid_data() -> None:
    got = J(f"""
        local json = require("json")
        local schema = {USER_SCHEMA}
        return {{E(json.validate(schema, {{name = "Alice", email = "alice@example.com", age = 30}})),
                E(json.validate('{{"type":"number","minimum":0}}', 42)),
                E(json.validate({{type = "integer"}}, 3)), E(json.validate({{type = "integer"}}, 3.0))}}
    """)
    assert got == [{"ok": True}] * 4


def test_validate_failure_lists_paths() -> None:
    got = J(f"""
        local json = require("json")
        local ok, err = json.validate({USER_SCHEMA}, {{name = "", email = "not-an-email", age = 200.5}})
        local d = err:details()
        local paths = {{}}
        for i, x in ipairs(d.errors) do paths[i] = x.path end
        return {{ok = ok, kind = err:kind(), msg = err:message(), retryable = err:retryable(), paths = paths}}
    """)
    assert got["ok"] is False and got["kind"] == "Invalid" and got["retryable"] is False
    assert got["paths"] == ["/age", "/age", "/email", "/name"]
    msg = got["msg"]
    assert msg.startswith("validation failed: ")
    for fragment in ("/name:", "/email:", "/age:", "'not-an-email' is not a 'email'", "200.5 is not of type"):
        assert fragment in msg, msg


def test_validate_nested_path_and_missing_required_at_root() -> None:
    got = J("""
        local json = require("json")
        local schema = {type = "object", required = {"items"}, properties = {
            items = {type = "array", items = {type = "object", properties = {qty = {type = "integer"}}}}}}
        local _, e1 = json.validate(schema, {items = {{qty = 1}, {qty = "two"}}})
        local _, e2 = json.validate(schema, {other = 1})
        return {e1:message(), e2:message()}
    """)
    assert got[0] == "validation failed: /items/1/qty: 'two' is not of type 'integer'"
    assert got[1] == "validation failed: (root): 'items' is a required property"


def test_validate_empty_table_is_object_or_array() -> None:
    got = J("""
        local json = require("json")
        return {E(json.validate({type = "object"}, {})), E(json.validate({type = "array"}, {})),
                E(json.validate({type = "object", properties = {}, required = {}}, {a = 1})),
                E(json.validate({}, "anything")),
                E(json.validate({type = "object", required = {"a"}}, {})).kind}
    """)
    assert got == [{"ok": True}, {"ok": True}, {"ok": True}, {"ok": True}, "Invalid"]


def test_validate_enum_and_array_items() -> None:
    got = J("""
        local json = require("json")
        local schema = {type = "object", properties = {action = {type = "string", enum = {"create", "delete"}}}}
        local ok1 = json.validate(schema, {action = "create"})
        local ok2, e2 = json.validate(schema, {action = "update"})
        local ok3, e3 = json.validate({type = "array", items = {type = "string"}}, {"a", 2})
        return {ok1, ok2, e2:message(), ok3, e3:message()}
    """)
    assert got[0] is True and got[1] is False and "/action" in got[2] and "'update' is not one of" in got[2]
    assert got[3] is False and got[4] == "validation failed: /1: 2 is not of type 'string'"


@pytest.mark.parametrize("schema, data, fragment", [
    ("nil", "1", "schema is required"),
    ("{}", "nil", "data is required"),
    ("42", "1", "schema must be a string or a table, got number"),
    ("'{not json'", "1", "compile schema"),
    ("'[1, 2]'", "1", "compile schema"),
    ("{type = 'bogus'}", "1", "compile schema"),
    ("{minimum = 'x'}", "1", "compile schema"),
    ("{type = 'object', [1] = 2}", "1", "schema error"),
    ("{}", "{f = print}", "convert data: cannot encode a function"),
    ("{type = 'string', pattern = '('}", "'x'", "compile schema: '(' is not a 'regex'"),
    ("{['$ref'] = 'http://example.com/s.json'}", "'x'", "validation error: WrappedReferencingError: Unresolvable"),
])
def test_validate_bad_arguments(schema: str, data: str, fragment: str) -> None:
    got = J(f"local json = require('json') local ok, e = json.validate({schema}, {data})"
            " return {ok = ok, kind = e:kind(), msg = e:message()}")
    assert got["ok"] is False and got["kind"] == "Invalid" and fragment in got["msg"], got


def test_validate_string() -> None:
    got = J("""
        local json = require("json")
        local schema = {type = "object", properties = {action = {type = "string", enum = {"create", "update"}}},
                        required = {"action"}}
        return {E(json.validate_string(schema, '{"action":"create","data":{}}')),
                E(json.validate_string(schema, '{"data":{}}')),
                E(json.validate_string(schema, '{bad')),
                E(json.validate_string(schema, 42)),
                E(json.validate_string(nil, '{}')),
                E(json.validate_string('{"type":"object","properties":{"o":{"type":"object"}}}', '{"o":{}}'))}
    """)
    assert got[0] == {"ok": True}
    assert got[1]["kind"] == "Invalid" and "'action' is a required property" in got[1]["msg"]
    assert got[1]["value"] is False
    assert got[2]["kind"] == "Invalid" and "invalid JSON" in got[2]["msg"]
    assert got[3]["kind"] == "Invalid" and "must be a JSON string" in got[3]["msg"]
    assert got[4]["kind"] == "Invalid" and "schema is required" in got[4]["msg"]
    assert got[5] == {"ok": True}


# yaml ----------------------------------------------------------------------------------

def Y(src: str) -> Any:
    return lua(src, modules=("yaml",))


def test_yaml_encode_map_list_and_nesting() -> None:
    got = Y("""
        local yaml = require("yaml")
        local cfg = {} cfg.name = "myapp" cfg.port = 8080 cfg.debug = true cfg.ratio = 0.5
        cfg.tags = {"lua", "wippy"} cfg.db = {host = "localhost"}
        return {yaml.encode(cfg), yaml.encode({"apple", "banana"}), yaml.encode({}), yaml.encode({x = 1.0})}
    """)
    assert got[0] == ("name: myapp\nport: 8080\ndebug: true\nratio: 0.5\ntags:\n- lua\n- wippy\n"
                      "db:\n  host: localhost\n")
    assert got[1] == "- apple\n- banana\n"
    assert got[2] == "[]\n"
    assert got[3] == "x: 1.0\n"


def test_yaml_encode_field_order_and_sorting() -> None:
    got = Y("""
        local yaml = require("yaml")
        local e = {} e.zebra = 1 e.alpha = 2 e.name = "test" e.kind = "demo" e.sub = {b = 1, a = 2, name = 3}
        return {yaml.encode(e, {field_order = {"name", "kind"}, sort_unordered = true}),
                yaml.encode(e, {sort_unordered = true}),
                yaml.encode(e, {field_order = {"kind"}})}
    """)
    assert got[0] == "name: test\nkind: demo\nalpha: 2\nsub:\n  name: 3\n  a: 2\n  b: 1\nzebra: 1\n"
    assert got[1] == "alpha: 2\nkind: demo\nname: test\nsub:\n  a: 2\n  b: 1\n  name: 3\nzebra: 1\n"
    assert got[2].startswith("kind: demo\nzebra: 1\nalpha: 2\nname: test\n")


def test_yaml_encode_quotes_ambiguous_strings_and_keeps_unicode() -> None:
    got = Y("""
        local yaml = require("yaml")
        local t = yaml.decode(yaml.encode({a = "yes", b = "123", c = "null", d = "é 日本", e = "x: y", f = ""}))
        return {t.a, t.b, t.c, t.d, t.e, t.f}
    """)
    assert got == ["yes", "123", "null", "é 日本", "x: y", ""]


@pytest.mark.parametrize("expr, kind, fragment", [
    ("'x'", "Invalid", "table expected, got string"),
    ("nil", "Invalid", "table expected, got nil"),
    ("42", "Invalid", "table expected, got number"),
    ("{1, a = 2}", "Internal", "both numeric and string keys"),
    ("{f = print}", "Internal", "cannot encode a function"),
])
def test_yaml_encode_errors(expr: str, kind: str, fragment: str) -> None:
    got = Y(f"local yaml = require('yaml') return E(yaml.encode({expr}))")
    assert got["kind"] == kind and fragment in got["msg"], got


def test_yaml_decode_types() -> None:
    got = Y("""
        local yaml = require("yaml")
        local data = yaml.decode([[
name: test
count: 42
ratio: 3.14
enabled: true
nothing: null
when: 2024-01-02
at: 2024-01-02T03:04:05Z
tags:
  - lua
  - wippy
server:
  host: localhost
  port: 8080
1: one
]])
        return {data.name, math.type(data.count), data.ratio, data.enabled, data.nothing == nil, data.when,
                data.at, data.tags[2], #data.tags, data.server.port, data[1]}
    """)
    assert got == ["test", "integer", 3.14, True, True, "2024-01-02", "2024-01-02T03:04:05+00:00", "wippy", 2,
                   8080, "one"]


def test_yaml_decode_reads_untyped_values_as_wippy_does() -> None:
    # YAML 1.2 booleans (Go's yaml.v3): yes/no/on/off and 1:20 are strings; strings that
    # any YAML reader could take for something else are quoted on the way out
    got = Y("""
        local yaml = require("yaml")
        local d = yaml.decode("a: yes\\nb: off\\nc: 1:20\\nd: 1e5\\ne: True\\nf: 0x1F\\ng: .5\\nh: -.inf\\n")
        local strs = {"yes", "1e5", "1:20", "true", "0x1F", "on", "~", "null", "12", "1.5", ".nan"}
        local same = true
        for _, s in ipairs(strs) do
          if yaml.decode(yaml.encode({s}))[1] ~= s then same = false end
        end
        return {d.a, d.b, d.c, d.d, d.e, d.f, d.g, tostring(d.h), same}
    """)
    assert got == ["yes", "off", "1:20", 100000.0, True, 31, 0.5, "-inf", True]


def test_yaml_decode_scalars_anchors_and_multiple_documents() -> None:
    got = Y("""
        local yaml = require("yaml")
        local a = yaml.decode("base: &b {x: 1}\\ncopy: *b\\n")
        a.copy.x = 2
        return {yaml.decode("42"), yaml.decode("hello"), yaml.decode("a: 1\\n---\\na: 2\\n").a, a.base.x,
                yaml.decode("# only a comment\\n") == nil, yaml.decode("[1, 2.5]")[2]}
    """)
    assert got == [42, "hello", 1, 1, True, 2.5]


@pytest.mark.parametrize("arg, kind, fragment", [
    ("''", "Invalid", "input cannot be empty"),
    ("42", "Invalid", "string expected, got number"),
    ("nil", "Invalid", "string expected, got nil"),
    ("'a: [1, 2'", "Internal", "decode failed"),
    ("'a: b: c'", "Internal", "decode failed"),
    ("'!!python/object:os.system {}'", "Internal", "decode failed"),
    ("string.rep('[', 200) .. string.rep(']', 200)", "Internal", "decode failed"),
])
def test_yaml_decode_errors(arg: str, kind: str, fragment: str) -> None:
    got = Y(f"local yaml = require('yaml') return E(yaml.decode({arg}))")
    assert got["kind"] == kind and fragment in got["msg"], got


def test_yaml_strings_that_are_not_utf8() -> None:
    got = Y("""
        local yaml = require("yaml")
        local s = yaml.encode({a = "bad \\xff byte"})
        return {s, yaml.decode(s).a, E(yaml.decode("a: \\xff")).msg}
    """)
    assert got == ["a: bad \ufffd byte\n", "bad \ufffd byte", "decode failed: input is not valid UTF-8"]


def test_yaml_decode_alias_bomb_is_an_error() -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\\n'
    prev = "a"
    for name in "bcdefghij":
        bomb += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\\n"
        prev = name
    got = Y(f"local yaml = require('yaml') return E(yaml.decode('{bomb}'))")
    assert got["kind"] == "Internal" and "too large" in got["msg"]


def test_yaml_round_trip() -> None:
    got = Y("""
        local yaml = require("yaml")
        local data = {name = "Ünïcødé", n = 1, f = 1.0, list = {1, "two", {three = 3}}, flags = {on = true}}
        local back = yaml.decode(yaml.encode(data))
        return {back.name, math.type(back.n), math.type(back.f), back.list[3].three, back.flags.on,
                yaml.encode(back) == yaml.encode(data)}
    """)
    assert got == ["Ünïcødé", "integer", "float", 3, True, True]


# base64 --------------------------------------------------------------------------------

def B(src: str) -> Any:
    return lua(src, modules=("base64",))


def test_base64_encode_decode() -> None:
    got = B("""
        local b64 = require("base64")
        return {b64.encode("Hello, World!"), b64.decode("SGVsbG8sIFdvcmxkIQ=="), b64.encode(""), b64.decode(""),
                b64.encode("username:password"), b64.decode("SGVs\\r\\nbG8="), b64.encode("é")}
    """)
    assert got == ["SGVsbG8sIFdvcmxkIQ==", "Hello, World!", "", "", "dXNlcm5hbWU6cGFzc3dvcmQ=", "Hello",
                   pybase64.b64encode("é".encode()).decode()]


def test_base64_binary_round_trip() -> None:
    got = B("""
        local b64 = require("base64")
        local bytes = {} for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
        local s = table.concat(bytes)
        local enc = b64.encode(s)
        return {enc, b64.decode(enc) == s, #b64.decode(enc)}
    """)
    assert got[0] == pybase64.b64encode(bytes(range(256))).decode()
    assert got[1:] == [True, 256]


@pytest.mark.parametrize("call, fragment", [
    ("encode(42)", "string expected, got number"),
    ("encode(nil)", "string expected, got nil"),
    ("decode({})", "string expected, got table"),
    ("decode('!!!!')", "illegal base64"),
    ("decode('SGVsbG8')", "illegal base64"),
    ("decode('SGVsbG8=x')", "illegal base64"),
    ("decode('SGV sbG8=')", "illegal base64"),
    ("decode('SGVsbG8-')", "illegal base64"),
])
def test_base64_errors(call: str, fragment: str) -> None:
    got = B(f"local b64 = require('base64') return E(b64.{call})")
    assert got["kind"] == "Invalid" and fragment in got["msg"] and "value" not in got, got


# hash ----------------------------------------------------------------------------------

def H(src: str) -> Any:
    return lua(src, modules=("hash",))


def test_hash_digests() -> None:
    got = H("""
        local hash = require("hash")
        return {hash.md5("data"), hash.sha1("data"), hash.sha256("data"), hash.sha512("data"), hash.sha256(""),
                #hash.md5("data", true), #hash.sha1("data", true), #hash.sha256("data", true),
                #hash.sha512("data", true), hash.md5("x", false)}
    """)
    d = b"data"
    assert got == [hashlib.md5(d).hexdigest(), hashlib.sha1(d).hexdigest(), hashlib.sha256(d).hexdigest(),
                   hashlib.sha512(d).hexdigest(), hashlib.sha256(b"").hexdigest(), 16, 20, 32, 64,
                   hashlib.md5(b"x").hexdigest()]


def test_hash_raw_is_the_digest_bytes_and_binary_input_is_exact() -> None:
    got = H("""
        local hash = require("hash")
        local raw = hash.sha256("data", true)
        local hex = raw:gsub(".", function(c) return string.format("%02x", c:byte()) end)
        return {hex, hash.sha256("\\0\\255\\128é")}
    """)
    assert got == [hashlib.sha256(b"data").hexdigest(), hashlib.sha256(b"\x00\xff\x80" + "é".encode()).hexdigest()]


def test_hmac() -> None:
    got = H("""
        local hash = require("hash")
        return {hash.hmac_md5("message", "secret"), hash.hmac_sha1("message", "secret"),
                hash.hmac_sha256("message", "secret"), hash.hmac_sha512("message", "secret"),
                #hash.hmac_sha256("message", "secret", true), hash.hmac_sha256("", "")}
    """)
    k, m = b"secret", b"message"
    assert got == [hmac.new(k, m, "md5").hexdigest(), hmac.new(k, m, "sha1").hexdigest(),
                   hmac.new(k, m, "sha256").hexdigest(), hmac.new(k, m, "sha512").hexdigest(), 32,
                   hmac.new(b"", b"", "sha256").hexdigest()]


def test_fnv() -> None:
    # FNV-1 (not 1a) test vectors: "" is the offset basis; "a" from the FNV reference
    got = H("""
        local hash = require("hash")
        return {hash.fnv32(""), hash.fnv32("a"), math.type(hash.fnv32("a")),
                string.format("%x", hash.fnv64("")), string.format("%x", hash.fnv64("a")),
                math.type(hash.fnv64("a")), hash.fnv32("data") == hash.fnv32("data")}
    """)
    assert got == [2166136261, 0x050C5D7E, "integer", "cbf29ce484222325", "af63bd4c8601b7be", "integer", True]


@pytest.mark.parametrize("call, fragment", [
    ("md5(42)", "data must be a string, got number"),
    ("sha1(nil)", "data must be a string, got nil"),
    ("sha256({})", "data must be a string, got table"),
    ("sha512(true)", "data must be a string, got boolean"),
    ("hmac_sha256('m', nil)", "secret must be a string, got nil"),
    ("hmac_md5(1, 'k')", "data must be a string"),
    ("fnv32(1)", "data must be a string"),
    ("fnv64(nil)", "data must be a string"),
])
def test_hash_errors(call: str, fragment: str) -> None:
    got = H(f"local hash = require('hash') return E(hash.{call})")
    assert got["kind"] == "Invalid" and fragment in got["msg"], got


# uuid ----------------------------------------------------------------------------------

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def U(src: str) -> Any:
    return lua(src, modules=("uuid",))


def test_uuid_v4() -> None:
    got = U("""
        local uuid = require("uuid")
        local ids, seen, dup = {}, {}, false
        for i = 1, 200 do
          local id = uuid.v4()
          if seen[id] then dup = true end
          seen[id] = true
          ids[i] = id
        end
        local id, err = uuid.v4()
        return {ids = ids, dup = dup, err = err == nil, v = uuid.version(id), var = uuid.variant(id),
                valid = uuid.validate(id)}
    """)
    assert not got["dup"] and got["err"] and got["v"] == 4 and got["var"] == "RFC4122" and got["valid"]
    for s in got["ids"]:
        m = UUID_RE.match(s)
        assert m and m.group(1) == "4", s
        assert pyuuid.UUID(s).version == 4


def test_uuid_v7_is_time_ordered() -> None:
    got = U("""
        local uuid = require("uuid")
        local prev, increasing = "", true
        local ids = {}
        for i = 1, 300 do
          local id = uuid.v7()
          if id <= prev then increasing = false end
          prev = id
          ids[i] = id
        end
        local info = uuid.parse(prev)
        return {ids = ids, increasing = increasing, version = info.version, ts = info.timestamp, now = os.time(),
                variant = info.variant, tstype = math.type(info.timestamp)}
    """)
    assert got["increasing"] and got["version"] == 7 and got["variant"] == "RFC4122"
    assert got["tstype"] == "integer" and abs(got["ts"] - got["now"]) <= 2
    for s in got["ids"]:
        m = UUID_RE.match(s)
        assert m and m.group(1) == "7", s


def test_uuid_v1() -> None:
    got = U("""
        local uuid = require("uuid")
        local id = uuid.v1()
        local info = uuid.parse(id)
        return {id = id, version = info.version, ts = info.timestamp, now = os.time(), node = info.node,
                other = uuid.v1() ~= id}
    """)
    u = pyuuid.UUID(got["id"])
    assert u.version == 1 and got["version"] == 1 and got["other"]
    assert abs(got["ts"] - got["now"]) <= 2 and abs(u.time // 10_000_000 - 12219292800 - got["now"]) <= 2
    assert re.fullmatch(r"[0-9a-f]{12}", got["node"]) and int(got["node"][:2], 16) & 1  # random node: multicast


def test_uuid_v3_v5_match_rfc() -> None:
    url_ns, dns_ns = str(pyuuid.NAMESPACE_URL), str(pyuuid.NAMESPACE_DNS)
    got = U(f"""
        local uuid = require("uuid")
        return {{uuid.v5("{url_ns}", "https://example.com/resource"), uuid.v3("{dns_ns}", "python.org"),
                uuid.v5("{url_ns.upper()}", "é"), uuid.v3("{{{dns_ns}}}", "")}}
    """)
    assert got == [str(pyuuid.uuid5(pyuuid.NAMESPACE_URL, "https://example.com/resource")),
                   "6fa459ea-ee8a-3ca4-894e-db77e160355e", str(pyuuid.uuid5(pyuuid.NAMESPACE_URL, "é")),
                   str(pyuuid.uuid3(pyuuid.NAMESPACE_DNS, ""))]


@pytest.mark.parametrize("call, fragment", [
    ("v3('not-a-uuid', 'x')", "invalid namespace UUID"),
    ("v5(nil, 'x')", "namespace and name must be strings"),
    ("v5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 12)", "namespace and name must be strings"),
    ("version('nope')", "invalid UUID format"),
    ("version(12)", "input must be a string, got number"),
    ("variant(nil)", "input must be a string, got nil"),
    ("parse('6ba7b811-9dad-11d1-80b4-00c04fd430c')", "invalid UUID format"),
    ("format('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'weird')", "unsupported format"),
    ("format({}, 'urn')", "input must be a string"),
])
def test_uuid_errors(call: str, fragment: str) -> None:
    got = U(f"local uuid = require('uuid') return E(uuid.{call})")
    assert got["kind"] == "Invalid" and fragment in got["msg"] and "value" not in got, got


def test_uuid_validate_forms() -> None:
    got = U("""
        local uuid = require("uuid")
        local s = "6ba7b811-9dad-11d1-80b4-00c04fd430c8"
        return {uuid.validate(s), uuid.validate(s:upper()), uuid.validate("{" .. s .. "}"),
                uuid.validate("urn:uuid:" .. s), uuid.validate("URN:UUID:" .. s), uuid.validate((s:gsub("-", ""))),
                uuid.validate(s .. "0"), uuid.validate(s:sub(2)), uuid.validate("6ba7b811x9dad-11d1-80b4-00c04fd430c8"),
                uuid.validate("gba7b811-9dad-11d1-80b4-00c04fd430c8"), uuid.validate(""), uuid.validate(12),
                uuid.validate(nil), uuid.validate({}), uuid.validate("(" .. s .. ")")}
    """)
    assert got == [True, True, True, True, True, True, False, False, False, False, False, False, False, False,
                   False]


def test_uuid_version_variant_parse_format() -> None:
    got = U("""
        local uuid = require("uuid")
        local s = "6BA7B811-9DAD-11D1-80B4-00C04FD430C8"
        local p = uuid.parse(s)
        local n = uuid.parse("00000000-0000-0000-0000-000000000000")
        return {uuid.version(s), uuid.variant(s), p.version, p.variant, p.timestamp, p.node,
                uuid.format(s), uuid.format(s, "simple"), uuid.format(s, "urn"), uuid.format(s, 42),
                n.version, n.variant, n.timestamp == nil, uuid.variant("6ba7b811-9dad-11d1-c0b4-00c04fd430c8"),
                uuid.variant("6ba7b811-9dad-11d1-e0b4-00c04fd430c8"), math.type(uuid.version(s))}
    """)
    u = pyuuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
    assert got == [1, "RFC4122", 1, "RFC4122", (u.time - 0x01B21DD213814000) // 10_000_000, "00c04fd430c8",
                   str(u), u.hex, "urn:uuid:" + str(u), str(u), 0, "Reserved", True, "Microsoft", "Future",
                   "integer"]


WF_UUIDS = """
local uuid = require("uuid")
local out = {}
for i = 1, 3 do out[#out + 1] = uuid.v4() end
for i = 1, 3 do out[#out + 1] = uuid.v7() end
out[#out + 1] = uuid.v1()
out[#out + 1] = uuid.parse(out[4]).timestamp
return out
"""


def test_uuid_in_a_workflow_is_deterministic() -> None:
    a = value(run_with(WF_UUIDS, ("uuid",), cls=SeededInvocation, seed=1))
    b = value(run_with(WF_UUIDS, ("uuid",), cls=SeededInvocation, seed=1))
    c = value(run_with(WF_UUIDS, ("uuid",), cls=SeededInvocation, seed=2))
    assert a == b
    assert a[:3] != c[:3] and len(set(a[:7])) == 7
    # v7 takes the workflow clock (frozen here) and still increases
    assert a[3] < a[4] < a[5] and a[7] == SeededInvocation.clock_ns // 10**9
    assert pyuuid.UUID(a[3]).bytes[:6] == (SeededInvocation.clock_ns // 10**6).to_bytes(6, "big")
    u1 = pyuuid.UUID(a[6])
    assert u1.version == 1 and u1.time == SeededInvocation.clock_ns // 100 + 0x01B21DD213814000


# env -----------------------------------------------------------------------------------

def test_env_get_and_get_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIPPY_TEST_SECRET", "host-only")
    out = run_with("""
        local env = require("env")
        local all = env.get_all()
        return {E(env.get("DATABASE_URL")), E(env.get("PORT")), E(env.get("MISSING")),
                E(env.get("WIPPY_TEST_SECRET")), E(env.get("")), all.DATABASE_URL, all.WIPPY_TEST_SECRET == nil,
                env.get("PORT") or "8080", E(env.get(42))}
    """, ("env",), env={"DATABASE_URL": "postgres://db", "PORT": "9000", "42": "answer"})
    got = value(out)
    assert got[0] == {"ok": "postgres://db"} and got[1] == {"ok": "9000"}
    assert got[2]["kind"] == "NotFound" and "MISSING" in got[2]["msg"]
    assert got[3]["kind"] == "NotFound"  # the host's environment is never visible
    assert got[4]["kind"] == "Invalid" and "empty key" in got[4]["msg"]
    assert got[5:] == ["postgres://db", True, "9000", {"ok": "answer"}]


def test_env_set_is_refused_and_bad_keys_raise() -> None:
    out = run_with("""
        local env = require("env")
        local ok, e = env.set("APP_MODE", "production")
        local ok2, e2 = pcall(env.get, nil)
        local ok3, e3 = pcall(env.set, "K", {})
        return {ok == nil, e:kind(), e:message(), env.get("APP_MODE") == nil, ok2, e2:kind(), e2:message(),
                ok3, e3:message(), E(env.set("", "x")).kind}
    """, ("env",), env={"APP_MODE": "dev"})
    got = value(out)
    assert got[0] is True and got[1] == "PermissionDenied" and "APP_MODE" in got[2]
    assert got[3] is False  # unchanged
    assert got[4] is False and got[5] == "Invalid" and "string expected, got nil" in got[6]
    assert got[7] is False and "bad argument #2 to 'set'" in got[8]
    assert got[9] == "Invalid"


def test_env_is_not_workflow_safe_and_the_rest_are() -> None:
    for name in ("json", "yaml", "base64", "hash", "uuid", "ctx", "logger"):
        mod = get_module(name)
        assert mod is not None and mod.workflow_safe, name
    env = get_module("env")
    assert env is not None and not env.workflow_safe


# ctx -----------------------------------------------------------------------------------

def test_ctx_get_and_all() -> None:
    out = run_with("""
        local ctx = require("ctx")
        local u = ctx.get("user")
        u.id = 999  -- a copy: the context is unchanged
        local all = ctx.all()
        return {E(ctx.get("user")), E(ctx.get("tags")), E(ctx.get("missing")), E(ctx.get("")),
                all.trace, all.user.id, E(ctx.get(7))}
    """, ("ctx",), ctx={"user": {"id": 1, "name": "ada"}, "tags": ["a", "b"], "trace": "t-1", "7": "seven"})
    got = value(out)
    assert got[0] == {"ok": {"id": 1, "name": "ada"}} and got[1] == {"ok": ["a", "b"]}
    assert got[2]["kind"] == "NotFound" and got[2]["msg"] == "key not found: missing"
    assert got[3]["kind"] == "Invalid"
    assert got[4:] == ["t-1", 1, {"ok": "seven"}]


def test_ctx_empty_and_bad_key() -> None:
    got = value(run_with("""
        local ctx = require("ctx")
        local all, err = ctx.all()
        local ok, e = pcall(ctx.get, {})
        return {next(all) == nil, err == nil, ok, e:kind(), e:message()}
    """, ("ctx",)))
    assert got[:4] == [True, True, False, "Invalid"] and "string expected, got table" in got[4]


# logger --------------------------------------------------------------------------------

@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="wippy.lua")
    return caplog


def lua_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "wippy.lua"]


def test_logger_levels_fields_and_entry(records: pytest.LogCaptureFixture) -> None:
    value(run_with("""
        local logger = require("logger")
        logger:debug("d", {key = "value"})
        logger:info("user logged in", {user_id = 42, ratio = 0.5, ok = true, nested = {a = {1, 2}}, [1] = "dropped"})
        logger:warn("careful")
        logger:error("failed", {error = errors.new({message = "db down", kind = errors.UNAVAILABLE}), n = 1})
        logger.info("dot call", {x = 1})
        logger:info(123)
    """, ("logger",), entry_id="app:handler"))
    rs = lua_records(records)
    assert [(r.levelno, r.getMessage()) for r in rs] == [
        (logging.DEBUG, "d"), (logging.INFO, "user logged in"), (logging.WARNING, "careful"),
        (logging.ERROR, "failed"), (logging.INFO, "dot call"), (logging.INFO, "123")]
    assert all(r.entry == "app:handler" and r.logger == "" and r.pid for r in rs)  # type: ignore[attr-defined]
    fields = [r.fields for r in rs]  # type: ignore[attr-defined]
    assert fields[0] == {"key": "value"}
    assert fields[1] == {"user_id": 42, "ratio": 0.5, "ok": True, "nested": {"a": [1, 2]}}
    assert fields[2] == {} and fields[3] == {"error": "db down", "n": 1} and fields[4] == {"x": 1}


def test_logger_with_and_named(records: pytest.LogCaptureFixture) -> None:
    value(run_with("""
        local logger = require("logger")
        local child = logger:with({request_id = "r1", user = "ada"})
        child:info("one", {user = "bob"})
        local auth = child:named("auth")
        auth:warn("two")
        auth:named("jwt"):with({alg = "HS256"}):error("three", {f = print})
        logger:info("root again")
    """, ("logger",)))
    rs = lua_records(records)
    got = [(r.getMessage(), r.logger, r.fields) for r in rs]  # type: ignore[attr-defined]
    assert got == [
        ("one", "", {"request_id": "r1", "user": "bob"}),
        ("two", "auth", {"request_id": "r1", "user": "ada"}),
        ("three", "auth.jwt", {"request_id": "r1", "user": "ada", "alg": "HS256", "f": "function"}),
        ("root again", "", {}),
    ]


def test_logger_bad_arguments_raise_invalid(records: pytest.LogCaptureFixture) -> None:
    got = value(run_with("""
        local logger = require("logger")
        local out = {}
        for _, f in ipairs({
          function() logger:info({}) end,
          function() logger:info("m", "not a table") end,
          function() logger:with("x") end,
          function() logger:named("") end,
          function() logger:named(nil) end,
        }) do
          local ok, e = pcall(f)
          out[#out + 1] = {ok = ok, kind = e:kind(), msg = e:message()}
        end
        return out
    """, ("logger",)))
    assert all(x["ok"] is False and x["kind"] == "Invalid" for x in got)
    assert "bad argument #1 to 'info' (string expected, got table)" in got[0]["msg"]
    assert "bad argument #2 to 'info' (table expected, got string)" in got[1]["msg"]
    assert "table expected" in got[2]["msg"] and "name cannot be empty" in got[3]["msg"]
    assert "string expected, got nil" in got[4]["msg"]
    assert lua_records(records) == []


def test_logger_is_silent_while_replaying(records: pytest.LogCaptureFixture) -> None:
    src = 'local logger = require("logger") logger:info("once", {n = 1}) return true'
    assert value(run_with(src, ("logger",), cls=SeededInvocation, replaying=True)) is True
    assert lua_records(records) == []
    assert value(run_with(src, ("logger",), cls=SeededInvocation, replaying=False)) is True
    assert [r.getMessage() for r in lua_records(records)] == ["once"]


def test_logger_disabled_level_emits_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="wippy.lua")
    value(run_with('local logger = require("logger") logger:debug("x") logger:info("y") logger:warn("z")',
                   ("logger",)))
    assert [r.getMessage() for r in caplog.records if r.name == "wippy.lua"] == ["z"]


# modules must be declared ----------------------------------------------------------------

def test_require_of_undeclared_module_fails() -> None:
    out = run_lua('return require("json")')
    assert not out.ok and "not declared" in out.error["message"]  # type: ignore[index]
