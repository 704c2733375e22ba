"""Tests for luavm.parser: AST shapes for every construct, and lua5.4's exact
syntax error messages (compared with a live lua5.4 when one is installed)."""

from __future__ import annotations

import random
import shutil
import struct
import subprocess
import tempfile

import pytest

from luavm import syntax_tree as A
from luavm.parser import LuaSyntaxError, parse

LUA = shutil.which("lua5.4")


def chunk(src: str | bytes) -> A.Block:
    return parse(src, "x.lua").body


def stat(src: str | bytes) -> A.Node:
    [s] = chunk(src).stmts
    return s


def expr(src: str | bytes) -> A.Expr:
    """The expression of `return <src>`."""
    ret = stat(b"return " + (src.encode() if isinstance(src, str) else src))
    assert isinstance(ret, A.Return)
    return ret.exprs[0]


def sx(e: A.Node) -> str:
    """Compact s-expression of an expression, to check tree shapes."""
    if isinstance(e, A.BinOp):
        return f"({e.op} {sx(e.left)} {sx(e.right)})"
    if isinstance(e, A.UnOp):
        return f"({e.op} {sx(e.operand)})"
    if isinstance(e, A.Name):
        return e.name
    if isinstance(e, A.Number):
        return repr(e.value)
    if isinstance(e, A.String):
        return repr(e.value.decode("latin-1"))
    if isinstance(e, A.Paren):
        return f"[{sx(e.expr)}]"
    if isinstance(e, A.Index):
        return f"{sx(e.obj)}[{sx(e.key)}]"
    if isinstance(e, A.Call):
        return f"{sx(e.func)}({', '.join(sx(a) for a in e.args)})"
    if isinstance(e, A.MethodCall):
        return f"{sx(e.obj)}:{e.method}({', '.join(sx(a) for a in e.args)})"
    return type(e).__name__


def error_of(src: bytes, **kw: bool) -> str:
    with pytest.raises(LuaSyntaxError) as info:
        parse(src, "x.lua", **kw)
    return info.value.msg


# ------------------------------------------------------------------ numerals


@pytest.mark.parametrize(("text", "value"), [
    ("3", 3), ("0", 0), ("007", 7), ("3.", 3.0), (".5", 0.5), ("3.25", 3.25),
    ("1e10", 1e10), ("1E-3", 1e-3), ("2e+2", 200.0), ("1.e2", 100.0),
    ("0xff", 255), ("0XA", 10), ("0xA.8p-1", 5.25), ("0x1p4", 16.0), ("0x.8", 0.5),
    ("0x8.", 8.0), ("0x1P-2", 0.25), ("0x.1p4", 1.0), ("0x1e", 30),
    ("0x7fffffffffffffff", 2**63 - 1), ("0xffffffffffffffff", -1),
    ("0x8000000000000000", -(2**63)), ("0x10000000000000000", 0), ("0x1ffffffffffffffff", -1),
    ("9223372036854775807", 2**63 - 1), ("9223372036854775808", 9223372036854775808.0),
    ("18446744073709551616", 1.8446744073709552e19), ("1e400", float("inf")),
    ("0x1p99999", float("inf")),
])
def test_numerals(text: str, value: float) -> None:
    e = expr(text)
    assert isinstance(e, A.Number)
    assert type(e.value) is type(value)
    assert e.value == value


def test_negative_literal_stays_unop() -> None:
    e = expr("- 5")
    assert isinstance(e, A.UnOp) and e.op == "-"
    assert isinstance(e.operand, A.Number) and e.operand.value == 5


# ------------------------------------------------------------------- strings


@pytest.mark.parametrize(("src", "value"), [
    (rb"'\a\b\f\n\r\t\v\\\"\''", b"\a\b\f\n\r\t\v\\\"'"),
    (rb'"\x41\x7a\xFF"', b"Az\xff"),
    (rb'"\65\066\0671\0\255"', b"ABC1\x00\xff"),
    (b'"a\\z   \n\n  b"', b"ab"),
    (b'"a\\\nb"', b"a\nb"),
    (b'"a\\\r\nb"', b"a\nb"),
    (b'"a\\\n\rb"', b"a\nb"),
    (rb'"\u{48}\u{e9}\u{20AC}\u{10FFFF}"', "H\u00e9\u20ac\U0010ffff".encode()),
    (rb'"\u{7FFFFFFF}"', b"\xfd\xbf\xbf\xbf\xbf\xbf"),
    (rb'"\u{200000}"', b"\xf8\x88\x80\x80\x80"),
    (rb'"\u{0}\u{00000041}"', b"\x00A"),
    ('"é"'.encode(), b"\xc3\xa9"),
    (b"'\xff\x00x'", b"\xff\x00x"),
    (b"[[]]", b""),
    (b"[[\nabc]]", b"abc"),
    (b"[[\r\nabc]]", b"abc"),
    (b"[[\n\nabc]]", b"\nabc"),
    (b"[[a\r\nb\rc\n\rd]]", b"a\nb\nc\nd"),
    (b"[=[a]]b]=]", b"a]]b"),
    (b"[==[\n]=]]]==]", b"]=]]"),
    (b"[===[a]==]]===]", b"a]==]"),
    (b"[[a\\n]]", b"a\\n"),
])
def test_strings(src: bytes, value: bytes) -> None:
    e = expr(src)
    assert isinstance(e, A.String)
    assert e.value == value


def test_str_source_is_utf8() -> None:
    e = expr('"é"')
    assert isinstance(e, A.String) and e.value == b"\xc3\xa9"


