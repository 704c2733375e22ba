"""Generator state of the typed program generator (`gen_diff.py`): the hypothesis
`draw` and the choice helpers built on it, and the scopes of typed variables an
expression may use. Everything the expression and statement layers share."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


class Var:
    """A local or global of the generated program, with the type of its values."""

    __slots__ = ("name", "ty", "const", "may_yield")

    def __init__(self, name: str, ty: str, const: bool = False, may_yield: bool = False) -> None:
        self.name = name
        self.ty = ty
        self.const = const
        self.may_yield = may_yield


NUMERIC = ("int", "float")
SCALARS = ("int", "float", "str", "bool")


class GenState:
    """Options, counters and scopes of one program being generated, and the draws."""

    def __init__(self, draw: Any, *, max_depth: int = 3, errors: bool = True, fetch: bool = False,
                 max_stmts: int = 8) -> None:
        self.draw = draw
        self.max_depth = max_depth
        self.errors = errors
        self.fetch = fetch
        self.max_stmts = max_stmts
        self.n = 0
        self.scopes: list[list[Var]] = [[]]
        self.yieldable = True  # may a host suspension happen here (fetch mode)
        self.in_loop = 0
        self.in_func = 0
        self.in_vararg = False
        self.has_class = False
        self.budget = 400  # expression nodes left, keeps programs small
        self.yields = 0  # suspension points emitted so far (fetch calls, calls of functions that fetch)

    # ------------------------------------------------------------ draws

    def d(self, strat: Any) -> Any:
        return self.draw(strat)

    def pick(self, xs: list | tuple) -> Any:
        return self.draw(st.sampled_from(xs))

    def chance(self, p: float) -> bool:
        """True with probability ~p; shrinks towards False."""
        return self.draw(st.integers(0, 999)) >= 1000 - int(p * 1000)

    def fresh(self, base: str) -> str:
        self.n += 1
        return f"{base}{self.n}"

    # ------------------------------------------------------------ scopes

    def vars(self, ty: str, assignable: bool = False) -> list[Var]:
        r = []
        for sc in self.scopes:
            for v in sc:
                if v.ty == ty and not (assignable and v.const):
                    if v.may_yield and not self.yieldable:
                        continue
                    r.append(v)
        return r

    def declare(self, name: str, ty: str, const: bool = False, may_yield: bool = False) -> Var:
        v = Var(name, ty, const, may_yield)
        self.scopes[-1].append(v)
        return v

    def push(self) -> None:
        self.scopes.append([])

    def pop(self) -> None:
        self.scopes.pop()

    def small(self) -> int:
        return self.d(st.integers(0, 4))
