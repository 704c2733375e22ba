"""Compile Lua source to Python functions, and the helpers generated code calls.

A Chunk is one compiled source text: its protos, the executed module namespace
holding the factories, and a cache of resume forms built on demand. Chunks are
cached by (source, name) so restoring a snapshot recompiles nothing already seen.
"""

from __future__ import annotations

import itertools
import math
import weakref
from collections.abc import Callable, Iterable, Iterator
from types import CodeType, FunctionType
from typing import TYPE_CHECKING, Any

from .. import diskcache
from ..lexer import LuaSyntaxError
from . import icache, limits, ops, state
from .coroutine import Coroutine, Suspend, apply_pending_handler, inner, resume_value, to_lua_error
from .deopt import deopt
from .frames import CODE_INFO, CodeInfo, chunkid, forget, position
from .values import (
    EMPTY_HASH,
    MAXINT,
    MININT,
    NO_ARRAY,
    NORET,
    TAILCALL,
    Box,
    LuaError,
    LuaTable,
    Ret,
    fmt_float,
    lua_bytes,
    rt_error,
    str2number,
    tointeger,
    type_name,
    wrap,
)

if TYPE_CHECKING:
    from ..compiler.ir import Proto
    from ..compiler.render import Source


def _render() -> Any:
    """luavm.compiler.render, imported when first needed: a process whose chunks all
    come from the disk cache never renders one (nor imports the IR's classes, ~8 ms)."""
    from ..compiler import render

    return render


def _first1(r: Any) -> Any:
    return ops.first(r) if r.__class__ is Ret else r


def _truth1(r: Any) -> bool:
    if r.__class__ is Ret:
        r = ops.first(r)
    return r is not None and r is not False


def _discard(r: Ret) -> None:
    if r and r[0] is TAILCALL:
        ops.do_tail(r)


def _tailcall(f: Any, args: tuple, desc: str | None) -> Any:
    """A tail call to a Lua function is performed by the caller (the Python stack
    stays flat); anything else is simply called here."""
    if f.__class__ is FunctionType and f.__code__ in CODE_INFO:
        return (TAILCALL, f, args, desc)
    if not ops.is_function(f):
        # a value called through `__call` (maybe a chain of them) stays a tail call
        while not ops.is_function(f):
            h = ops.metafield(f, b"__call")
            if h is None:
                raise ops.call_error(f, desc)
            args = (f, *args)
            f = h
        if f.__class__ is FunctionType and f.__code__ in CODE_INFO:
            return (TAILCALL, f, args, desc)
    # a builtin ends the chain of nested tail calls here: the count starts over (else
    # every later tail call of the program, `return tostring(x)`, would come here)
    ops.TAIL_COUNT[0] = 0
    return f(*args)


def _adjust(r: Any, n: int) -> tuple:
    if r.__class__ is not Ret:
        return (r,) + (None,) * (n - 1)
    v = ops.results(r)
    if len(v) >= n:
        return v[:n]
    return v + (None,) * (n - len(v))


def _pad(v: tuple, n: int) -> tuple:
    if len(v) >= n:
        return v[:n]
    return v + (None,) * (n - len(v))


def _forexp(r: Any) -> tuple[tuple, Any]:
    """A generic for's explist call results as ((f, s, control), closing value):
    the general case of the inline test in the generated code."""
    v = ops.results(r)
    if len(v) < 4:
        v = v + (None,) * (4 - len(v))
    return (v[0], v[1], v[2]), v[3]


def _newtable(arr: list) -> LuaTable:
    """A constructor's table whose last positional values may be nil (trimmed)."""
    while arr and arr[-1] is None:
        arr.pop()
    return LuaTable(arr) if arr else LuaTable()


def _setlist(t: LuaTable, arr: list) -> None:
    for i, v in enumerate(arr, 1):
        t.set(i, v)


def _tableset(t: LuaTable, k: Any, v: Any) -> None:
    if v is None:
        if k is None:
            raise rt_error("table index is nil")
        return
    ops.rawset_checked(t, k, v)