def test_lines_across_long_tokens_and_comments() -> None:
    src = b"x = [[\n\n]]\n--[==[\n\n]==] y = 1\n-- c\r\nz = 'a\\\nb'\nw = 1"
    lines = [s.line for s in chunk(src).stmts]
    assert lines == [1, 6, 8, 10]


def test_shebang_and_bom() -> None:
    b = chunk(b"#!/usr/bin/lua\nx = 1")
    assert b.stmts[0].line == 2
    b = chunk(b"\xef\xbb\xbf# comment\n\nx = 1")
    assert b.stmts[0].line == 3
    assert error_of(b"#!x\nx = 1", skip_shebang=False) == "x.lua:1: unexpected symbol near '#'"


def test_comments() -> None:
    b = chunk(b"-- a\n--[[ b\n]] x = 1 --[==[ c ]==] y = 2 --[ d\n--[= e\nz = 3")
    assert [type(s) for s in b.stmts] == [A.Assign] * 3
    assert [s.line for s in b.stmts] == [3, 3, 5]


# ---------------------------------------------------------------- precedence


@pytest.mark.parametrize(("src", "tree"), [
    ("1 + 2 * 3", "(+ 1 (* 2 3))"),
    ("1 + 2 - 3", "(- (+ 1 2) 3)"),
    ("a // b % c * d / e", "(/ (* (% (// a b) c) d) e)"),
    ("2^-3", "(^ 2 (- 3))"),
    ("-2^2", "(- (^ 2 2))"),
    ("2^3^2", "(^ 2 (^ 3 2))"),
    ("-x^-y^z", "(- (^ x (- (^ y z))))"),
    ("a..b..c", "(.. a (.. b c))"),
    ("a + b .. c + d", "(.. (+ a b) (+ c d))"),
    ("not a == b", "(== (not a) b)"),
    ("not not a", "(not (not a))"),
    ("- - a", "(- (- a))"),
    ("a < b == c > d", "(> (== (< a b) c) d)"),
    ("a <= b ~= c >= d", "(>= (~= (<= a b) c) d)"),
    ("a or b and c", "(or a (and b c))"),
    ("a and b or c and d", "(or (and a b) (and c d))"),
    ("a or b or c", "(or (or a b) c)"),
    ("a == b and c", "(and (== a b) c)"),
    ("a | b ~ c & d << e .. f + g * h", "(| a (~ b (& c (<< d (.. e (+ f (* g h)))))))"),
    ("a << b >> c", "(>> (<< a b) c)"),
    ("a | b | c", "(| (| a b) c)"),
    ("~a ~ b", "(~ (~ a) b)"),
    ("#t + 1", "(+ (# t) 1)"),
    ("a .. b == c", "(== (.. a b) c)"),
    ("1 < 2 | 3", "(< 1 (| 2 3))"),
    ("-a.b^2", "(- (^ a['b'] 2))"),
    ("(a + b) * c", "(* (+ a b) c)"),
])
def test_precedence(src: str, tree: str) -> None:
    assert sx(expr(src)) == tree


def test_binop_line_is_operator_line() -> None:
    e = expr("a\n+\nb")
    assert isinstance(e, A.BinOp) and e.line == 2
    assert e.left.line == 1 and e.right.line == 3


# ---------------------------------------------------------------- statements


def test_local_and_attribs() -> None:
    s = stat("local a <const>, b <close>, c = 1, 2")
    assert isinstance(s, A.Local)
    assert s.names == ["a", "b", "c"]
    assert s.attribs == ["const", "close", None]
    assert [sx(e) for e in s.exprs] == ["1", "2"]
    s = stat("local x")
    assert isinstance(s, A.Local) and s.exprs == [] and s.attribs == [None]


def test_assign() -> None:
    s = stat("a, b.c, d[1] = 1, 2")
    assert isinstance(s, A.Assign)
    assert [sx(t) for t in s.targets] == ["a", "b['c']", "d[1]"]
    assert [sx(e) for e in s.exprs] == ["1", "2"]
    t = s.targets[1]
    assert isinstance(t, A.Index) and isinstance(t.key, A.String) and t.key.value == b"c"


def test_call_statements() -> None:
    calls = [s.call for s in chunk('f() f"s" f{1} o:m(1, 2) o:m"s" o:m{} a.b.c(x)(y)').stmts]
    assert [sx(c) for c in calls] == [
        "f()", "f('s')", "f(Table)", "o:m(1, 2)", "o:m('s')", "o:m(Table)", "a['b']['c'](x)(y)",
    ]
    assert all(isinstance(s, A.CallStat) for s in chunk("f() o:m()").stmts)


def test_call_across_newline_is_a_call() -> None:
    s = stat("a = b\n(f)()")
    assert isinstance(s, A.Assign) and sx(s.exprs[0]) == "b(f)()"
    s = stat("f\n(g)")
    assert isinstance(s, A.CallStat) and sx(s.call) == "f(g)"
    b = chunk("f()\n(g)()")
    assert len(b.stmts) == 1 and sx(b.stmts[0].call) == "f()(g)()"


def test_parens() -> None:
    assert sx(expr("(f())")) == "[f()]"
    assert sx(expr("(o:m())")) == "[o:m()]"
    assert sx(expr("(...)")) == "[Vararg]"
    assert sx(expr("((a))")) == "a"
    assert sx(expr("(a.b)")) == "a['b']"
    assert sx(expr("(1)")) == "1"
    assert sx(expr("(f())()")) == "[f()]()"
    assert sx(expr("((f()))")) == "[f()]"


