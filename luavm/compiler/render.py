"""Render IR protos as Python source: the fast form and the resume forms.

Each Lua function becomes a factory `_pN(upvalues...)` returning the closure
(an upvalue is a Box, or the value of a local never written again). The closure's body sits in one `try` whose handlers cost nothing until
something is raised: a Suspend records the frame (closure, locals, resume
point taken from the traceback's line number), raw Python errors become Lua
errors.

A resume form `_rfN_R` re-enters function N at resume point R: it restores the
locals, delivers the suspended operation's result, finishes the enclosing
loops/blocks from that point and then runs the rest of the function normally.
"""

from __future__ import annotations

from . import wrap
from .ir import If, Line, Loop, OpInfo, Proto, Stmt, Try

IND = "    "


class Source:
    """Python source text plus, per line, the OpInfo and resume point it stands for."""

    def __init__(self, wrap_long: bool = False) -> None:
        # break long lines (compiler/wrap.py): for a reader only (`--emit-python`),
        # as tokenizing them costs compile time the executed code need not pay
        self.wrap_long = wrap_long
        self.lines: list[str] = []
        self.info: list[tuple[OpInfo | None, int]] = []
        self.lua_line = -1  # the Lua line the last `# L<n>` comment named

    def mark(self, ind: str, op: OpInfo) -> None:
        """A `# L<n>` comment before the first Python line of Lua line n (a comment
        compiles to nothing, so the code runs the same; a reader of the
        `--emit-python` output finds the Lua statement a line stands for)."""
        if op.line > 0 and op.line != self.lua_line:
            self.lua_line = op.line
            self.lines.append(f"{ind}# L{op.line}")
            self.info.append((None, -1))

    def add(self, text: str, op: OpInfo | None = None, rp: int = -1) -> None:
        """A line; the text of an IR Line may be several (a `try` around an array
        read): each continues at the first one's indentation, standing for the same op."""
        if self.wrap_long and len(text) > wrap.WIDTH and "\n" not in text:
            text = wrap.wrap(text)
        if "\n" in text:
            ind = text[:len(text) - len(text.lstrip())]
            first, *rest = text.split("\n")
            for part in (first, *(ind + r for r in rest)):
                self.lines.append(part)
                self.info.append((op, rp))
            return
        self.lines.append(text)
        self.info.append((op, rp))

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def table(self, first_line: int = 1) -> dict[int, tuple[OpInfo | None, int]]:
        return {i + first_line: inf for i, inf in enumerate(self.info)}


# `{self}`: the closure, when the function has it at hand (a resume form's `_self`);
# None in the fast form, whose closure is rebuilt from the frame by Suspend.add
# (naming itself would make each closure a reference cycle: ~150 ns and a GC
# collection per closure created)
HANDLERS = [
    "except _Suspend as _e:",
    "    _e.add({self}, _locals())",
    "    raise",
    "except _PYERRORS as _e:",
    "    raise _pyerr(_e) from None",
]


def _entry(p: Proto) -> OpInfo:
    """The op of a function's entry lines (its header, restoring locals): kind
    'entry', where no Lua line starts (debug.sethook's line events skip them)."""
    return OpInfo(p.line, "entry")


def render_stmts(stmts: list[Stmt], depth: int, out: Source) -> None:
    if not stmts:
        out.add(IND * depth + "pass")
        return
    for s in stmts:
        render_stmt(s, depth, out)


def _loop_iter(s: Loop) -> str:
    return s.iter or f"{s.fn}({s.start}, {s.stop}, {s.step})"


def _elif(s: If) -> If | None:
    """The `if` an else branch consists of, to be rendered as `elif` (a readable
    chain instead of an ever deeper nesting; the bytecode is the same)."""
    if not s.deopt and len(s.orelse) == 1 and isinstance(s.orelse[0], If) and not s.orelse[0].deopt:
        return s.orelse[0]
    return None