def _fornum(v: Any, what: str) -> Any:
    """A 'for' control value as a number; strings convert, as in lvm.c's forprep."""
    t = type(v)
    if t is int or t is float:
        return v
    if t is bytes:
        n = str2number(v)
        if n is not None:
            return n
    raise rt_error(f"bad 'for' {what} (number expected, got {ops.typename_of(v)})")


def _forlimit(limit: Any, step: int, start: int) -> int:
    """An integer loop's limit, clipped as forlimit() in lvm.c does for float limits."""
    if type(limit) is int:
        return limit
    limit = _fornum(limit, "limit")
    if type(limit) is int:
        return limit
    skip = start - 1 if step > 0 else start + 1  # a limit that runs no iteration
    if limit != limit:
        return skip
    if limit >= 2.0**63:
        return MAXINT if step > 0 else skip
    if limit < -(2.0**63):
        return MININT if step < 0 else skip
    return int(math.floor(limit) if step > 0 else math.ceil(limit))


def _forstep(step: int) -> int:
    if step == 0:
        raise rt_error("'for' step is zero")
    return step


def _forprep(start: Any, limit: Any, step: Any) -> tuple:
    if type(start) is int and type(step) is int:
        if step == 0:
            raise rt_error("'for' step is zero")
        return start, _forlimit(limit, step, start), step
    # otherwise all three become floats (checked in lvm.c's order)
    limit = _fornum(limit, "limit")
    step = _fornum(step, "step")
    start = _fornum(start, "initial value")
    if step == 0:
        raise rt_error("'for' step is zero")
    return float(start), float(limit), float(step)


def _forloop(start: Any, limit: Any, step: Any) -> tuple[Iterable[Any], Any, Any, Any]:
    """A numeric for of run-time kind: (its values, start, inclusive limit, step)."""
    if type(start) is int and type(step) is int:
        if type(limit) is not int:
            limit = _forlimit(limit, step, start)
        if step > 0:
            return range(start, limit + 1, step), start, limit, step
        if step == 0:
            raise rt_error("'for' step is zero")
        return range(start, limit - 1, step), start, limit, step
    start, limit, step = _forprep(start, limit, step)
    return _float_loop(start, limit, step), start, limit, step


def _frange(start: Any, limit: Any, step: Any) -> Iterable[Any]:
    """The values of a prepared numeric for: `limit` is inclusive (as Lua's)."""
    if type(start) is int:
        return range(start, limit + 1 if step > 0 else limit - 1, step)
    return _float_loop(start, limit, step)


def _float_loop(i: float, limit: float, step: float) -> Iterator[float]:
    if step > 0:
        while i <= limit:
            yield i
            i += step
    else:
        while i >= limit:
            yield i
            i += step


def _close_prepare(v: Any, name: str) -> bool:
    if v is None or v is False:
        return False
    if ops.metafield(v, b"__close") is None:
        raise rt_error(f"variable '{name}' got a non-closable value")
    return True


def _close_normal(v: Any) -> None:
    # the metamethod is looked up again: if it is gone, calling nil is the error
    ops.call_noyield(ops.call_tm, ops.metafield(v, b"__close"), b"__close", v, None)


def _close_call(v: Any) -> None:
    """A close on a normal way out of a scope (compiler: close_now): a plain
    metamethod call, so the `__close` may yield or suspend the task."""
    ops.call_tm(ops.metafield(v, b"__close"), b"__close", v, None)


def _close_begin(e: BaseException) -> LuaError | None:
    """An error about to close a variable, as the Lua error it closes it with
    (an xpcall handler runs first: __close gets its result); None for what is no
    Lua error (os.exit's SystemExit: _close_error's way)."""
    if not isinstance(e, Exception):
        return None
    err = to_lua_error(e) if not isinstance(e, LuaError) else e
    apply_pending_handler(err)
    return err