def test_control_structures() -> None:
    src = """
do x = 1 end
while a do break end
repeat local y = 1 until y
if a then f() elseif b then g() elseif c then else h() end
if a then end
for i = 1, 10 do end
for i = 1, 10, 2 do end
for k, v in pairs(t), nil do end
goto done
::done::
;;
return 1, 2;
"""
    b = chunk(src)
    kinds = [type(s).__name__ for s in b.stmts]
    assert kinds == ["Do", "While", "Repeat", "If", "If", "NumFor", "NumFor", "GenFor",
                     "Goto", "Label", "Return"]
    _, wh, rep, if1, if2, nf1, nf2, gf, go, lab, ret = b.stmts
    assert isinstance(wh.body.stmts[0], A.Break)
    assert sx(rep.cond) == "y" and isinstance(rep.body.stmts[0], A.Local)
    assert [sx(t) for t, _ in if1.tests] == ["a", "b", "c"]
    assert if1.tests[2][1].stmts == [] and sx(if1.orelse.stmts[0].call) == "h()"
    assert if2.orelse is None
    assert nf1.var == "i" and nf1.step is None and sx(nf2.step) == "2"
    assert gf.names == ["k", "v"] and [sx(e) for e in gf.exprs] == ["pairs(t)", "Nil"]
    assert go.label == "done" and lab.name == "done"
    assert [sx(e) for e in ret.exprs] == ["1", "2"]


def test_return_forms() -> None:
    assert stat("return").exprs == []
    assert stat("return;").exprs == []
    assert len(stat("return f()").exprs) == 1
    f = stat("function f() return end")
    assert isinstance(f.func.body.stmts[0], A.Return)


def test_block_end_lines() -> None:
    b = chunk("if a then\n  x()\nelseif b then\n\nelse\n  y()\nend\n")
    s = b.stmts[0]
    assert [blk.end_line for _, blk in s.tests] == [3, 5]
    assert s.orelse.end_line == 7
    assert s.tests[1][1].line == 5  # an empty block takes its closing line
    assert b.end_line == 8
    r = stat("repeat\nx()\nuntil\ny")
    assert r.body.end_line == 3


def test_functions() -> None:
    s = stat("function a.b:m(x, ...)\n  return ...\nend")
    assert isinstance(s, A.FunctionStat)
    assert sx(s.target) == "a['b']['m']"
    f = s.func
    assert f.params == ["self", "x"] and f.is_vararg and f.is_method
    assert f.name == "a.b:m" and f.line == 1 and f.end_line == 3
    assert isinstance(f.body.stmts[0].exprs[0], A.Vararg)
    s = stat("function f() end")
    assert isinstance(s.target, A.Name) and s.func.name == "f" and not s.func.is_method
    s = stat("function a.b.c() end")
    assert s.func.name == "a.b.c" and s.func.params == []
    s = stat("local function g(a, b) end")
    assert isinstance(s, A.LocalFunction) and s.name == "g" and s.func.name == "g"
    assert s.func.params == ["a", "b"] and not s.func.is_vararg
    e = expr("function(...) end")
    assert isinstance(e, A.Function) and e.name == "?" and e.is_vararg and e.params == []
    e = expr("function(a,\nb)\nend")
    assert e.line == 1 and e.end_line == 3


def test_vararg_scoping() -> None:
    assert sx(expr("...")) == "Vararg"  # the main chunk is vararg
    stat("function f(...) return function(...) return ... end end")
    assert "cannot use '...'" in error_of(b"function f(...) return function() return ... end end")


def test_tables() -> None:
    e = expr("{1, x = 2, [3] = 4; f(), 'a', [k] = v,}")
    assert isinstance(e, A.Table)
    keys = [None if f.key is None else sx(f.key) for f in e.fields]
    assert keys == [None, "'x'", "3", None, None, "k"]
    assert [sx(f.value) for f in e.fields] == ["1", "2", "4", "f()", "'a'", "v"]
    assert expr("{}").fields == []
    assert len(expr("{1;}").fields) == 1


def test_lines() -> None:
    b = chunk("local t = {\n}\nt\n.a\n.b = 1\nf(\n1\n)\nobj\n:m\n(\n)\nx = a[\n1]")
    assert parse("x = 1").line == 0
    _, assign, call, mcall, idx = b.stmts
    assert assign.line == 3
    target = assign.targets[0]
    assert target.line == 5 and target.obj.line == 4  # Index: the line of '.' or '['
    # Calls carry the line where their prefix expression starts: lua 5.4 reports
    # call errors (and "to close '('") at that line, not at the '(' one.
    assert call.line == 6 and call.call.line == 6
    assert mcall.call.line == 9
    assert idx.exprs[0].line == 13
    assert sx(expr("(\nf\n)\n()")) == "f()"
    assert expr("(\nf\n)\n()").line == 1


def test_chunkname_and_chunk() -> None:
    c = parse("return", "[string \"return\"]")
    assert isinstance(c, A.Chunk) and c.chunkname == '[string "return"]' and c.line == 0
    assert error_of(b"x", ) == "x.lua:1: syntax error near <eof>"
    with pytest.raises(LuaSyntaxError) as info:
        parse("x", "(command line)")
    assert info.value.msg == "(command line):1: syntax error near <eof>"


# -------------------------------------------------------------------- errors