def render_if(s: If, depth: int, out: Source, stmts) -> None:  # noqa: ANN001
    """`if`/`elif`/`else`, the branches rendered by `stmts(body, depth, out)`."""
    ind = IND * depth
    out.mark(ind, s.op)
    out.add(f"{ind}if {s.cond}:", s.op)
    stmts(s.body, depth + 1, out)
    while (nxt := _elif(s)) is not None:
        s = nxt
        out.mark(ind, s.op)
        out.add(f"{ind}elif {s.cond}:", s.op)
        stmts(s.body, depth + 1, out)
    if s.orelse:
        out.add(f"{ind}else:", s.op)
        stmts(s.orelse, depth + 1, out)


def render_stmt(s: Stmt, depth: int, out: Source) -> None:
    ind = IND * depth
    if isinstance(s, Line):
        out.mark(ind, s.op)
        out.add(ind + s.text, s.op, s.rp)
    elif isinstance(s, If):
        render_if(s, depth, out, render_stmts)
    elif isinstance(s, Loop):
        out.mark(ind, s.op)
        if s.var is None:
            out.add(f"{ind}while True:", s.op)
        else:
            out.add(f"{ind}for {s.var} in {_loop_iter(s)}:", s.op)
        render_stmts(s.body, depth + 1, out)
    elif isinstance(s, Try):
        render_try(s, depth, out, lambda d: render_stmts(s.body, d, out))


def render_try(s: Try, depth: int, out: Source, body, gen: bool = False) -> None:  # noqa: ANN001
    """The protected block of a to-be-closed variable. Unwinding by a suspension
    (or an abandoned coroutine's GeneratorExit) must not close it: a local flag
    set on that way out says so. (Not `sys.exc_info()` in the `finally`: a frame
    continued from a coroutine's `except _Suspend` handler would see that one.)
    The flag is not a saved local: each form sets it before its `try`.

    On an error the variable is closed with the error value from a resume point
    (`s.err_line`; `gen`: as a generator form's, which waits for the frames
    below): its `__close` may yield; continued, the error is raised again
    (_Partial). A SystemExit (os.exit) closes it the old way, not yieldable."""
    ind = IND * depth
    unwound = f"{s.flag}u"
    out.add(f"{ind}{unwound} = False", s.op)
    out.add(f"{ind}try:", s.op)
    body(depth + 1)
    out.add(f"{ind}except (_Suspend, _GenExit):", s.op)
    out.add(f"{ind}    {unwound} = True", s.op)
    out.add(f"{ind}    raise", s.op)
    eop = s.err_op or s.op
    out.add(f"{ind}except BaseException as _ce:", eop)
    # (not closed again if the error came from its own close, made on a normal way out)
    el = s.err_line
    if el is not None:
        out.add(f"{ind}    if {s.flag} and (_cb := _close_begin(_ce)) is not None:", eop)
        out.add(f"{ind}        {s.flag} = False; _ce = _cb; {s.err_val} = _ce.value", eop)
        if gen:
            out.add(f"{ind}        try:", el.op, el.rp)
            out.add(f"{ind}            {el.text}", el.op, el.rp)
            out.add(f"{ind}        except _Suspend as _s:", el.op, el.rp)
            out.add(f"{ind}            _rv = yield from _inner(_s)", el.op, el.rp)
        else:
            out.add(f"{ind}        {el.text}", el.op, el.rp)
        out.add(f"{ind}    elif {s.flag}: {s.flag} = False; _ce = _close_error({s.var}, _ce)", eop)
    else:
        out.add(f"{ind}    if {s.flag}: {s.flag} = False; _ce = _close_error({s.var}, _ce)", eop)
    out.add(f"{ind}    else: _ce = _close_error(None, _ce)", eop)
    out.add(f"{ind}    raise _ce from None", eop)
    out.add(f"{ind}finally:", s.op)
    out.add(f"{ind}    if {s.flag} and not {unwound}: {s.flag} = False; _close_normal({s.var})", s.op)


def _params(p: Proto, exact: bool = False) -> str:
    ps = [f"{n}=None" for n in p.params]
    if not (exact and p.exact_arity):
        ps.append("*_va" if p.is_vararg else "*_x")
    return ", ".join(ps)