def _close_with(v: Any, value: Any) -> None:
    """Close v with an error value (render_try): a plain metamethod call, so the
    `__close` may yield or suspend the task."""
    ops.call_tm(ops.metafield(v, b"__close"), b"__close", v, value)


def _close_error(v: Any, e: BaseException) -> BaseException:
    if not isinstance(e, Exception):
        # os.exit (SystemExit) or an interrupt leaves the program, not as a Lua
        # error; `os.exit(n, true)` closes the pending variables (lua_close)
        if getattr(e, "lua_close", False) and v is not None and v is not False:
            try:
                ops.call_noyield(ops.call_tm, ops.metafield(v, b"__close"), b"__close", v, None)
            except LuaError:
                pass  # (lua_close ignores errors in closing methods)
        return e
    err = to_lua_error(e) if not isinstance(e, LuaError) else e
    if v is not None and v is not False:  # nil and false are not closed
        apply_pending_handler(err)  # an xpcall handler runs first: __close gets its result
        ops.call_noyield(ops.call_tm, ops.metafield(v, b"__close"), b"__close", v, err.value)
    return err


def _pyerr(e: BaseException) -> BaseException:
    """A raw Python exception raised in a generated frame, as Lua sees it."""
    tb = e.__traceback__
    if isinstance(e, RecursionError):
        # the deepest Lua frame is where the stack overflowed
        pos = ""
        t = tb
        while t is not None:
            if t.tb_frame.f_code in CODE_INFO:
                ci = CODE_INFO[t.tb_frame.f_code]
                entry = ci.lines.get(t.tb_lineno)
                line = entry[0].line if entry and entry[0] else ci.proto.line
                pos = f"{chunkid(ci.chunk.name)}:{line}: "
            t = t.tb_next
        return _at(LuaError(lua_bytes(pos + "stack overflow")), tb)
    if isinstance(e, TypeError) and tb is not None and tb.tb_next is None:
        f = tb.tb_frame
        info = CODE_INFO.get(f.f_code)
        entry = info.lines.get(tb.tb_lineno) if info else None
        op = entry[0] if entry else None
        if info is not None and op is not None and op.kind == "call":
            callee = _callee_value(f, info, tb.tb_lineno)
            if callee is not _UNKNOWN and not callable(callee):
                desc = f" ({op.descs[0]})" if op.descs and op.descs[0] else ""
                return _at(LuaError(
                    lua_bytes(f"{position(f, tb.tb_lineno)} attempt to call a {type_name(callee)} value{desc}")
                ), tb)
    err = to_lua_error(e)
    if tb is not None and not isinstance(e, LuaError):
        f = tb.tb_frame
        if f.f_code in CODE_INFO:
            err.value = lua_bytes(f"{position(f, tb.tb_lineno)} ") + err.value
    err.__cause__ = e
    return _at(err, tb)


def _at(err: LuaError, tb: Any) -> LuaError:
    """Remember where in the generated frame the error happened, for tracebacks."""
    if tb is not None:
        err.origin = (tb.tb_frame, tb.tb_lineno)
    return err


_UNKNOWN = object()


def _callee_value(f: Any, ci: CodeInfo, lineno: int) -> Any:
    entry = ci.lines.get(lineno)
    callee = entry[0].fn if entry and entry[0] is not None else None
    if not callee:
        return _UNKNOWN
    try:
        return eval(callee, f.f_globals, f.f_locals)  # a local name or `box.v`: no effects
    except Exception:
        return _UNKNOWN