# (source, message) as lua 5.4.4 reports it for load(source, "=x.lua")
ERRORS: list[tuple[bytes, str]] = [
    (b'x', 'x.lua:1: syntax error near <eof>'),
    (b'x y', "x.lua:1: syntax error near 'y'"),
    (b'x = ', 'x.lua:1: unexpected symbol near <eof>'),
    (b'x = 1 +', 'x.lua:1: unexpected symbol near <eof>'),
    (b'local', 'x.lua:1: <name> expected near <eof>'),
    (b'local x <foo> = 1', "x.lua:1: unknown attribute 'foo'"),
    (b'local x <close>, y <close> = 1', 'x.lua:1: multiple to-be-closed variables in local list'),
    (b'local function', 'x.lua:1: <name> expected near <eof>'),
    (b'local function f(', "x.lua:1: <name> or '...' expected near <eof>"),
    (b'function f() x = ... end', "x.lua:1: cannot use '...' outside a vararg function near '...'"),
    (b'function', 'x.lua:1: <name> expected near <eof>'),
    (b'function a.', 'x.lua:1: <name> expected near <eof>'),
    (b'function a:b.c() end', "x.lua:1: '(' expected near '.'"),
    (b'f(', 'x.lua:1: unexpected symbol near <eof>'),
    (b'f(1,', 'x.lua:1: unexpected symbol near <eof>'),
    (b'f(1', "x.lua:1: ')' expected near <eof>"),
    (b'f(\n1', "x.lua:2: ')' expected (to close '(' at line 1) near <eof>"),
    (b'f\n(\n1', "x.lua:3: ')' expected (to close '(' at line 1) near <eof>"),
    (b'x = (1', "x.lua:1: ')' expected near <eof>"),
    (b'x = (\n1', "x.lua:2: ')' expected (to close '(' at line 1) near <eof>"),
    (b'x = {', 'x.lua:1: unexpected symbol near <eof>'),
    (b'x = {\n1,\n2', "x.lua:3: '}' expected (to close '{' at line 1) near <eof>"),
    (b'x = {1 2}', "x.lua:1: '}' expected near '2'"),
    (b'x = {[1] 2}', "x.lua:1: '=' expected near '2'"),
    (b'x = {[1 = 2}', "x.lua:1: ']' expected near '='"),
    (b'x = {a = }', "x.lua:1: unexpected symbol near '}'"),
    (b't[1', "x.lua:1: ']' expected near <eof>"),
    (b't.1', "x.lua:1: syntax error near '.1'"),
    (b't:m', 'x.lua:1: function arguments expected near <eof>'),
    (b't:m 1', "x.lua:1: function arguments expected near '1'"),
    (b't:1()', "x.lua:1: <name> expected near '1'"),
    (b'if x', "x.lua:1: 'then' expected near <eof>"),
    (b'if x then', "x.lua:1: 'end' expected near <eof>"),
    (b'if x then\nend end', "x.lua:2: <eof> expected near 'end'"),
    (b'if x then else elseif', "x.lua:1: 'end' expected near 'elseif'"),
    (b'if x y', "x.lua:1: 'then' expected near 'y'"),
    (b'while x', "x.lua:1: 'do' expected near <eof>"),
    (b'while x do', "x.lua:1: 'end' expected near <eof>"),
    (b'while true do\n\nx = 1', "x.lua:3: 'end' expected (to close 'while' at line 1) near <eof>"),
    (b'for', 'x.lua:1: <name> expected near <eof>'),
    (b'for i', "x.lua:1: '=' or 'in' expected near <eof>"),
    (b'for i = 1', "x.lua:1: ',' expected near <eof>"),
    (b'for i = 1, 2', "x.lua:1: 'do' expected near <eof>"),
    (b'for i = 1, 2 x', "x.lua:1: 'do' expected near 'x'"),
    (b'for i, j', "x.lua:1: 'in' expected near <eof>"),
    (b'for i, j in', 'x.lua:1: unexpected symbol near <eof>'),
    (b'for i, j in x', "x.lua:1: 'do' expected near <eof>"),
    (b'for 1', "x.lua:1: <name> expected near '1'"),
    (b'repeat', "x.lua:1: 'until' expected near <eof>"),
    (b'repeat\nx = 1', "x.lua:2: 'until' expected (to close 'repeat' at line 1) near <eof>"),
    (b'repeat x = 1 until', 'x.lua:1: unexpected symbol near <eof>'),
    (b'do', "x.lua:1: 'end' expected near <eof>"),
    (b'do\nx = 1', "x.lua:2: 'end' expected (to close 'do' at line 1) near <eof>"),
    (b'end', "x.lua:1: <eof> expected near 'end'"),
    (b'return 1 end', "x.lua:1: <eof> expected near 'end'"),
    (b'return 1 x', "x.lua:1: <eof> expected near 'x'"),
    (b'return return', "x.lua:1: unexpected symbol near 'return'"),
    (b'goto', 'x.lua:1: <name> expected near <eof>'),
    (b'goto 1', "x.lua:1: <name> expected near '1'"),
    (b'::a', "x.lua:1: '::' expected near <eof>"),
    (b'::1::', "x.lua:1: <name> expected near '1'"),
    (b'break x', 'x.lua:1: syntax error near <eof>'),
    (b'x = 1 =', "x.lua:1: unexpected symbol near '='"),
    (b'x, y', "x.lua:1: '=' expected near <eof>"),
    (b'x, y = ', 'x.lua:1: unexpected symbol near <eof>'),
    (b'x, f() = 1', "x.lua:1: syntax error near '='"),
    (b'f() = 1', "x.lua:1: syntax error near '='"),
    (b'(x) = 1', "x.lua:1: syntax error near '='"),
    (b'(x)', 'x.lua:1: syntax error near <eof>'),
    (b'a.b:c = 1', "x.lua:1: function arguments expected near '='"),
    (b'x = function', "x.lua:1: '(' expected near <eof>"),
    (b'x = function(', "x.lua:1: <name> or '...' expected near <eof>"),
    (b'x = function(a,', "x.lua:1: <name> or '...' expected near <eof>"),
    (b'x = function(a, 1) end', "x.lua:1: <name> or '...' expected near '1'"),
    (b'x = function(...,a) end', "x.lua:1: ')' expected near ','"),
    (b'function f(...) return function() return ... end end', "x.lua:1: cannot use '...' outside a vararg function near '...'"),
    (b'x = 3x', "x.lua:1: malformed number near '3x'"),
    (b'x = 0x', "x.lua:1: malformed number near '0x'"),
    (b'x = 1e', "x.lua:1: malformed number near '1e'"),
    (b'x = 1..2', "x.lua:1: malformed number near '1..2'"),
    (b'x = 0x1p', "x.lua:1: malformed number near '0x1p'"),
    (b'x = 3.4.5', "x.lua:1: malformed number near '3.4.5'"),
    (b'x = "abc', 'x.lua:1: unfinished string near <eof>'),
    (b'x = "abc\ny"', 'x.lua:1: unfinished string near \'"abc\''),
    (b"x = 'abc\\q'", "x.lua:1: invalid escape sequence near ''abc\\q'"),
    (b"x = '\\xZZ'", "x.lua:1: hexadecimal digit expected near ''\\xZ'"),
    (b"x = '\\x5'", "x.lua:1: hexadecimal digit expected near ''\\x5''"),
    (b"x = '\\300'", "x.lua:1: decimal escape too large near ''\\300''"),
    (b"x = '\\u{110000000}'", "x.lua:1: UTF-8 value too large near ''\\u{110000000'"),
    (b"x = '\\u{'", "x.lua:1: hexadecimal digit expected near ''\\u{''"),
    (b"x = '\\u123'", "x.lua:1: missing '{' near ''\\u1'"),
    (b"x = '\\u{12'", "x.lua:1: missing '}' near ''\\u{12''"),
    (b'x = [[abc', 'x.lua:1: unfinished long string (starting at line 1) near <eof>'),
    (b'x = [==[abc]=]', 'x.lua:1: unfinished long string (starting at line 1) near <eof>'),
    (b'x = [=abc', "x.lua:1: invalid long string delimiter near '[='"),
    (b'--[[ unfinished', 'x.lua:1: unfinished long comment (starting at line 1) near <eof>'),
    (b'--[==[\n\n unfinished ]]', 'x.lua:3: unfinished long comment (starting at line 1) near <eof>'),
    (b'x = @', "x.lua:1: unexpected symbol near '@'"),
    (b'x = $', "x.lua:1: unexpected symbol near '$'"),
    (b'x = \x80', "x.lua:1: unexpected symbol near '<\\128>'"),
    (b'x = \x00', 'x.lua:1: unexpected symbol'),
    (b'x = 1 !', "x.lua:1: unexpected symbol near '!'"),
    (b'x = a..b..', 'x.lua:1: unexpected symbol near <eof>'),
    (b'x = not', 'x.lua:1: unexpected symbol near <eof>'),
    (b'x = -', 'x.lua:1: unexpected symbol near <eof>'),
    (b'x = #', 'x.lua:1: unexpected symbol near <eof>'),
    (b'x = 2 ^', 'x.lua:1: unexpected symbol near <eof>'),
    (b'local x = 1 local', 'x.lua:1: <name> expected near <eof>'),
    (b'local x, = 1', "x.lua:1: <name> expected near '='"),
    (b'local 1', "x.lua:1: <name> expected near '1'"),
    (b'local x <const', "x.lua:1: '>' expected near <eof>"),
    (b'local x <1> = 2', "x.lua:1: <name> expected near '1'"),
    (b'x = y z', 'x.lua:1: syntax error near <eof>'),
    (b'f() g', 'x.lua:1: syntax error near <eof>'),
    (b'x.y', 'x.lua:1: syntax error near <eof>'),
    (b'x[1]', 'x.lua:1: syntax error near <eof>'),
    (b'a.b.c', 'x.lua:1: syntax error near <eof>'),
    (b"print 'a' 'b' x", 'x.lua:1: syntax error near <eof>'),
    (b'if x then return 1 x end', "x.lua:1: 'end' expected near 'x'"),
    (b'function f() return 1 2 end', "x.lua:1: 'end' expected near '2'"),
    (b'function f() local t = {...} end', "x.lua:1: cannot use '...' outside a vararg function near '...'"),
    (b'x = {,}', "x.lua:1: unexpected symbol near ','"),
    (b'x = {;}', "x.lua:1: unexpected symbol near ';'"),
    (b'x = {1,,2}', "x.lua:1: unexpected symbol near ','"),
    (b'f{}{}x', 'x.lua:1: syntax error near <eof>'),
    (b"x = 'a' .. ", 'x.lua:1: unexpected symbol near <eof>'),
    (b"x = 'unfinished\\", 'x.lua:1: unfinished string near <eof>'),
    (b"x = 'a\\z  ", 'x.lua:1: unfinished string near <eof>'),
    (b'x = 1 // ', 'x.lua:1: unexpected symbol near <eof>'),
    (b'x = a and', 'x.lua:1: unexpected symbol near <eof>'),
    (b'local function f() end f(', 'x.lua:1: unexpected symbol near <eof>'),
    (b'x = }', "x.lua:1: unexpected symbol near '}'"),
    (b'x = )', "x.lua:1: unexpected symbol near ')'"),
    (b'x = ]', "x.lua:1: unexpected symbol near ']'"),
    (b'x = ::', "x.lua:1: unexpected symbol near '::'"),
    (b'x = ;', "x.lua:1: unexpected symbol near ';'"),
    (b'x = [[\n\n]] y', 'x.lua:3: syntax error near <eof>'),
    (b"x = 1 'abc'", "x.lua:1: unexpected symbol near ''abc''"),
    (b"x = 1 'a\\0b'", "x.lua:1: unexpected symbol near ''a'"),
    (b'x = 1 [==[ab]==]', "x.lua:1: unexpected symbol near '[==[ab]==]'"),
    (b'x = 1 [[\nab]]', "x.lua:2: unexpected symbol near '[[ab]]'"),
    (b'x = 1 2', "x.lua:1: unexpected symbol near '2'"),
    (b'x = 1 0x10', "x.lua:1: unexpected symbol near '0x10'"),
    (b'x = 1 1e5', "x.lua:1: unexpected symbol near '1e5'"),
    (b'x = 1 y 2', "x.lua:1: syntax error near '2'"),
    (b'x = 1 + + 2', "x.lua:1: unexpected symbol near '+'"),
    (b'for i=1,2 do end end', "x.lua:1: <eof> expected near 'end'"),
    (b'if x then else else end', "x.lua:1: 'end' expected near 'else'"),
    (b'a = 1\n\n\nelse', "x.lua:4: <eof> expected near 'else'"),
    (b'function f()\n\n\nuntil', "x.lua:4: 'end' expected (to close 'function' at line 1) near 'until'"),
    (b'repeat\nuntil\n', 'x.lua:3: unexpected symbol near <eof>'),
    (b'x = f(\n)\n)', "x.lua:3: unexpected symbol near ')'"),
    (b'x = 1\r\n\r\ny y', "x.lua:3: syntax error near 'y'"),
    (b'x = 1\n\r\n\ry y', "x.lua:3: syntax error near 'y'"),
    (b"x = 'abc\r\ndef'", "x.lua:1: unfinished string near ''abc'"),
    (b"x = '\\u{7FFFFFFF}' y", 'x.lua:1: syntax error near <eof>'),
    (b"x = 'a\\\n\\q'", "x.lua:2: invalid escape sequence near ''a\n\\q'"),
    (b"x = 'a\\z\n\n  \\q'", "x.lua:3: invalid escape sequence near ''a\\q'"),
    (b"x = '\\9999'", "x.lua:1: decimal escape too large near ''\\9999'"),
    (b"x = '\\xg'", "x.lua:1: hexadecimal digit expected near ''\\xg'"),
    (b'local t = {\nx = 1,\ny = 2\n', "x.lua:4: '}' expected (to close '{' at line 1) near <eof>"),
    (b'f(a,\nb,\nc', "x.lua:3: ')' expected (to close '(' at line 1) near <eof>"),
    (b'x = a[\n1\n', "x.lua:3: ']' expected near <eof>"),
    (b'function f(a, b\n', "x.lua:2: ')' expected near <eof>"),
    (b'if a then\n\nelseif b\n', "x.lua:4: 'then' expected near <eof>"),
    (b'while a do\n\n', "x.lua:3: 'end' expected (to close 'while' at line 1) near <eof>"),
    (b'x = {[1]\n=\n}', "x.lua:3: unexpected symbol near '}'"),
    (b'local x <const> = 1 x', 'x.lua:1: syntax error near <eof>'),
    (b'x = 0x1.8p3 y', 'x.lua:1: syntax error near <eof>'),
    (b'x = .5 y', 'x.lua:1: syntax error near <eof>'),
    (b'x = 5. y', 'x.lua:1: syntax error near <eof>'),
    (b'x = .e5', "x.lua:1: unexpected symbol near '.'"),
    (b'x = 08 y', 'x.lua:1: syntax error near <eof>'),
    (b'x = 1e+ y', "x.lua:1: malformed number near '1e+'"),
    (b'a:b:c()', "x.lua:1: function arguments expected near ':'"),
    (b"a.b[c]:d 'x' 1", "x.lua:1: unexpected symbol near '1'"),
    (b'x = a.b.', 'x.lua:1: <name> expected near <eof>'),
    (b'x = a:b', 'x.lua:1: function arguments expected near <eof>'),
    (b'x = a:b.c()', "x.lua:1: function arguments expected near '.'"),
    (b'function f() return (...) end', "x.lua:1: cannot use '...' outside a vararg function near '...'"),
    (b'local function f(a) return ... end', "x.lua:1: cannot use '...' outside a vararg function near '...'"),
    (b'x = 1 --[[ c ]] y', 'x.lua:1: syntax error near <eof>'),
    (b"x = '\\u{0}\\u{}'", "x.lua:1: hexadecimal digit expected near '''"),
    (b'goto continue x', 'x.lua:1: syntax error near <eof>'),
    (b'::lbl:: ::', 'x.lua:1: <name> expected near <eof>'),
    (b'for i = 1, 2, 3, 4 do end', "x.lua:1: 'do' expected near ','"),
    (b'for a.b = 1, 2 do end', "x.lua:1: '=' or 'in' expected near '.'"),
    (b'local function a.b() end', "x.lua:1: '(' expected near '.'"),
    (b'function a.b.c:d:e() end', "x.lua:1: '(' expected near ':'"),
    (b'x = (a)(b) = 1', "x.lua:1: unexpected symbol near '='"),
    (b'a.b = 1 + ', 'x.lua:1: unexpected symbol near <eof>'),
    (b'x = not not', 'x.lua:1: unexpected symbol near <eof>'),
    (b'#!/bin/lua\nx = 1', "x.lua:1: unexpected symbol near '#'"),
    (b'\xef\xbb\xbfx = 1 y', "x.lua:1: unexpected symbol near '<\\239>'"),
    (b'x = 1 + (2', "x.lua:1: ')' expected near <eof>"),
    (b'x = {\n[1] = 2,\n', 'x.lua:3: unexpected symbol near <eof>'),
    (b'local t <const> = 1; t <close> = 2', "x.lua:1: syntax error near '<'"),
    (b'local x <const>, y <close>, z <close>', 'x.lua:1: multiple to-be-closed variables in local list'),
    (b'function f(a, ...) local function g() return ... end end', "x.lua:1: cannot use '...' outside a vararg function near '...'"),
    (b'x = function() return ... end', "x.lua:1: cannot use '...' outside a vararg function near '...'"),
    (b"x = '\\u{48}\\u{'", "x.lua:1: hexadecimal digit expected near ''H\\u{''"),
    (b"x = '\\u{zz}'", "x.lua:1: hexadecimal digit expected near ''\\u{z'"),
    (b"x = '\\xA'", "x.lua:1: hexadecimal digit expected near ''\\xA''"),
    (b'x = 0x1e+', 'x.lua:1: unexpected symbol near <eof>'),
    (b'x = 1e+1e', "x.lua:1: malformed number near '1e+1e'"),
    (b'x = 0x.p1', "x.lua:1: malformed number near '0x.p1'"),
    (b'x = 1 y = 2 z', 'x.lua:1: syntax error near <eof>'),
    (b'f(1)(2) g', 'x.lua:1: syntax error near <eof>'),
    (b'a.b.c.d', 'x.lua:1: syntax error near <eof>'),
    (b'x = a[b[c[d]]', "x.lua:1: ']' expected near <eof>"),
    (b'return;;', "x.lua:1: <eof> expected near ';'"),
    (b'return 1;2', "x.lua:1: <eof> expected near '2'"),
    (b'if a then elseif b then else end end', "x.lua:1: <eof> expected near 'end'"),
    (b'while true do break end end', "x.lua:1: <eof> expected near 'end'"),
    (b'x = y\n(f)\n=', "x.lua:3: unexpected symbol near '='"),
    (b'::a:: goto', 'x.lua:1: <name> expected near <eof>'),
    (b'local function f() end local function', 'x.lua:1: <name> expected near <eof>'),
    (b'x = #', 'x.lua:1: unexpected symbol near <eof>'),
    (b't = {f = function() end', "x.lua:1: '}' expected near <eof>"),
    (b'x = [===[\n', 'x.lua:2: unfinished long string (starting at line 1) near <eof>'),
    (b'--[=[\nabc\n', 'x.lua:3: unfinished long comment (starting at line 1) near <eof>'),
    (b"x = 'a\\\r\nb' 1", "x.lua:2: unexpected symbol near '1'"),
    (b'x = "\\"', 'x.lua:1: unfinished string near <eof>'),
    (b"x = 'it''s'", "x.lua:1: unexpected symbol near ''s''"),
]

