"""Wippy's Lua dialect (luavm/dialect.py) and its validators (wippy/lua/types.lua).

Erasure keeps every line: annotations and casts become spaces, `type`
declarations become a call of the type hook written on their first line.
"""

from __future__ import annotations

import glob
import os
import re

import pytest

import luavm
from luavm import LuaError, LuaRuntime, erase_types
from luavm.lexer import LuaSyntaxError, prepare

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TYPES_LUA = os.path.join(ROOT, "wippy", "lua", "types.lua")


def E(src: str) -> str:
    out = erase_types(src).decode("latin-1")
    assert out.count("\n") == src.count("\n")
    return out


def blanked(src: str, out: str) -> None:
    """`out` is `src` with some characters (never a newline) made spaces."""
    assert len(out) == len(src)
    for a, b in zip(src, out):
        assert a == b or (b == " " and a != "\n"), (src, out)


def squash(s: str) -> str:
    return re.sub(r"[ \t]+", " ", s).strip()


def typed_runtime() -> LuaRuntime:
    rt = LuaRuntime(typed=True)
    with open(TYPES_LUA) as f:
        rt.globals()["__type"] = rt.execute(f.read(), chunkname="@types.lua")
    return rt


def prim(name: str) -> str:
    return f'{{k="prim", name="{name}"}}'


def ref(name: str) -> str:
    return f'{{k="ref", name="{name}", get=function() return {name} end}}'


# --- annotations --------------------------------------------------------------

@pytest.mark.parametrize("src, expected", [
    ("local a: number = 1", "local a = 1"),
    ("local a: T, b: U? = 1, 2", "local a , b = 1, 2"),
    ("local t: {[string]: number} = {}", "local t = {}"),
    ("local x: (number) -> string = tostring", "local x = tostring"),
    ("local x: (number, string?) -> (boolean, error?) = f", "local x = f"),
    ("local c: Channel<Message>", "local c"),
    ("local m: Map<string, List<number>> = {}", "local m = {}"),
    ("local m: Map<string, List<number>>= {}", "local m = {}"),
    ("local x: mod.Type = 1", "local x = 1"),
    ("local x: typeof(y.z) = 1", "local x = 1"),
    ("local x: 'a' | \"b\" | true = 'a'", "local x = 'a'"),
    ("local x: A & B = 1", "local x = 1"),
    ("local x: | A | B = 1", "local x = 1"),
    ("local f: function = print", "local f = print"),
    ("local f: function(a: number): string = tostring", "local f = tostring"),
    ("local g: <T>(T) -> T = id", "local g = id"),
    ("local x: number <const> = 5", "local x <const> = 5"),
    ("local x <close>: Res = r", "local x <close> = r"),
    ("local function dist(a: Point, b: Point): number end", "local function dist(a , b ) end"),
    ("local function f(ch: Channel<Message>, ...: any): (string, error?) return '' end",
     "local function f(ch , ... ) return '' end"),
    ("function obj:method(a: T): () end", "function obj:method(a ) end"),
    ("function a.b.c(x: {T}): ...any end", "function a.b.c(x ) end"),
    ("function f<T, U...>(x: T): T return x end", "function f (x ) return x end"),
    ("local f2 = function(a: number): number return a end", "local f2 = function(a ) return a end"),
    ("for i: number, v: string in ipairs(t) do end", "for i , v in ipairs(t) do end"),
    ("for i: integer = 1, 3 do end", "for i = 1, 3 do end"),
    ("local n = x :: number", "local n = x"),
    ("local n = f(x)::{string}", "local n = f(x)"),
    ("local s = (y as string)", "local s = (y )"),
    ("return t[1] as Point?, 2", "return t[1] , 2"),
    ("local cb: (string, (number) -> ()) -> () = nil", "local cb = nil"),
    ("if x as number < 3 then end", "if x < 3 then end"),
    ("local y = x :: integer | 3", "local y = x | 3"),
    ("local z = a as Map<string, T> < b", "local z = a < b"),
    ("return (x :: number) >> 1", "return (x ) >> 1"),
    ("local tags = out.tags :: string[]", "local tags = out.tags"),
    ("local v = d.volumes :: {host: string, mode: string?}[]?", "local v = d.volumes"),
    ("local function ask(r: {p: string?}): string?, string?\n return 1 end",
     "local function ask(r ) \n return 1 end"),
    ("local function greet<T: HasName>(obj: T): string end", "local function greet (obj ) end"),
    ("local p = t[k]! local n = (user!).name", "local p = t[k] local n = (user ).name"),
    ("f(a!, b.c!)", "f(a , b.c )"),
    ("local x: number @min(0) @max(100) = 50", "local x = 50"),
    ("local id: number @min(1) | string @min_len(1) = 1", "local id = 1"),
    ("local c = ctx as {}?", "local c = ctx"),
    ("local c = f(ctx as {a: T})", "local c = f(ctx )"),
    ("local c = (ctx as (A | B)?)", "local c = (ctx )"),
    ("local c = ctx as ((number) -> ())", "local c = ctx"),
    ("local r: {read name: string, write n: number} = {}", "local r = {}"),
])
def test_annotations_are_blanked(src: str, expected: str) -> None:
    out = E(src)
    blanked(src, out)
    assert squash(out) == squash(expected)