NAMESPACE: dict[str, Any] = {
    "_Suspend": Suspend,
    "_PYERRORS": (TypeError, RecursionError, MemoryError),
    "_pyerr": _pyerr,
    "_Box": Box,
    "_LT": LuaTable,
    "_new": object.__new__,  # compiler/expressions.py `new_table`: a table built inline
    "_EH": EMPTY_HASH,
    "_NOARR": NO_ARRAY,
    "_Ret": Ret,
    "_NORET": NORET,
    "_TAILCALL": TAILCALL,
    "_first": ops.first,
    "_first1": _first1,
    "_truth1": _truth1,
    "_results": ops.results,
    "_discard": _discard,
    "_tailcall": _tailcall,
    "_tk": limits.POP,
    "_charge": limits.charge,
    "_refill": limits.refill,
    "_TC": ops.TAIL_COUNT,
    "_adjust": _adjust,
    "_pad": _pad,
    "_forexp": _forexp,
    "_index": ops.index,
    "_index_str": ops.index_str,
    "_ICSITE": icache.site,
    "_NOIC": icache.NOIC,
    "_setindex": ops.setindex,
    "_tableset": _tableset,
    "_setlist": _setlist,
    "_newtable": _newtable,
    "_add": ops.add, "_sub": ops.sub, "_mul": ops.mul, "_div": ops.div, "_mod": ops.mod,
    "_idiv": ops.idiv, "_pow": ops.pow_, "_unm": ops.unm, "_band": ops.band, "_bor": ops.bor,
    "_bxor": ops.bxor, "_shl": ops.shl, "_shr": ops.shr, "_bnot": ops.bnot,
    "_eq": ops.eq, "_lt": ops.lt, "_le": ops.le, "_concat": ops.concat, "_len": ops.length,
    "_forlimit": _forlimit,
    "_forprep": _forprep,
    "_frange": _frange,
    "_forloop": _forloop,
    "_forstep": _forstep,
    "_range": range,
    "_ONCE": (None,),
    "_close_prepare": _close_prepare,
    "_close_normal": _close_normal,
    "_close_call": _close_call,
    "_close_begin": _close_begin,
    "_close_with": _close_with,
    "_LuaError": LuaError,
    "_close_error": _close_error,
    "_GenExit": GeneratorExit,
    "_inner": inner,
    "_yvals": resume_value,
    "_INF": math.inf,
    "_NAN": math.nan,
    "__builtins__": {"BaseException": BaseException},
    "_plen": len,
    "_IndexError": IndexError,
    "_int": int,
    "_float": float,
    "_bytes": bytes,
    "_locals": locals,
    "_csqrt": math.sqrt,
    "_cfloor": math.floor,
    "_deopt": deopt,
    "_bool": bool,
    "_wrap": wrap,
    "_pairs": LuaTable.pairs,
    "_pnext": next,
    "_WD": icache.WatchedDict,
}


NAMESPACE["_STATE"] = state
NAMESPACE["_COROUTINE"] = Coroutine
NAMESPACE["_MATHTYPES"] = {int: b"integer", float: b"float"}


def register(**builtins: Any) -> None:
    """Builtins that generated code calls by name (`_YIELD` becomes `yield` in
    generator forms; `_NEXT`, `_MSQRT`... run inline, compiler/expressions.py
    _INLINE) are registered by the stdlib module that defines each, when it
    loads: the runtime does not import the stdlib. A chunk copies NAMESPACE when
    it is made, so every runtime imports the whole stdlib first (host.py does)."""
    NAMESPACE.update(builtins)