VALID = [b"local a <close>", b"return (...)", b"f(...)", b"x = '\\u{7FFFFFFF}'", b"a = b\n(f)()"]


@pytest.mark.parametrize(("src", "msg"), ERRORS)
def test_error_messages(src: bytes, msg: str) -> None:
    assert error_of(src, skip_shebang=False) == msg


@pytest.mark.parametrize("src", VALID)
def test_valid_snippets(src: bytes) -> None:
    parse(src, "x.lua")


def _lua_messages(sources: list[bytes]) -> list[str]:
    """lua5.4's load() message (or "OK") for each source, in one lua5.4 process."""
    script = (
        'local f = io.open(arg[1], "rb"); local d = f:read("a"); f:close()\n'
        "local out, pos = {}, 1\n"
        "while pos <= #d do\n"
        '  local n; n, pos = string.unpack("<s4", d, pos)\n'
        '  local _, e = load(n, "=x.lua"); out[#out + 1] = e or "OK"\n'
        "end\n"
        'io.write(table.concat(out, "\\0"))\n'
    )
    with tempfile.TemporaryDirectory() as tmp:
        data = b"".join(struct.pack("<I", len(s)) + s for s in sources)
        with open(f"{tmp}/in.bin", "wb") as fh:
            fh.write(data)
        with open(f"{tmp}/run.lua", "w") as fh:
            fh.write(script)
        out = subprocess.run([LUA, f"{tmp}/run.lua", f"{tmp}/in.bin"], capture_output=True,
                             check=True).stdout
    return out.decode("latin-1").split("\0")