def test_strings_comments_numbers_untouched() -> None:
    src = ('local s: string = "a: number" -- local x: number\n'
           "local l = [[type X = {a: b}]] --[[ x :: number ]] local n = 0x1p4 :: number\n")
    out = E(src)
    assert out == ('local s         = "a: number" -- local x: number\n'
                   "local l = [[type X = {a: b}]] --[[ x :: number ]] local n = 0x1p4          \n")


def test_multiline_annotation_keeps_lines() -> None:
    src = "local function f(\n  a: {\n    x: number,\n  },\n  b: string\n): (\n  number\n)\n  return a.x\nend\n"
    out = E(src)
    blanked(src, out)
    assert squash(out.replace("\n", " ")) == "local function f( a , b ) return a.x end"


# --- type declarations ------------------------------------------------------------

def decl(name: str, desc: str, top: bool = True) -> str:
    head = "" if top else f"local {name}; "
    return f'{head}{name} = __type("{name}", {desc});'


@pytest.mark.parametrize("src, desc", [
    ("type P = number", prim("number")),
    ("type P = {x: number, y: number}",
     f'{{k="record", fields={{x={prim("number")}, y={prim("number")}}}, order={{"x", "y"}}}}'),
    ("type S = Point | string", f'{{k="union", ts={{{ref("Point")}, {prim("string")}}}}}'),
    ("type S = A & B", f'{{k="inter", ts={{{ref("A")}, {ref("B")}}}}}'),
    ("type O = string?", f'{{k="opt", t={prim("string")}}}'),
    ("type O = (A | B)?", f'{{k="opt", t={{k="union", ts={{{ref("A")}, {ref("B")}}}}}}}'),
    ("type L = {string}", f'{{k="array", t={prim("string")}}}'),
    ("type M = {[string]: any}", f'{{k="map", key={prim("string")}, value={prim("any")}}}'),
    ("type F = (number) -> string", prim("function")),
    ("type F = <T>(T) -> T", prim("function")),
    ("type C = Channel<Message>", ref("Channel")),
    ("type C = mod.Type", ref("mod.Type")),
    ("type T = typeof(x)", prim("any")),
    ("type K = \"ok\" | 'no' | false", '{k="union", ts={{k="lit", v="ok"}, {k="lit", v="no"}, {k="lit", v=false}}}'),
    ("type K = 'a\\n\"b'", '{k="lit", v="a\\010\\034b"}'),
    ("type R = {}", '{k="record", fields={}, order={}}'),
    ("type R = {end: number, [\"content-type\"]: string}",
     f'{{k="record", fields={{["end"]={prim("number")}, ["content-type"]={prim("string")}}}, '
     f'order={{"end", "content-type"}}}}'),
    ("type R = {n: number, [string]: boolean}",
     f'{{k="record", fields={{n={prim("number")}}}, order={{"n"}}, key={prim("string")}, value={prim("boolean")}}}'),
    ("type G<T> = {value: T}", f'{{k="record", fields={{value={prim("any")}}}, order={{"value"}}}}'),
    ("type G<K, V = string> = {[K]: V}", f'{{k="map", key={prim("any")}, value={prim("any")}}}'),
    ("type G<T>= {T}", f'{{k="array", t={prim("any")}}}'),
    ("export type Foo = {a: integer}", f'{{k="record", fields={{a={prim("integer")}}}, order={{"a"}}}}'),
    ("type L = string[]", f'{{k="array", t={prim("string")}}}'),
    ("type C = {timeout?: number}", f'{{k="record", fields={{timeout={{k="opt", t={prim("number")}}}}}, order={{"timeout"}}}}'),
    ("type N = number @min(-1) @pattern('a\"')", '{k="prim", name="number", checks={{"min", - 1}, {"pattern", "a\\034"}}}'),
    ("type R<T, E> =\n  {ok: true, value: T}\n  | {ok: false, error: E}",
     '{k="union", ts={{k="record", fields={ok={k="lit", v=true}, value={k="prim", name="any"}}, order={"ok", "value"}}, '
     '{k="record", fields={ok={k="lit", v=false}, error={k="prim", name="any"}}, order={"ok", "error"}}}}'),
])
def test_type_declarations(src: str, desc: str) -> None:
    name = src.split()[2 if src.startswith("export") else 1].split("<")[0]
    assert E(src) == f"local {name}; " + decl(name, desc) + "\n" * src.count("\n")


