"""`t[#t + 1] = v`, the append idiom, compiled as one fused fast path.

The general code computes `#t` (a helper call or an inline test), adds 1 with an
overflow test, then tries an array-slot store before the append: ~6x a Python
`list.append`. For a plain table (no metatable, no hash part) the border is the
array part's length (LuaTable's invariants), so the append is all there is to do.
Anything else runs the general code, whose lines stay the resume points.

Lua evaluates `#t + 1` before the value. When the value is pure (constants, plain
locals) the order cannot be observed and the table is tested once, after it;
otherwise the key is taken first (inline for a plain table) and the append
re-checks the table, which the value's code may have changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import syntax_tree as A
from . import fastpath
from .ir import If, OpInfo

if TYPE_CHECKING:
    from .expressions import Atom
    from .scope import Decl


class AppendCompiler:
    """Mixed into Codegen (which provides fs, res, expr, stable, store, guarded)."""

    def append_shape(self, t: A.Expr) -> Decl | None:
        """The local or upvalue `t` when target is `t[#t + 1]`, else None."""
        if not isinstance(t, A.Index) or not isinstance(t.obj, A.Name):
            return None
        k = t.key
        if not (isinstance(k, A.BinOp) and k.op == "+" and isinstance(k.right, A.Number)
                and type(k.right.value) is int and k.right.value == 1
                and isinstance(k.left, A.UnOp) and k.left.op == "#"
                and isinstance(k.left.operand, A.Name)):
            return None
        d = self.res.uses.get(id(t.obj))  # type: ignore[attr-defined]
        if d is None or self.res.uses.get(id(k.left.operand)) is not d:  # type: ignore[attr-defined]
            return None
        return d

    def _pure(self, e: A.Expr) -> bool:
        """Evaluating e runs no Lua code and reads nothing Lua code could change
        meanwhile (a boxed local or upvalue could be, by a `__len`)."""
        if isinstance(e, (A.TrueE, A.FalseE, A.Number, A.String, A.Vararg, A.Function)):
            return True
        if isinstance(e, A.Name):
            d = self.res.uses.get(id(e))  # type: ignore[attr-defined]
            return d is not None and not d.boxed
        if isinstance(e, A.Paren):
            return self._pure(e.expr)
        if isinstance(e, A.UnOp):
            return e.op == "not" and self._pure(e.operand)
        if isinstance(e, A.BinOp):
            return e.op in ("and", "or") and self._pure(e.left) and self._pure(e.right)
        return False

    def append(self, t: A.Index, value: A.Expr, line: int) -> bool:
        """Compile `t[#t + 1] = value`; False when it is not worth a fused path."""
        if isinstance(value, A.Nil):
            return False
        fs = self.fs  # type: ignore[attr-defined]
        obj: Atom = self.stable(self.expr(t.obj))  # type: ignore[attr-defined]
        o = obj.text
        lt = fastpath.is_table(o, obj.ty)  # (nothing when o is known to be a table)
        if self._pure(value):
            a: Atom = self.expr(value)  # type: ignore[attr-defined]
            nn = "" if _not_nil(a) else f" and {a.text} is not None"
            node = If(f"{lt}{o}.meta is None and not {o}.hash{nn}", [], [],
                      OpInfo(line))
            fs.out.append(node)
            with fs.nested(node.body):
                self._push(o, a.text, line)
            with fs.nested(node.orelse):
                key = self.stable(self.expr(t.key))  # type: ignore[attr-defined]
                self.store(("index", obj, key, t.line, obj.desc), a, line)  # type: ignore[attr-defined]
            return True
        k = fs.temp()
        node = If(f"{lt}{o}.meta is None and ((_a := {o}.arr) or not {o}.hash)",
                  [], [], OpInfo(line))
        fs.out.append(node)
        with fs.nested(node.body):
            fs.emit(f"{k} = _plen(_a) + 1", line)
        with fs.nested(node.orelse):
            ka = self.expr(t.key, target=k)  # type: ignore[attr-defined]
            if ka.text != k:
                fs.emit(f"{k} = {ka.text}", line)
        a = self.expr(value)  # type: ignore[attr-defined]
        nn = "" if _not_nil(a) else f" and {a.text} is not None"
        node = If(f"{lt}{o}.meta is None and {k} == _plen({o}.arr) + 1 "
                  f"and {k}.__class__ is _int and not {o}.hash{nn}", [], [], OpInfo(line))
        fs.out.append(node)
        with fs.nested(node.body):
            self._push(o, a.text, line)
        with fs.nested(node.orelse):
            self.guarded(fastpath.setindex(o, k, None, a.text, not nn, obj.ty),  # type: ignore[attr-defined]
                         f"_setindex({o}, {k}, {a.text})", t.line, obj.desc)
        return True

    def _push(self, o: str, v: str, line: int) -> None:
        """Append v to plain table o with an empty hash part; its array part may be
        the shared empty tuple (or an emptied list): then it gets a new list."""
        fs = self.fs  # type: ignore[attr-defined]
        node = If(f"(_a := {o}.arr)", [], [], OpInfo(line))
        fs.out.append(node)
        with fs.nested(node.body):
            fs.emit(f"_a.append({v})", line)
        with fs.nested(node.orelse):
            fs.emit(f"{o}.arr = [{v}]", line)


def _not_nil(a: Atom) -> bool:
    """The value is surely not nil (a constant, a number): no `is not None` test
    (Python warns about `is` with a literal)."""
    return (a.const and a.text != "None") or a.ty in ("int", "float")