def _mine(src: bytes) -> str:
    try:
        parse(src, "x.lua", skip_shebang=False)
    except LuaSyntaxError as exc:
        return exc.msg
    return "OK"


@pytest.mark.skipif(LUA is None, reason="lua5.4 not installed")
def test_error_table_matches_lua() -> None:
    sources = [s for s, _ in ERRORS] + VALID
    expected = [m for _, m in ERRORS] + ["OK"] * len(VALID)
    assert _lua_messages(sources) == expected


def _mutants(seed: int, count: int) -> list[bytes]:
    """Valid Lua with random damage: deleted spans, inserted tokens and bytes."""
    base = [
        (b"local function f(a, ...)\n  local t = {a, [a] = ..., x = 'y'; 1}\n"
         b"  for i = 1, #t do t[i] = t[i] .. \"\\n\" end\n  return t\nend\n"),
        (b"if a and not b then\n  x, y.z = f(1)(2), o:m{} -- c\nelseif c then\n"
         b"  repeat local q <const> = 0x10 until q\nelse goto l end\n::l:: while true do break end\n"),
        (b"local s = [==[\nlong]==] .. 'esc\\x41\\65\\u{48}' --[[ c ]]\n"
         b"for k, v in pairs(_ENV) do print(k, v) end\nreturn (s)\n"),
    ]
    bits = [b"(", b")", b"end", b"=", b",", b"...", b"local", b"function", b"{", b"}", b"[",
            b"]", b"'", b'"', b"\\", b"[[", b"--[[", b"\n", b"x", b"1", b"0x", b"<", b">",
            b"::", b".", b":", b"then", b"return", b"until", b"\0", b"\xff", b"2e", b"<foo>"]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        piece = bytearray(rng.choice(base))
        for _ in range(rng.randint(1, 3)):
            p = rng.randint(0, len(piece))
            r = rng.random()
            if r < 0.4:
                piece[p:p] = rng.choice(bits) + b" "
            elif r < 0.8:
                del piece[p:p + rng.randint(1, 6)]
            else:
                piece[p:p] = bytes([rng.randrange(256)])
        out.append(bytes(piece))
    return out