class Chunk:
    """One compiled Lua source: protos, their Python factories, resume forms on demand."""

    @property
    def python_source(self) -> str:
        """The generated Python as a person reads it (`luavm --emit-python`): the
        executed code with its long lines broken inside brackets (so its physical
        line numbers differ from the executed code's; the statements are the same)."""
        return _render().render_module(self.protos, self.name, wrap_long=True).text()

    def __init__(self, source: bytes, name: str, counting: bool = False) -> None:
        self.counting = counting
        self.source = source
        self.name = name
        self.stripped = False  # loaded from a stripped binary chunk: no line information (dump.py)
        self._protos: list[Proto] | None = None  # None until a cached chunk's IR is first needed
        self._ir = b""  # that IR, pickled with the generated code's lines and line table
        cache = diskcache.enabled()  # (the key's hashing loads OpenSSL: ~4 MB)
        ck = diskcache.key("chunk", source, name, str(counting)) if cache else ""
        hit = _cached(diskcache.get("chunk", ck), source, name, counting) if cache else None
        if hit is not None:
            # compiled before (any process): the code is marshalled, the IR stays pickled
            code, metas, self._ir = hit
            src = None
        else:
            # imported here: a process whose chunks are all cached never loads Lark
            from ..compiler.codegen import CompileError, compile_chunk
            from ..parser import first_error, parse

            try:
                poll = limits.poll if counting else None  # (counting: compiled for a limited runtime)
                tree = parse(source, chunkid(name), skip_shebang=False, poll=poll)
                self._protos = compile_chunk(tree, counting, poll)
            except CompileError as e:  # the checker knows which error Lua meets first
                msg = first_error(source, chunkid(name), skip_shebang=False)
                raise LuaSyntaxError(msg or f"{chunkid(name)}{e.msg}") from None
            src = _render().render_module(self._protos, name)
            code = _compile_py(src, _pyfile(name), chunkid(name))
            metas = [(p.index, p.name, _saved_names(p), list(p.upvalues)) for p in self._protos]
            if cache:
                import pickle

                ir = pickle.dumps((self._protos, src.lines, src.info), pickle.HIGHEST_PROTOCOL)
                diskcache.put("chunk", ck, (_FORMAT, source, name, counting, code, metas, ir))
        self.ns = dict(NAMESPACE)
        self.ns["_CHUNK"] = self  # the chunk lives as long as its functions (their globals)
        self.ns["_GEN_FORMS"] = {}  # id(code) -> (code, generator form): coroutine.py
        self.tag = f"luavm chunk {name} #{next(_SERIAL)}"  # its code objects are its own
        self._codes: list[CodeType] = []  # its entries in CODE_INFO, dropped when it goes
        weakref.finalize(self, forget, self._codes)
        exec(_distinct(code, self.tag), self.ns)
        self._resume_cache: dict[tuple[int, int], Any] = {}
        self._texts: dict[Any, list[str]] = {}
        self._lazy: list[tuple[CodeType, _LazyInfo]] = []  # infos waiting for the IR
        self._key = ck  # its disk cache key ("": no cache); its generator forms' keys derive from it
        self._metas = metas  # per proto: (index, name, saved names, upvalues), without the IR
        table = src.table() if src is not None else {}
        ref = weakref.ref(self)
        for index, pname, names, _ in metas:
            factory = self.ns[f"_p{index}"]
            inner = next(c for c in factory.__code__.co_consts
                         if hasattr(c, "co_name") and c.co_name == pname)
            if src is not None:
                assert self._protos is not None
                self._register(inner, CodeInfo(ref, self._protos[index], table, names))
                self._texts[inner] = src.lines
            else:
                info = _LazyInfo(ref, index, names)
                self._register(inner, info)
                self._lazy.append((inner, info))

    @property
    def protos(self) -> list[Proto]:
        """The chunk's IR, one Proto per function (index = Proto.index)."""
        p = self._protos
        return p if p is not None else self._load_ir()

    def _load_ir(self) -> list[Proto]:
        """Unpickle a cached chunk's IR (the first time a traceback, the debug library,
        a suspension's resume form, a coroutine's generator form or a snapshot needs it:
        most chunks a process loads never do) and complete its functions' CodeInfos."""
        import pickle  # (only here and when a chunk is first cached: not at start-up)

        protos, lines, info = pickle.loads(self._ir)
        src = _render().Source()
        src.lines, src.info = lines, info
        table = src.table()
        for code, ci in self._lazy:
            ci.proto = protos[ci.index]
            if ci.freevars is None:
                ci.lines = table
                self._texts[code] = lines
            else:  # a cached generator form: its line table is its rendering's (deterministic)
                gen = _render().render_generator(ci.proto, ci.freevars)
                ci.lines = gen.table()
                self._texts[code] = gen.lines
        self._protos, self._ir, self._lazy = protos, b"", []
        return protos

    def _register(self, code: CodeType, info: CodeInfo) -> None:
        CODE_INFO[code] = info
        self._codes.append(code)

    def source_lines_for(self, code: Any, lineno: int) -> str | None:
        if self._protos is None:
            self._load_ir()
        lines = self._texts.get(code)
        if lines is None or not 0 < lineno <= len(lines):
            return None
        return lines[lineno - 1]

    def main(self, env: LuaTable) -> Any:
        """The main function (a closure over _ENV = env)."""
        return self.ns["_p0"](Box(env))

    def resume_factory(self, proto: Proto, rp: int) -> Any:
        key = (proto.index, rp)
        f = self._resume_cache.get(key)
        if f is None:
            src = _render().render_resume(proto, rp)
            code = _compile_py(src, _pyfile(self.name, f" resume {proto.index}:{rp}"), chunkid(self.name))
            exec(_distinct(code, self.tag), self.ns)
            f = self.ns.pop(f"_rf{proto.index}_{rp}")
            inner = next(c for c in f.__code__.co_consts
                         if hasattr(c, "co_name") and c.co_name == proto.name)
            self._register(inner, CodeInfo(weakref.ref(self), proto, src.table(), _saved_names(proto)))
            self._texts[inner] = src.lines
            self._resume_cache[key] = f
        return f


    def gen_function(self, ci: CodeInfo, freevars: tuple[str, ...]) -> Any:
        """The generator form (for coroutine bodies) of the function whose CodeInfo is
        `ci`, built on first use; None if it has none (an upvalue its closures lack, or
        too deep for Python). freevars: those of its closures. Its code is kept in the
        disk cache too, so a cached chunk makes it without reading its IR (the kernel's
        coroutine bodies: every process's first step)."""
        index = getattr(ci, "index", None)  # a _LazyInfo knows it without its proto
        if index is None:
            index = ci.proto.index
        _, pname, names, ups = self._metas[index]
        if not set(ups) <= set(freevars):
            return None
        key = (index, -1)
        f = self._resume_cache.get(key)
        if f is False:
            return None
        if f is None:
            filename = _pyfile(self.name, f" coroutine {index}")
            gk = diskcache.key("gen", self._key, str(index), *freevars) if self._key else ""
            code = diskcache.get("gen", gk) if gk else None
            src = None
            if type(code) is not CodeType or code.co_filename != filename:
                src = _render().render_generator(self.protos[index], freevars)
                try:
                    code = compile(src.text(), filename, "exec")
                except (SyntaxError, RecursionError, MemoryError):  # too deep for Python: no generator form
                    self._resume_cache[key] = False
                    return None
                if gk:
                    diskcache.put("gen", gk, code)
            exec(_distinct(code, self.tag), self.ns)
            f = self.ns.pop(pname)
            if src is None and self._protos is not None:  # the IR is read already: the lines now
                src = _render().render_generator(self._protos[index], freevars)
            if src is not None:
                self._register(f.__code__, CodeInfo(weakref.ref(self), self.protos[index], src.table(), names))
                self._texts[f.__code__] = src.lines
            else:
                info = _LazyInfo(weakref.ref(self), index, names, freevars)
                self._register(f.__code__, info)
                self._lazy.append((f.__code__, info))
            self._resume_cache[key] = f
        return f


