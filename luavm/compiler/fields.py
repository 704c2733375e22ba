"""Object fields guessed to hold floats, and the reads speculated on them (issue 20).

`p.vx * dt + p.ax` reads two fields whose types only the running program knows:
every arithmetic operation on them tests both operands' classes (~35 ns for two
untyped floats against ~12 for a typed one). Lua programs that keep floats in
fields mostly keep only floats in them, and the chunk says so: every value it
stores in field `vx` (table constructors `{vx = ...}`, assignments `o.vx = ...`)
is a float literal, a division, or arithmetic with one of those or with another
such field. Those field names are `float_fields`, worked out once per chunk.

In a function's speculating copy (compiler/deopt.py), a read of such a field
that is an operand of arithmetic or of an order comparison is tested once where
it is read (`fields.read`): a float goes on with no further tests; anything else
leaves for the generic copy *before* the statement being run, which runs it
again from its start. That is only right when nothing the statement did so far
can be seen: the read is speculated only while the statement has no resume
point yet (no call, no metamethod, no `__index` function could have run), and a
miss on the object's own fields that the site's inline cache cannot answer
leaves rather than call the general lookup. A guess that fails keeps failing
and turns the function's speculation off (`runtime/deopt.DEOPT_LIMIT`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields as dc_fields

from .. import syntax_tree as A
from .scope import Resolution

_ARITH = {"+", "-", "*", "/", "^", "<", "<=", ">", ">="}
# statements that can run again from their start in the generic copy: their
# speculated reads come before anything else they do (`repeat`'s condition comes
# after its body: not one of them)
_RESTARTABLE = (A.Local, A.Assign, A.If, A.While, A.Return)


def _nodes(n: object) -> Iterator[A.Node]:
    """n and every node under it, nested functions included."""
    if isinstance(n, A.Node):
        yield n
        for f in dc_fields(n):
            yield from _nodes(getattr(n, f.name))
    elif isinstance(n, (list, tuple)):
        for x in n:
            yield from _nodes(x)


def _key(e: A.Expr) -> bytes | None:
    """The field name of `o.name` (`o["name"]`), else None."""
    return e.key.value if isinstance(e, A.Index) and isinstance(e.key, A.String) else None


def float_fields(res: Resolution) -> frozenset[bytes]:
    """Field names every store of the chunk gives a float: the least fixed point,
    so a field only ever copied from itself (`o.n = o.n + 1`, set elsewhere) is
    not one."""
    if res.float_fields is not None:
        return res.float_fields
    stores: dict[bytes, list[A.Expr | None]] = {}
    for n in _nodes(res.chunk):
        if isinstance(n, A.Table):
            for f in n.fields:
                if f.key is not None and isinstance(f.key, A.String):
                    stores.setdefault(f.key.value, []).append(f.value)
        elif isinstance(n, A.Assign):
            for i, t in enumerate(n.targets):
                if (k := _key(t)) is not None:
                    # (a further target of a call's results: unknown)
                    stores.setdefault(k, []).append(n.exprs[i] if i < len(n.exprs) else None)
        elif isinstance(n, A.FunctionStat) and (k := _key(n.target)) is not None:
            stores.setdefault(k, []).append(None)
    found: set[bytes] = set()

    def floaty(e: A.Expr | None) -> bool:
        while isinstance(e, A.Paren):
            e = e.expr
        if isinstance(e, A.Number):
            return isinstance(e.value, float)
        if isinstance(e, A.UnOp):
            return e.op == "-" and floaty(e.operand)
        if isinstance(e, A.BinOp):
            if e.op in ("/", "^"):
                return True
            return e.op in ("+", "-", "*", "%", "//") and (floaty(e.left) or floaty(e.right))
        return e is not None and _key(e) in found

    changed = True
    while changed:
        changed = False
        for k, values in stores.items():
            if k not in found and all(floaty(v) for v in values):
                found.add(k)
                changed = True
    res.float_fields = frozenset(found)
    return res.float_fields


def speculated_reads(f: A.Function, res: Resolution) -> dict[int, set[int]]:
    """id(statement) -> ids of the reads `o.name` of float fields in it that are
    operands of arithmetic or of an order comparison, for the restartable
    statements of f (not those of nested functions)."""
    from .types import _exprs, _stmt_exprs, _stmts

    names = float_fields(res)
    out: dict[int, set[int]] = {}
    if not names:
        return out
    for s in _stmts(f.body):
        if not isinstance(s, _RESTARTABLE):
            continue
        tops = list(s.exprs) if isinstance(s, (A.Local, A.Assign)) else _stmt_exprs(s)
        reads: set[int] = set()
        for top in tops:
            for e in _exprs(top):
                if isinstance(e, A.BinOp) and e.op in _ARITH:
                    operands = [e.left, e.right]
                elif isinstance(e, A.UnOp) and e.op == "-":
                    operands = [e.operand]
                else:
                    continue
                for x in operands:
                    while isinstance(x, A.Paren):
                        x = x.expr
                    if _key(x) in names:
                        reads.add(id(x))
        if reads:
            out[id(s)] = reads
    return out