def test_all_primitives() -> None:
    for p in sorted(luavm.dialect.PRIMITIVES):
        assert E(f"type X = {p}") == "local X; " + decl("X", prim(p))


def test_multiline_declaration_and_nested_scope() -> None:
    src = ("local a = 1\n"
           "type Opt = {\n"
           "  name: string?,\n"
           "  tags: {string},\n"
           "}  local b = 2\n"
           "do\n"
           "  type Inner = number\n"
           "end\n")
    out = E(src).split("\n")
    assert out[0] == "local Opt; local a = 1"
    assert out[1].startswith('Opt = __type("Opt", {k="record", fields={name={k="opt"')
    assert out[2] == out[3] == ""
    assert out[4] == "  local b = 2"
    assert out[6] == "  " + decl("Inner", prim("number"), top=False)


def test_many_top_level_types_are_not_hoisted() -> None:
    src = "\n".join(f"type T{i} = number" for i in range(101)) + "\nreturn T100"
    out = E(src)
    assert out.startswith('local T0; T0 = __type("T0"')
    rt = LuaRuntime(typed=True)
    rt.globals()["__type"] = lambda name, desc: name
    assert rt.execute(src) == "T100"


def test_declaration_inside_function_uses_local() -> None:
    out = E("local function f()\n  type T = {x: T?}\n  return T\nend")
    assert "local T; T = __type" in out.split("\n")[1]


# --- contextual keywords stay plain Lua ------------------------------------------------

@pytest.mark.parametrize("src", [
    "local type = 1",
    "local t = {} t.type = 1 t.as = 2 t.export = 3 return t.type, t.as",
    "local v = {} if type(v) == 'table' then return type(v) end",
    "type = 5",
    "local a = type\nName = 1",
    "local type\nName = 1",
    "local export = 1 export = 2",
    "local as = 1 local x = as + as",
    "function as() end as()",
    "local t = {as = 1, type = 2; export = 3}",
    "local a = f()\nas = 2",
    "local a = f()\nas.x = 2",
    "local a = f()\nas:m()",
    "local a = f()\nas(1)",
    "local a = f()\nas {1}",
    "local a = f()\nas 'x'",
    "local f = function(x, y) as('eq') end",
    "local function g() as(1) end",
    "co(function() yield(1) as('x') end)",
    "f(1) as('x') f(x) as(y) f() as {} f() as {x} f() as 's'",
    "local x = 1, as",
    "for as, type in pairs(t) do end",
    "goto as ::as::",
    "local x <const> = 1 local y <close> = nil",
    "do goto continue end ::continue::",
    "local a = b ::lbl:: goto lbl",
    "function f() ::top:: goto top end",
    "local s = 'x' .. y:sub(1, 2) local n = t:len()",
    "local x = a < b and c > d",
    "local x = f(a) < g(b)",
])
def test_plain_lua_unchanged(src: str) -> None:
    assert E(src) == src