_FORMAT = 2  # the layout of a cached chunk (below); a new layout gets a new number


def _cached(hit: Any, source: bytes, name: str, counting: bool) -> tuple[CodeType, list[Any], bytes] | None:
    """A chunk's cache entry as (code, per proto (index, name, saved names, upvalues), pickled IR),
    if it is one of this layout made from exactly this source, name and option (the
    key is a hash of them: this also rules out a collision or a renamed file)."""
    if (type(hit) is not tuple or len(hit) != 7 or hit[0] != _FORMAT or hit[1] != source or hit[2] != name
            or hit[3] is not counting or type(hit[4]) is not CodeType or type(hit[5]) is not list
            or type(hit[6]) is not bytes):
        return None
    return hit[4], hit[5], hit[6]


class _LazyInfo(CodeInfo):
    """The CodeInfo of a function of a chunk loaded from the disk cache: its proto and
    line table are read from the chunk's pickled IR when first asked for (Chunk._load_ir
    then sets them as plain attributes: later reads cost nothing extra)."""

    def __init__(self, chunk_ref: Callable[[], Any], index: int, names: list[str],
                 freevars: tuple[str, ...] | None = None) -> None:
        self.chunk_ref, self.index, self.names = chunk_ref, index, names
        self.freevars = freevars  # a generator form's (its line table is rendered from the IR)

    def __getattr__(self, attr: str) -> Any:
        if attr in ("proto", "lines"):
            chunk = self.chunk_ref()
            if chunk is not None and chunk._protos is None:
                chunk._load_ir()
                return getattr(self, attr)
        raise AttributeError(attr)