def render_module(protos: list[Proto], chunkname: str, wrap_long: bool = False) -> Source:
    out = Source(wrap_long)
    out.add(f"# Python generated by luavm from {chunkname!r}; one factory per Lua function.")
    for p in protos:  # the inline caches of field/method lookups (runtime/icache.py)
        for n, key in enumerate(p.ics):
            out.add(f"_ic{p.index}_{n} = _ICSITE({key!r})")
        if p.deopt:  # the speculating copy's switch (runtime/deopt.py turns it off)
            out.add(f"_SP{p.index} = True")
    for p in protos:
        out.add("")
        out.add(f"def _p{p.index}({', '.join(p.upvalues)}):  # {p.lua_name}, line {p.line}")
        out.add(f"    def {p.name}({_params(p, exact=True)}):", _entry(p))
        for b in p.boxed_params:
            out.add(f"        {b} = _Box({b})", _entry(p))
        out.add("        try:", _entry(p))
        render_stmts(p.body, 3, out)
        for h in HANDLERS:
            out.add("        " + h.format(self="None"), OpInfo(p.end_line, "handler"))
        if p.self_upvalue is not None:
            out.add(f"    {p.self_upvalue} = {p.name}")
        out.add(f"    return {p.name}")
    return out


# ------------------------------------------------------------------ resume


def _contains(s: Stmt, target: Line) -> bool:
    if s is target:
        return True
    if isinstance(s, If):
        return any(_contains(x, target) for x in s.body) or any(_contains(x, target) for x in s.orelse)
    if isinstance(s, Try) and s.err_line is target:
        return True
    if isinstance(s, (Loop, Try)):
        return any(_contains(x, target) for x in s.body)
    return False


class _Partial:
    def __init__(self, out: Source) -> None:
        self.out = out
        self.n = 0

    def stmts(self, stmts: list[Stmt], target: Line, depth: int) -> bool:
        for i, s in enumerate(stmts):
            if _contains(s, target):
                self.stmt(s, target, depth)
                rest = stmts[i + 1:]
                if rest:
                    render_stmts(rest, depth, self.out)
                return True
        return False

    def stmt(self, s: Stmt, target: Line, depth: int) -> None:
        out = self.out
        ind = IND * depth
        if s is target:
            assert target.resume is not None
            out.add(ind + "_rv = _th()", target.op, target.rp)
            out.add(ind + target.resume, target.op, target.rp)
        elif isinstance(s, If):
            if any(_contains(x, target) for x in s.body):
                self.stmts(s.body, target, depth)
            else:
                self.stmts(s.orelse, target, depth)
        elif isinstance(s, Loop):
            self.n += 1
            out.add(f"{ind}for _once{self.n} in _ONCE:", s.op)
            self.stmts(s.body, target, depth + 1)
            out.add(f"{ind}else:", s.op)
            if s.var is None:
                render_stmt(s, depth + 1, out)
            else:
                out.add(f"{ind}    for {s.var} in {s.fn}({s.var} + ({s.step}), {s.stop}, {s.step}):", s.op)
                render_stmts(s.body, depth + 2, out)
        elif isinstance(s, Try) and s.err_line is target:
            # its variable was being closed on an error: the error goes on
            assert target.resume is not None
            out.add(ind + "_rv = _th()", target.op, target.rp)
            out.add(ind + target.resume, target.op, target.rp)
        elif isinstance(s, Try):
            render_try(s, depth, out, lambda d: self.stmts(s.body, target, d))


def render_resume(p: Proto, rp: int) -> Source:
    """Source of the factory `_rf{p}_{rp}`: function p re-entered at resume point rp.

    The function gets a thunk `_th` that continues the frames it called and gives
    the value its pending call returns: it calls it where that call was (inside
    the loops and to-be-closed blocks around it, entered again), on a line that
    stands for the call, so that while they run it is on the Python stack as the
    Lua frame waiting on them (tracebacks, error levels and debug.getinfo see it,
    as they see a frame that never suspended), a suspension among them passes
    through it and records it again, and an error among them closes its
    variables."""
    target = p.resume_points[rp]
    out = Source()
    out.add(f"def _rf{p.index}_{rp}({', '.join(p.upvalues)}):  # resume {p.lua_name} at point {rp}")
    out.add(f"    def {p.name}(_self, _L, _th):", _entry(p))
    names = list(dict.fromkeys(p.params + p.locals))
    for n in names:
        default = "()" if n == "_va" else "None"
        out.add(f"        {n} = _L.get({n!r}, {default})", _entry(p))
    out.add("        try:", _entry(p))
    _Partial(out).stmts(p.body, target, 3)
    for h in HANDLERS:
        out.add("        " + h.format(self="_self"), OpInfo(p.end_line, "handler"))
    out.add(f"    return {p.name}")
    return out