def test_lua_sources_in_repository_unchanged() -> None:
    # plain Lua only: the Wippy apps under examples/*/src may use the dialect
    files = [f for pat in ("tests/lua/**/*.lua", "examples/*.lua", "bench/**/*.lua")
             for f in glob.glob(os.path.join(ROOT, pat), recursive=True)]
    assert files
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        assert erase_types(data) == prepare(data, skip_shebang=False).encode("latin-1"), f


def test_plain_lua_semantics_of_contextual_keywords() -> None:
    rt = LuaRuntime(typed=True)
    assert rt.execute("""
        local type_ = type
        local t = {type = 'x'}
        t.type = t.type .. 'y'
        local as = 2
        local export = as * 3
        local n = 0
        for i = 1, 3 do
          if i == 2 then goto continue end
          n = n + i
          ::continue::
        end
        function t.as(v) return v + 1 end
        return type_(t), t.type, as, export, n, t.as(1), type(nil)
    """) == ("table", "xy", 2, 6, 4, 2, "nil")


# --- line numbers and errors --------------------------------------------------------

ANNOTATED = """type Point = {
  x: number,
  y: number,
}
local function f(p: Point,
                 q: string?): number
  return p.x + q :: number
end
return f({x = 1, y = 2}, "a")
"""


def test_runtime_error_lines_are_preserved() -> None:
    rt = typed_runtime()
    with pytest.raises(LuaError) as ei:
        rt.execute(ANNOTATED, chunkname="prog.lua")
    assert "prog.lua:7:" in str(ei.value)
    assert "attempt to add" in str(ei.value)


@pytest.mark.parametrize("src, message", [
    ("local x: = 1", "prog:1: type expected near '='"),
    ("local function f(a: ) end", "prog:1: type expected near ')'"),
    ("local x: {number", "prog:1: '}' expected near <eof>"),
    ("type X = {\n  a: number\n\nlocal y = 1", "prog:4: '}' expected (to close '{' at line 1) near 'local'"),
    ("type X<T = {T}", "prog:1: '>' expected near <eof>"),
    ("local x: (a, b) = 1", "prog:1: '->' expected near '='"),
    ("local x = y :: ?", "prog:1: type expected near '?'"),
    ("local x = (y :: {number)", "prog:1: '}' expected near ')'"),
    ("local x: 'abc", "prog:1: unfinished string near <eof>"),
    ("local x: 'abc\n", "prog:1: unfinished string near ''abc'"),
])
def test_syntax_errors(src: str, message: str) -> None:
    with pytest.raises(LuaSyntaxError) as ei:
        erase_types(src, chunkname="prog")
    assert ei.value.msg == message
    rt = LuaRuntime(typed=True)
    with pytest.raises(LuaError) as ei2:
        rt.execute(src, chunkname="prog")
    assert str(ei2.value) == message


def test_deep_type_nesting_is_a_lua_error() -> None:
    src = "local x: " + "{" * 5000 + "number" + "}" * 5000
    with pytest.raises(LuaSyntaxError, match=r"^d:1: C stack overflow near '\{'$"):
        erase_types(src, chunkname="d")


def test_lexical_error_after_annotations_is_luas() -> None:
    src = "local x: number = 1\nlocal s = 'abc\n"
    assert erase_types(src) == b"local x         = 1\nlocal s = 'abc\n"
    with pytest.raises(LuaError, match=r"^p:2: unfinished string near ''abc'$"):
        LuaRuntime(typed=True).execute(src, chunkname="p")


def test_untyped_runtime_rejects_annotations() -> None:
    with pytest.raises(LuaError, match="p:1:"):
        LuaRuntime().execute("local x: number = 1", chunkname="p")


# --- whole programs ----------------------------------------------------------------

