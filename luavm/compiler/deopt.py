"""Speculated locals: their tests in the fast copy and the way back to the generic one.

A function computing with floats is compiled twice (`types.speculate`); in its
fast copy, locals assigned values of unknown type (`local dx = bix - bj.x`) are
assumed to be floats, so the arithmetic on them has no type tests. The fast copy
tests each such value once, after the statement that assigns it; when the test
fails, the function leaves for its generic copy: `_deopt` runs the generic copy's
resume form from a resume point placed right after the same statement, with the
frame's locals (runtime/deopt.py). That is a call of the same function's resume
form, which Lua never sees: a frame at a deopt line is skipped in tracebacks and
records nothing when a suspension passes through it.

The two copies name every Lua local alike (`FuncState.declare_local`), so the
locals carry over as they are. The state of the enclosing `for` loops is kept in
temporaries each copy names and prepares its own way (a typed loop needs no
`_forlimit`): the deopt line maps it (`_lim7`: the inclusive limit, `_st8`: the
step, the control variable), which is why it is written once both copies exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .fastpath import TYPE_CLASS
from .ir import If, Line, OpInfo

if TYPE_CHECKING:
    from .scope import Decl

class DeoptPlan:
    def __init__(self, guards: dict[int, list[Decl]], reads: dict[int, set[int]] | None = None) -> None:
        self.guards = guards  # id(Local/Assign statement) -> speculated locals it assigns
        # id(statement) -> its speculated reads of float fields (compiler/fields.py)
        self.reads = reads or {}
        self.copy = ""  # "spec" or "generic": the copy being compiled
        # (deopt line, (where, id(stmt)), enclosing loops); where: "after" the statement
        # (a speculated local's test) or "before" it (a speculated field read's)
        self.sites: list[tuple[Line, tuple[str, int], list[int]]] = []
        # (where, id(stmt)) -> resume point before/after it, in the generic copy
        self.markers: dict[tuple[str, int], int] = {}
        # per statement being compiled in the spec copy: (its speculated reads, the
        # proto's resume point count when it began, id(stmt)), or None
        self.stack: list[tuple[set[int], int, int] | None] = []
        self.loops: list[int] = []  # ids of the enclosing `for` statements
        self.state: dict[tuple[str, int], dict[str, str]] = {}  # (copy, id(loop)) -> roles

    def before_stmt(self, fs, s) -> None:  # noqa: ANN001 - FuncState, A.Stmt
        reads = self.reads.get(id(s))
        if reads and self.copy == "generic":
            marker = fs.emit("pass", s.line, resume="pass")
            marker.marker = True
            self.markers[("before", id(s))] = marker.rp
        self.stack.append((reads, len(fs.proto.resume_points), id(s)) if reads and self.copy == "spec" else None)

    def speculates(self, fs, e) -> bool:  # noqa: ANN001 - FuncState, A.Index
        """Whether the read e is compiled speculating a float: one of its statement's
        speculated reads, with nothing run so far in that statement that a restart
        would run twice (no resume point since it began)."""
        top = self.stack[-1] if self.stack else None
        return top is not None and id(e) in top[0] and len(fs.proto.resume_points) == top[1]

    def leave_before(self, line: int) -> Line:
        """The line leaving for the generic copy before the current statement."""
        top = self.stack[-1]
        assert top is not None
        ln = Line("", OpInfo(line, "deopt"))  # written by finish()
        self.sites.append((ln, ("before", top[2]), list(self.loops)))
        return ln

    def after_stmt(self, fs, s) -> None:  # noqa: ANN001 - FuncState, A.Stmt
        if self.stack:
            self.stack.pop()
        decls = self.guards.get(id(s))
        if not decls:
            return
        if self.copy == "spec":
            cond = " or ".join(f"{d.pyname}.__class__ is not {TYPE_CLASS[d.ty or 'float']}" for d in decls)
            line = Line("", OpInfo(s.line, "deopt"))  # written by finish()
            fs.out.append(If(cond, [line], [], OpInfo(s.line)))
            self.sites.append((line, ("after", id(s)), list(self.loops)))
        else:
            marker = fs.emit("pass", s.line, resume="pass")
            marker.marker = True
            self.markers[("after", id(s))] = marker.rp

    def enter_loop(self, s, roles: dict[str, str]) -> None:  # noqa: ANN001 - A.NumFor | A.GenFor
        """roles of a numeric for: var, lim (its inclusive limit) and stp (its step),
        each a Python name or expression; of a generic for: its state's names."""
        self.state[(self.copy, id(s))] = roles
        self.loops.append(id(s))

    def leave_loop(self) -> None:
        self.loops.pop()

    def finish(self) -> None:
        for line, key, loops in self.sites:
            extra: dict[str, str] = {}
            for lid in loops:
                spec, generic = self.state[("spec", lid)], self.state[("generic", lid)]
                for role, name in generic.items():
                    value = spec.get(role)
                    # a name only the generic copy prepares (a Lua local or an upvalue
                    # is the same in both; a constant needs nothing)
                    if value and value != name and name.startswith("_") and name.isidentifier():
                        extra[name] = value
            items = ", ".join(f"{k!r}: {v}" for k, v in extra.items())
            line.text = f"return _deopt({self.markers[key]}, _locals(), {{{items}}})"