# --------------------------------------------------------------- generator


def _render_gen_stmts(stmts: list[Stmt], depth: int, out: Source) -> None:
    if not stmts:
        out.add(IND * depth + "pass")
        return
    for s in stmts:
        _render_gen_stmt(s, depth, out)


def _render_gen_stmt(s: Stmt, depth: int, out: Source) -> None:
    ind = IND * depth
    if isinstance(s, Line):
        out.mark(ind, s.op)
        if s.rp < 0 or s.marker:
            out.add(ind + s.text, s.op, s.rp)
        elif s.resume is not None:
            # a resume point: a direct coroutine.yield becomes a Python yield; a
            # suspension deeper down is handed to the driver and continued here
            out.add(f"{ind}try:", s.op, s.rp)
            if s.call is not None:
                t, f, args, values = s.call
                got = f"_first1((yield {values}))" if s.first else f"yield {values}"
                out.add(f"{ind}    if {f} is _YIELD: {t} = {got}", s.op, s.rp)
                out.add(f"{ind}    else: {s.text}", s.op, s.rp)  # the call, with its inline fast paths
            else:
                out.add(f"{ind}    {s.text}", s.op, s.rp)
            out.add(f"{ind}except _Suspend as _s:", s.op, s.rp)
            out.add(f"{ind}    _rv = yield from _inner(_s)", s.op, s.rp)
            out.add(f"{ind}    {s.resume}", s.op, s.rp)
        else:
            # an adjustment that may run a pending tail call: repeat it on the value
            out.add(f"{ind}while True:", s.op, s.rp)
            out.add(f"{ind}    try:", s.op, s.rp)
            out.add(f"{ind}        {s.text}", s.op, s.rp)
            out.add(f"{ind}        break", s.op, s.rp)
            out.add(f"{ind}    except _Suspend as _s:", s.op, s.rp)
            out.add(f"{ind}        {s.alias_target} = yield from _inner(_s)", s.op, s.rp)
    elif isinstance(s, If) and s.deopt:
        # a copy that may leave for the other (compiler/deopt.py) cannot do so as a
        # generator: a coroutine body runs the generic copy
        _render_gen_stmts(s.orelse, depth, out)
    elif isinstance(s, If):
        render_if(s, depth, out, _render_gen_stmts)
    elif isinstance(s, Loop):
        out.mark(ind, s.op)
        if s.var is None:
            out.add(f"{ind}while True:", s.op)
        else:
            out.add(f"{ind}for {s.var} in {_loop_iter(s)}:", s.op)
        _render_gen_stmts(s.body, depth + 1, out)
    elif isinstance(s, Try):
        render_try(s, depth, out, lambda d: _render_gen_stmts(s.body, d, out), gen=True)


def render_generator(p: Proto, freevars: tuple[str, ...]) -> Source:
    """Source of generator function `{p.name}`: function p as a Python generator, used
    when it is the body of a coroutine: yields in it cost what a Python generator's do.
    It takes the closure it stands for first (`_self`) and reads the upvalue boxes
    from its cells (`freevars`: the closure's code's free variables), so starting a
    coroutine costs one call, not a factory call and a list of boxes."""
    out = Source()
    out.add(f"def {p.name}(_self, {_params(p)}):  # {p.lua_name} as a coroutine body", _entry(p))
    if p.upvalues:
        out.add("    _cl = _self.__closure__", _entry(p))
    for n in p.upvalues:
        out.add(f"    {n} = _cl[{freevars.index(n)}].cell_contents", _entry(p))
    for b in p.boxed_params:
        out.add(f"    {b} = _Box({b})", _entry(p))
    out.add("    if False:", _entry(p))
    out.add("        yield", _entry(p))
    out.add("    try:", _entry(p))
    _render_gen_stmts(p.body, 2, out)
    out.add("    except _PYERRORS as _e:", OpInfo(p.end_line))
    out.add("        raise _pyerr(_e) from None", OpInfo(p.end_line))
    return out