PROGRAM = """
type Point = {x: number, y: number}
type Shape = Point | string
type Opt = {name: string?, tags: {string}, meta: {[string]: any}?}
export type Foo = {a: integer}
type Gen<T> = {value: T}
type Req = {user: User}          -- refers to a type declared below
type User = {name: string}

local function dist(a: Point, b: Point): number
  local dx: number = a.x - b.x
  return math.sqrt(dx*dx + (a.y-b.y)^2)
end

local function first<T>(xs: {T}): T?
  return xs[1]
end

local function split(s: string, ...: any): (string, number)
  return s:upper(), select("#", ...)
end

local obj = {k = 10}
function obj:add(a: number): number return self.k + a end

local total: number = 0
for i: number, v: number in ipairs({1, 2, 3}) do total = total + v end
local sq = function(a: number): number return a * a end
local f: (number) -> number = sq
local n = (f(3) :: number) + (obj:add(1) as number)
local up, cnt = split("ab", 1, 2, 3)
local ok1 = Point:is({x = 1, y = 2}) ~= nil
local _, err = Req:is({user = {name = 5}})
return dist({x = 0, y = 0}, {x = 3, y = 4}), first({"a"}), total, n, up, cnt, ok1, err,
  Shape:is("circle"), tostring(Foo)
"""


def test_whole_annotated_program() -> None:
    rt = typed_runtime()
    assert rt.execute(PROGRAM) == (
        5.0, "a", 6, 20, "AB", 3, True, "Req: field 'user': field 'name': expected string, got number",
        "circle", "type Foo")


def ask(q: str) -> object:
    return luavm.suspend(["ask", q])


def test_task_snapshot_holds_erased_source() -> None:
    rt = LuaRuntime(typed=True)
    rt.globals()["ask"] = ask
    task = rt.task("local n: number = ask('n') :: number\nlocal m: integer = ask('m')\nreturn n + m, ...",
                   7, chunkname="job.lua")
    task.run()
    assert task.request == ["ask", "n"]
    task.run(2)
    data = task.snapshot()
    restored = luavm.restore(data, functions=[ask])  # a plain runtime recompiles the chunk
    restored.run(3)
    assert restored.done and restored.result == [5, 7]


def test_eval_and_load_are_typed() -> None:
    rt = LuaRuntime(typed=True)
    assert rt.eval("(2 :: number) + 1") == 3
    fn = rt.load("local a: number = ... return a * 2")
    assert rt.call(fn, 4) == 8


# --- validators (wippy/lua/types.lua) -------------------------------------------

VALIDATION = """
type Point = {x: number, y: number}
type Shape = Point | string
type Opt = {name: string?, tags: {string}, meta: {[string]: any}?}
type Count = integer
type Status = "ok" | "error"
type Node = {v: integer, next: Node?}
type Both = {a: number} & {b: string}
type Ext = {ch: Channel<Message>, e: error}
type Rec = {n: number, [string]: boolean}
type Fn = (number) -> number
local function is(T, v) local r, e = T:is(v) return e or "ok" end
local results = {}
local function add(...) for i = 1, select("#", ...) do results[#results + 1] = (select(i, ...)) end end
add(is(Point, {x = 1, y = 2, z = "extra"}), is(Point, {x = 1, y = "a"}), is(Point, 5), is(Point, nil))
add(is(Shape, "s"), is(Shape, {x = 1, y = 1}), is(Shape, true))
add(is(Opt, {tags = {"a", "b"}}), is(Opt, {name = 1, tags = {}}), is(Opt, {tags = {"a", 2}}),
    is(Opt, {tags = {}, meta = {k = 1}}), is(Opt, {tags = {}, meta = {[1] = 1}}))
add(is(Count, 3), is(Count, 3.0), is(Count, "3"))
add(is(Status, "ok"), is(Status, "nope"))
local cyc = {v = 1} cyc.next = cyc
add(is(Node, {v = 1, next = {v = 2}}), is(Node, cyc), is(Node, {v = 1, next = {v = "x"}}))
add(is(Both, {a = 1, b = "x"}), is(Both, {a = 1}))
add(is(Ext, {ch = 1, e = "anything"}))
add(is(Rec, {n = 1, flag = true}), is(Rec, {n = 1, flag = 1}))
add(is(Fn, print), is(Fn, 1))
local p = Point({x = 3, y = 4})
add(p.x, select(2, pcall(Point, {x = "a", y = 1})))
return results
"""