def _compile_py(src: Source, filename: str, cid: str) -> Any:
    """compile() the generated Python. CPython refuses more than 20 nested blocks
    (loops, try) in one function: Lua code nesting that deep gets a Lua error
    naming the Lua line, not a Python SyntaxError."""
    try:
        return compile(src.text(), filename, "exec")
    except (SyntaxError, RecursionError, MemoryError) as e:
        line = 0
        lineno = getattr(e, "lineno", None)
        if lineno and 0 < lineno <= len(src.info) and src.info[lineno - 1][0] is not None:
            line = src.info[lineno - 1][0].line
        what = e.msg if isinstance(e, SyntaxError) else type(e).__name__
        raise LuaSyntaxError(f"{cid}:{line}: function too complex for luavm ({what})") from None


_SERIAL = itertools.count()


def _distinct(code: CodeType, tag: str) -> CodeType:
    """The code with the chunk's tag added to every code object's constants.

    Python compares code objects by content: two chunks compiled from the same
    text would share their CODE_INFO entries (one would report the other's chunk
    name, and the first to be freed would take the other's entries with it). The
    unused constant, unique per chunk, tells them apart."""
    consts = tuple(_distinct(c, tag) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_consts=(*consts, tag))


def _pyfile(name: str, extra: str = "") -> str:
    """The Python file name of a chunk's code: Lua's chunk id, with the characters
    Python rejects in a file name (NUL) or shows badly (control bytes) escaped."""
    cid = "".join(c if " " <= c != "\x7f" else f"\\x{ord(c):02x}" for c in chunkid(name))
    return f"<lua {cid}{extra}>"


def _saved_names(p: Proto) -> list[str]:
    return list(dict.fromkeys(p.params + p.locals))


def file_text(data: bytes) -> bytes:
    """The Lua text of a source file, as luaL_loadfile reads it: a UTF-8 BOM is
    dropped and a first line starting with '#' is ignored (kept as a comment so
    line numbers stay right). load() of a string does neither."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    return b"--" + data if data.startswith(b"#") else data


# Chunks by text and name, least recently used first: a host that loads new code
# per request keeps only recent chunks; code a long-running host uses again (the
# same modules in every new state, a restored snapshot's chunks) is not recompiled.
_CACHE: dict[tuple[bytes, str, bool], Chunk] = {}
CACHE_SIZE = 128


def load_chunk(source: bytes, name: str, counting: bool | None = None) -> Chunk:
    """Compile (or fetch from the in-process cache) a chunk; raises LuaSyntaxError.
    `counting`: compile step counting in (default: if the running state has limits)."""
    if counting is None:
        lim = state.current.limits if state.current is not None else None
        counting = lim is not None and lim.counting
    key = (source, name, counting)
    c = _CACHE.pop(key, None)
    if c is None:
        c = Chunk(source, name, counting)
        if len(_CACHE) >= CACHE_SIZE:  # least recently used out
            del _CACHE[next(iter(_CACHE))]
    _CACHE[key] = c  # (most recently used last)
    return c


__all__ = ["Chunk", "load_chunk", "file_text", "NAMESPACE", "register", "fmt_float", "tointeger"]