@pytest.mark.skipif(LUA is None, reason="lua5.4 not installed")
def test_mutants_match_lua() -> None:
    sources = _mutants(1, 400)
    refs = _lua_messages(sources)
    skip = ("no visible label", "break outside", "already defined", "jumps into the scope",
            "assign to const variable")  # checked by the compiler, not the parser
    bad = [(s, r, _mine(s)) for s, r in zip(sources, refs)
           if not any(k in r for k in skip) and _mine(s) != r]
    assert bad == []


@pytest.mark.parametrize("n", [10, 150, 250, 100_000])
def test_deep_nesting(n: int) -> None:
    """Lua stops at 200 C levels ("C stack overflow"); no RecursionError either way."""
    for src in (b"x = " + b"(" * n + b"1" + b")" * n, b"x = " + b"- " * n + b"1",
                b"do " * n + b"end " * n, b"x = 1" + b" .. 1" * n,
                b"x" + b", x" * n + b" = 1", b"x = " + b"{" * n + b"}" * n):
        if n < 200:
            parse(src)
        else:
            assert error_of(src) == "C stack overflow"


def test_long_flat_chains() -> None:
    e = expr("1" + " + 1" * 5000)
    assert isinstance(e, A.BinOp)
    s = stat("x = a" + ".b" * 5000)
    assert isinstance(s.exprs[0], A.Index)