def test_validators() -> None:
    rt = typed_runtime()
    got = list(rt.execute(VALIDATION, chunkname="v.lua").values())
    assert got == [
        "ok", "Point: field 'y': expected number, got string", "Point: expected table, got number",
        "Point: expected table, got nil",
        "ok", "ok", "Shape: expected Point | string, got boolean",
        "ok", "Opt: field 'name': expected string?, got number", "Opt: field 'tags': index 2: expected string, got number",
        "ok", "Opt: field 'meta': key [1]: expected string, got number",
        "ok", "Count: expected integer, got float", "Count: expected integer, got string",
        "ok", 'Status: expected "ok" | "error", got string',
        "ok", "ok", "Node: field 'next': field 'v': expected integer, got string",
        "ok", "Both: field 'b': expected string, got nil",
        "ok",
        "ok", "Rec: field 'flag': expected boolean, got number",
        "ok", "Fn: expected function, got number",
        3, "Point: field 'x': expected number, got string",
    ]


def test_validator_call_raises_at_caller_line() -> None:
    rt = typed_runtime()
    with pytest.raises(LuaError, match=r"^c\.lua:3: P: field 'x': expected number, got nil$"):
        rt.execute("type P = {x: number}\nlocal ok = P({x = 1})\nlocal bad = P({})", chunkname="c.lua")


def test_literal_mismatch_of_same_type_shows_values() -> None:
    rt = typed_runtime()
    assert rt.execute("type L = 'a'\nreturn select(2, L:is('b'))") == 'L: expected "a", got "b"'


def test_validator_checks_and_optional_fields() -> None:
    rt = typed_runtime()
    assert rt.execute("""
        type User = {
          age: number @min(0) @max(150),
          name: string @min_len(1) @pattern("^%a"),
          email?: string,
        }
        type Scores = {number @min(0)}
        local function e(T, v) return select(2, T:is(v)) or "ok" end
        return e(User, {age = 30, name = "Al"}), e(User, {age = -1, name = "Al"}),
          e(User, {age = 200, name = "Al"}), e(User, {age = 1, name = ""}),
          e(User, {age = 1, name = "1x"}), e(User, {age = 1, name = "Al", email = 5}),
          e(Scores, {1, 2, -3})
    """) == ("ok", "User: field 'age': must be >= 0, got -1", "User: field 'age': must be <= 150, got 200",
             "User: field 'name': length must be >= 1, got 0", 'User: field \'name\': must match pattern "^%a"',
             "User: field 'email': expected string?, got number", "Scores: index 3: must be >= 0, got -3")


def test_validator_reflection() -> None:
    rt = typed_runtime()
    assert rt.execute("""
        type Point = {x: number, y: integer?}
        type Status = "pending" | "done"
        type Ids = {string}
        type M = {[string]: number}
        type Alias = Point
        local names = {}
        for name, t in Point:fields() do names[#names + 1] = name .. ":" .. t:kind() end
        local vs = {}
        for v in Status:variants() do vs[#vs + 1] = tostring(v) end
        return Point:name(), Point:kind(), table.concat(names, ","), Point.y:inner():kind(),
          table.concat(vs, ","), Ids:elem():kind(), M:key():kind(), M:val():kind(), Alias:kind(),
          Point:descriptor().k, Point.x(1)
    """) == ("Point", "record", "x:number,y:optional", "integer", 'type "pending",type "done"',
             "string", "string", "number", "record", "record", 1)


def test_record_field_named_like_a_method() -> None:
    rt = typed_runtime()
    assert rt.execute("""
        type T = {is: string, name: number}
        local ok = T:is({is = "a", name = 1}) ~= nil
        local bad = select(2, T:is({is = 1, name = 1}))
        return ok, bad, T.name:kind(), tostring(T)
    """) == (True, "T: field 'is': expected string, got number", "number", "type T")


def test_forward_and_recursive_references() -> None:
    rt = typed_runtime()
    assert rt.execute("""
        type Req = {user: User}
        type User = {name: string, friends: {User}?}
        local function check()
          type Local = {req: Req}
          return select(2, Local:is({req = {user = {name = "a", friends = {{name = 1}}}}}))
        end
        return check()
    """) == "Local: field 'req': field 'user': field 'friends': index 1: field 'name': expected string, got number"