def test_garbage_never_escapes() -> None:
    rng = random.Random(7)
    for _ in range(300):
        data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 40)))
        try:
            parse(data)
        except LuaSyntaxError:
            pass
    for data in (b"", b"\0", b"\xff\xfe", "x = '\ud800'", b"'" + b"\\" * 3, b"[" * 10_000):
        try:
            parse(data)
        except LuaSyntaxError:
            pass


def test_big_file() -> None:
    body = "\n".join(
        f"function f{i}(a, b)\n  local t = {{a, b, k = '{i}'}}\n"
        f"  if a > b then return t[1] + {i} else return #t .. 'x' end\nend"
        for i in range(1250)
    )
    b = chunk(body)
    assert len(b.stmts) == 1250 and b.end_line == 5000


# ------------------------------------------------------------ shipped tables


def _dump(node: object) -> object:
    """An AST as plain data (the node classes compare by identity)."""
    if isinstance(node, list):
        return [_dump(x) for x in node]
    if hasattr(node, "__dict__"):
        return (type(node).__name__, {k: _dump(v) for k, v in sorted(vars(node).items())})
    return node


def test_shipped_tables_are_made_from_this_grammar() -> None:
    """grammar/lua.tables.json spares every process Lark (~9 MB, 0.1 s): after
    editing grammar/lua.lark, regenerate it with `python -m luavm.parser`."""
    from luavm import parser

    assert parser._shipped_tables() is not None


def test_tables_built_by_lark_parse_alike() -> None:
    """The fallback for an edited grammar: Lark's tables, built now, give the same trees."""
    import glob
    import os

    from luavm import parser
    from luavm.lexer import prepare, tokenize

    shipped = parser._shipped_tables()
    assert shipped is not None
    mine, lark = parser._from_plain(shipped), parser._from_plain(parser.build_tables())
    files = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "lua", "*.lua")))[:40]
    assert files
    for path in files:
        with open(path, "rb") as f:
            src = prepare(f.read(), True)
        trees = [repr(_dump(parser._run(tokenize(src, "t"), t, src, "t"))) for t in (mine, lark)]  # NaN
        assert trees[0] == trees[1], path
