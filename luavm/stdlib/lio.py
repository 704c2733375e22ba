"""The `io` library, following liolib.c of Lua 5.4.4.

Only opened when the embedder grants host access. File handles are `LuaFile`
userdata over Python binary streams; the results and error triples
(`nil, "name: strerror", errno`) are the ones C's stdio produces.

State kept on the LuaState (it is per state, and part of it):
- `st.io_stdin` / `st.io_stdout` / `st.io_stderr`: the raw binary streams of
  the standard files (an embedder may set them before opening; default: the
  state's `st.stdout` etc. that `print` writes to, else `sys.stdout.buffer`
  etc., so `print` and `io.write` output stays ordered);
- `st.io_input` / `st.io_output`: the current default files (`LuaFile`);
- `st.io_meta`: the `FILE*` metatable.

A snapshot writes the standard files by name (they are permanents, in
`st.registry` as "io.stdin" etc.) and restores them as the new state's own, so
a task with host access that never opened a file snapshots; `st.io_input` /
`st.io_output` are snapshot roots. A file the program opened is refused (its
stream cannot move to another process).
"""

from __future__ import annotations

import builtins
import errno
import io
import math
import os
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from ..runtime import state
from ..runtime.args import (
    NOVALUE,
    arg_error,
    check_any,
    check_int,
    check_option,
    check_str,
    opt_int,
    opt_str,
    type_error,
)
from ..runtime.frames import register_builtin
from ..runtime.state import LuaState
from ..runtime.values import NORET, LuaTable, Ret, Userdata, rt_error, str2number, tostr

EBADF = 9
ESPIPE = 29
EINVAL = 22
MAXARGLINE = 250
L_MAXLENNUM = 200
_CHUNK = 1 << 20
_SPACES = frozenset(b" \t\n\v\f\r")
_DIGITS = frozenset(b"0123456789")
_XDIGITS = frozenset(b"0123456789abcdefABCDEF")


class LuaFile(Userdata):
    """A Lua file handle. `kind` is how it closes: "file", "std" (never), "popen";
    None means closed (liolib's `closef == NULL`)."""

    __slots__ = ("f", "kind", "proc", "vbuf")

    def __init__(self, f: Any, kind: str | None, meta: LuaTable | None, vbuf: str = "full") -> None:
        super().__init__(meta)
        self.f = f
        self.kind = kind
        self.proc: Any = None  # a subprocess.Popen (io.popen)
        self.vbuf = vbuf

    def __repr__(self) -> str:
        return f"<LuaFile {self.kind} {self.f!r}>"


def _newfile(f: Any, kind: str = "file") -> LuaFile:
    return LuaFile(f, kind, state.current.io_meta)


def _errno(e: BaseException, unsupported: int) -> int:
    """The errno C would report; Python's refusals of an operation (unsupported
    operation, missing method, closed Python file) carry none."""
    if not isinstance(e, OSError) or isinstance(e, io.UnsupportedOperation) or not e.errno:
        return unsupported
    return e.errno


def _fileresult(e: BaseException, fname: bytes | None = None, unsupported: int = EBADF) -> Ret:
    """luaL_fileresult for a failure: nil, "[fname: ]strerror", errno."""
    en = _errno(e, unsupported)
    msg = os.strerror(en).encode()
    if fname is not None:
        msg = fname.split(b"\0", 1)[0] + b": " + msg
    return (None, msg, en)


# what a stream that cannot do an operation raises (no such method, closed)
_STREAM_ERRORS = (OSError, AttributeError, ValueError)


def _path(fname: bytes) -> bytes:
    return fname.split(b"\0", 1)[0]  # the C library sees a NUL-terminated string


def _tolstream(v: Any, fname: str) -> LuaFile:
    if not isinstance(v, LuaFile):
        raise type_error(1, fname, "FILE*", v)
    return v


def _tofile(v: Any, fname: str) -> LuaFile:
    p = _tolstream(v, fname)
    if p.kind is None:
        raise rt_error("attempt to use a closed file")
    return p


def _aux_close(p: LuaFile) -> Any:
    kind = p.kind
    p.kind = None
    if kind == "std":
        p.kind = "std"  # io_noclose: the standard files stay open
        return (None, b"cannot close standard file")
    if kind == "popen":
        try:
            p.f.close()
        except OSError:
            pass
        assert p.proc is not None
        rc = p.proc.wait()
        if rc < 0:
            return (None, b"signal", -rc)
        return (True if rc == 0 else None, b"exit", rc)
    try:
        p.f.close()
    except OSError as e:
        return _fileresult(e)
    return True


# -------------------------------------------------------------------- read


def _peek(f: Any) -> int:
    """The next byte without consuming it (-1 at end of file)."""
    if hasattr(f, "peek"):
        b = f.peek(1)[:1]
    else:
        pos = f.tell()
        b = f.read(1)
        f.seek(pos)
    return b[0] if b else -1


def _read_number(f: Any) -> tuple[Any, bool]:
    """liolib's read_number: the longest numeral prefix (at most 200 chars), then convert."""
    buff = bytearray()
    ok = True
    c = _peek(f)
    while c in _SPACES:
        f.read(1)
        c = _peek(f)

    def accept() -> bool:
        nonlocal c, ok
        if len(buff) >= L_MAXLENNUM:
            ok = False  # numeral too long: the result is invalid
            return False
        buff.append(c)
        f.read(1)
        c = _peek(f)
        return True

    def test2(s: bytes) -> bool:
        return c != -1 and c in s and accept()

    def readdigits(hexa: bool) -> int:
        n = 0
        while c in (_XDIGITS if hexa else _DIGITS) and accept():
            n += 1
        return n

    count = 0
    hexa = False
    test2(b"-+")
    if test2(b"0"):
        if test2(b"xX"):
            hexa = True
        else:
            count = 1
    count += readdigits(hexa)
    if test2(b"."):
        count += readdigits(hexa)
    if count > 0 and test2(b"pP" if hexa else b"eE"):
        test2(b"-+")
        readdigits(False)
    v = str2number(bytes(buff)) if ok else None
    return v, v is not None


def _read_line(f: Any, chop: bool) -> tuple[bytes, bool]:
    line = f.readline()
    if line.endswith(b"\n"):
        return (line[:-1] if chop else line), True
    return line, len(line) > 0


def _read_all(f: Any) -> bytes:
    data = f.read()
    return data or b""


def _read_chars(f: Any, n: int) -> tuple[bytes, bool]:
    if n < 0:  # a huge size_t in C: the buffer cannot be allocated
        raise rt_error("not enough memory")
    if n <= _CHUNK:
        data = f.read(n) or b""
    else:
        parts = []
        left = n
        while left > 0:
            part = f.read(min(left, _CHUNK))
            if not part:
                break
            parts.append(part)
            left -= len(part)
        data = b"".join(parts)
    return data, len(data) > 0


def _g_read(p: LuaFile, fmts: tuple, first: int, fname: str) -> Any:
    f = p.f
    _sync_before_read(p)
    results: list[Any] = []
    success = True
    try:
        if not fmts:
            v, success = _read_line(f, True)
            results.append(v)
        else:
            for k, fmt in enumerate(fmts):
                n = first + k
                if type(fmt) is int or type(fmt) is float:
                    ln = check_int(fmt, n, fname)
                    if ln == 0:
                        v, success = b"", _peek(f) != -1
                    else:
                        v, success = _read_chars(f, ln)
                else:
                    s = check_str(fmt, n, fname)
                    if s[:1] == b"*":
                        s = s[1:]
                    c = s[:1]
                    if c == b"n":
                        v, success = _read_number(f)
                    elif c == b"l":
                        v, success = _read_line(f, True)
                    elif c == b"L":
                        v, success = _read_line(f, False)
                    elif c == b"a":
                        v, success = _read_all(f), True
                    else:
                        raise arg_error(n, fname, "invalid format")
                results.append(v)
                if not success:
                    break
    except _STREAM_ERRORS as e:
        return _fileresult(e)
    if not success:
        results[-1] = None
    return results[0] if len(results) == 1 else Ret(results)


def _sync_before_read(p: LuaFile) -> None:
    """Flush the standard output before reading the standard input (prompts)."""
    st = state.current
    if p.kind == "std" and p.f is st.io_stdin:
        out = st.io_stdout
        try:
            if out is not None:
                out.flush()
        except (OSError, ValueError):
            pass


# ------------------------------------------------------------------- write


def _fmt_num(v: float) -> bytes:
    """LUA_INTEGER_FMT / LUA_NUMBER_FMT ("%.14g", so 1.0 is written as "1")."""
    if type(v) is int:
        return b"%d" % v
    if math.isnan(v):
        return b"-nan" if math.copysign(1.0, v) < 0 else b"nan"
    return b"%.14g" % v


def _g_write(p: LuaFile, args: tuple, first: int, fname: str) -> Any:
    f = p.f
    err: Exception | None = None
    wrote_nl = False
    for k, v in enumerate(args):
        tv = type(v)
        data = _fmt_num(v) if tv is int or tv is float else check_str(v, first + k, fname)
        if err is None:
            try:
                f.write(data)
            except _STREAM_ERRORS as e:
                err = e
        wrote_nl = wrote_nl or b"\n" in data
    if err is not None:
        return _fileresult(err)
    if p.vbuf == "no" or (p.vbuf == "line" and wrote_nl):
        return _flush(p, p)
    return p


# ----------------------------------------------------------------- methods


def f_read(self: Any = NOVALUE, *fmts: Any) -> Any:
    return _g_read(_tofile(self, "read"), fmts, 2, "read")


def f_write(self: Any = NOVALUE, *args: Any) -> Any:
    return _g_write(_tofile(self, "write"), args, 2, "write")


class LinesIter:
    """The iterator of `lines` (io_readline's closure): reads with the saved formats."""

    __slots__ = ("file", "fmts", "toclose")

    def __init__(self, file: LuaFile, fmts: tuple, toclose: bool) -> None:
        self.file = file
        self.fmts = fmts
        self.toclose = toclose

    def __call__(self, *_: Any) -> Any:
        p = self.file
        if p.kind is None:
            raise rt_error("file is already closed")
        r = _g_read(p, self.fmts, 2, "lines")
        res = r if type(r) is Ret else (r,)
        if res[0] is not None and res[0] is not False:
            return r
        if len(res) > 1:  # error information
            raise rt_error(tostr(res[1]))
        if self.toclose:
            _aux_close(p)
        return NORET


def _aux_lines(p: LuaFile, fmts: tuple, toclose: bool, fname: str) -> LinesIter:
    if len(fmts) > MAXARGLINE:
        raise arg_error(MAXARGLINE + 2, fname, "too many arguments")
    return LinesIter(p, fmts, toclose)


def f_lines(self: Any = NOVALUE, *fmts: Any) -> Any:
    return _aux_lines(_tofile(self, "lines"), fmts, False, "lines")


def _flush(p: LuaFile, ok: Any = True) -> Any:
    flush = getattr(p.f, "flush", None)
    try:
        if flush is not None:
            flush()
    except _STREAM_ERRORS as e:
        return _fileresult(e)
    return ok


def f_flush(self: Any = NOVALUE, *_: Any) -> Any:
    return _flush(_tofile(self, "flush"))


def f_seek(self: Any = NOVALUE, whence: Any = None, offset: Any = None, *_: Any) -> Any:
    p = _tofile(self, "seek")
    op = check_option(whence, 2, "seek", [b"set", b"cur", b"end"], b"cur")
    off = opt_int(offset, 3, "seek", 0)
    try:
        return p.f.seek(off, {b"set": 0, b"cur": 1, b"end": 2}[op])
    except (OSError, AttributeError) as e:  # no seek: a pipe or terminal
        return _fileresult(e, unsupported=ESPIPE)
    except (ValueError, OverflowError):  # a negative or huge position
        return _fileresult(OSError(EINVAL, "Invalid argument"))


def f_setvbuf(self: Any = NOVALUE, mode: Any = NOVALUE, size: Any = None, *_: Any) -> Any:
    """Python cannot re-buffer an open stream; the mode decides when writes flush."""
    p = _tofile(self, "setvbuf")
    op = check_option(mode, 2, "setvbuf", [b"no", b"full", b"line"])
    opt_int(size, 3, "setvbuf", 1024)
    p.vbuf = op.decode()
    return _flush(p) if op == b"no" else True


def f_close(self: Any = NOVALUE, *_: Any) -> Any:
    return _aux_close(_tofile(self, "close"))


def f_gc(self: Any = NOVALUE, *_: Any) -> Any:
    p = _tolstream(self, "__gc")
    if p.kind is not None and p.f is not None:
        _aux_close(p)
    return NORET


def f_tostring(self: Any = NOVALUE, *_: Any) -> bytes:
    p = _tolstream(self, "tostring")
    if p.kind is None:
        return b"file (closed)"
    return b"file (0x%x)" % id(p.f)


# -------------------------------------------------------------- functions


def _checkmode(mode: bytes) -> bool:
    """[rwa]%+?b*"""
    if not mode or mode[0] not in b"rwa":
        return False
    rest = mode[1:]
    if rest[:1] == b"+":
        rest = rest[1:]
    return all(c == 0x62 for c in rest)


class _DirStream:
    """What C's fopen(dir, "r") gives on Linux: a stream whose reads fail with EISDIR."""

    def _fail(self, *_: Any) -> Any:
        raise OSError(errno.EISDIR, os.strerror(errno.EISDIR))

    read = readline = peek = write = _fail

    def seek(self, *_: Any) -> int:
        return 0

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def _fopen(fname: bytes, mode: bytes) -> Any:
    pymode = chr(mode[0]) + ("+" if mode[1:2] == b"+" else "") + "b"
    path = _path(fname)
    try:
        return builtins.open(path, pymode)
    except IsADirectoryError:
        if pymode != "rb":
            raise
        return _DirStream()


def _opencheck(fname: bytes, mode: bytes) -> LuaFile:
    try:
        return _newfile(_fopen(fname, mode))
    except OSError as e:
        msg = os.strerror(_errno(e, EINVAL)).encode()
        raise rt_error(b"cannot open file '" + _path(fname) + b"' (" + msg + b")") from None


def io_open(filename: Any = NOVALUE, mode: Any = None, *_: Any) -> Any:
    fname = check_str(filename, 1, "open")
    md = opt_str(mode, 2, "open", b"r")
    if not _checkmode(md):
        raise arg_error(2, "open", "invalid mode")
    try:
        return _newfile(_fopen(fname, md))
    except OSError as e:
        return _fileresult(e, fname, EINVAL)


def io_close(file: Any = NOVALUE, *_: Any) -> Any:
    if file is NOVALUE:
        file = state.current.io_output
    return f_close(file)


def _getiofile(which: str) -> LuaFile:
    st = state.current
    p = st.io_input if which == "input" else st.io_output
    assert p is not None  # (io is open: it set both)
    if p.kind is None:
        raise rt_error(f"default {which} file is closed")
    return p


def _g_iofile(v: Any, which: str, mode: bytes) -> Any:
    st = state.current
    if v is not None and v is not NOVALUE:
        tv = type(v)
        if tv is bytes or tv is int or tv is float:
            p = _opencheck(tostr(v), mode)
        else:
            p = _tofile(v, which)
        if which == "input":
            st.io_input = p
        else:
            st.io_output = p
    return st.io_input if which == "input" else st.io_output


def io_input(file: Any = None, *_: Any) -> Any:
    return _g_iofile(file, "input", b"r")


def io_output(file: Any = None, *_: Any) -> Any:
    return _g_iofile(file, "output", b"w")


def io_lines(filename: Any = None, *fmts: Any) -> Any:
    if filename is None or filename is NOVALUE:
        p = _tofile(state.current.io_input, "lines")
        return _aux_lines(p, fmts, False, "lines")
    p = _opencheck(check_str(filename, 1, "lines"), b"r")
    return (_aux_lines(p, fmts, True, "lines"), None, None, p)


def io_read(*fmts: Any) -> Any:
    return _g_read(_getiofile("input"), fmts, 1, "read")


def io_write(*args: Any) -> Any:
    return _g_write(_getiofile("output"), args, 1, "write")


def io_flush(*_: Any) -> Any:
    return _flush(_getiofile("output"))


def io_type(v: Any = NOVALUE, *_: Any) -> bytes | None:
    check_any(v, 1, "type")
    if not isinstance(v, LuaFile):
        return None
    return b"closed file" if v.kind is None else b"file"


def io_popen(prog: Any = NOVALUE, mode: Any = None, *_: Any) -> Any:
    cmd = check_str(prog, 1, "popen")
    md = opt_str(mode, 2, "popen", b"r")
    if md not in (b"r", b"w"):
        raise arg_error(2, "popen", "invalid mode")
    _flush_all()
    import subprocess  # here: only io.popen needs it

    try:
        if md == b"r":
            proc = subprocess.Popen(_path(cmd), shell=True, stdout=subprocess.PIPE)
            f = proc.stdout
        else:
            proc = subprocess.Popen(_path(cmd), shell=True, stdin=subprocess.PIPE)
            f = proc.stdin
    except OSError as e:
        return _fileresult(e, cmd)
    p = _newfile(f, "popen")
    p.proc = proc
    return p


def io_tmpfile(*_: Any) -> Any:
    try:
        return _newfile(tempfile.TemporaryFile("w+b"))
    except OSError as e:
        return _fileresult(e)


def _flush_all() -> None:
    """fflush(NULL) before a child process shares our standard streams."""
    st = state.current
    for f in (st.io_stdout, st.io_stderr):
        try:
            if f is not None:
                f.flush()
        except (OSError, ValueError):
            pass


# -------------------------------------------------------------------- open

_IOLIB: dict[str, Callable[..., Any]] = {
    "close": io_close,
    "flush": io_flush,
    "input": io_input,
    "lines": io_lines,
    "open": io_open,
    "output": io_output,
    "popen": io_popen,
    "read": io_read,
    "tmpfile": io_tmpfile,
    "type": io_type,
    "write": io_write,
}
_METHODS: dict[str, Callable[..., Any]] = {
    "read": f_read,
    "write": f_write,
    "lines": f_lines,
    "flush": f_flush,
    "seek": f_seek,
    "close": f_close,
    "setvbuf": f_setvbuf,
}


def _std_stream(embedder: Any, shared: Any, default: Any) -> Any:
    """The raw stream of a standard file: `st.io_*` if the embedder set it, else the
    state's stream that `print` also uses (`st.stdout`), else Python's own."""
    f = embedder if embedder is not None else shared
    return f if f is not None else getattr(default, "buffer", default)


def _isatty(f: Any) -> bool:
    try:
        return bool(f.isatty())
    except (AttributeError, OSError, ValueError):
        return False


def _register_hidden(st: LuaState, meta: LuaTable, methods: LuaTable) -> None:
    """Make the builtins that no library table holds known to the runtime: error
    positions, argument names and tracebacks find builtins by their code, and a
    snapshot finds them by a stable name. Their Lua name is '?' (lua's
    pushglobalfuncname does not find them either)."""
    hidden = [(f"FILE*.{k}", fn) for k, fn in _METHODS.items()]
    hidden += [(f"FILE*.{k.decode()}", meta.get(k)) for k in (b"__gc", b"__tostring")]
    hidden.append(("io.lines_iterator", LinesIter.__call__))
    for name, fn in hidden:
        register_builtin(fn, "?")
        if fn is not LinesIter.__call__:
            st.registry.setdefault(name, fn)


def open(st: LuaState) -> LuaTable | None:
    """Build `io` when the embedder granted host access; otherwise None (no `io`)."""
    if not st.host_access:
        return None
    meta = LuaTable()
    methods = LuaTable()
    for name, fn in _METHODS.items():
        methods.set(name.encode(), fn)
    meta.set(b"__index", methods)
    meta.set(b"__name", b"FILE*")
    meta.set(b"__gc", f_gc)
    meta.set(b"__close", f_gc)
    meta.set(b"__tostring", f_tostring)
    st.io_meta = meta
    _register_hidden(st, meta, methods)
    t = LuaTable()
    for name, fn in _IOLIB.items():
        t.set(name.encode(), fn)
    fin = st.io_stdin = _std_stream(st.io_stdin, None, sys.stdin)
    fout = st.io_stdout = _std_stream(st.io_stdout, st.stdout, sys.stdout)
    ferr = st.io_stderr = _std_stream(st.io_stderr, None, sys.stderr)
    stdin = LuaFile(fin, "std", meta)
    stdout = LuaFile(fout, "std", meta, "line" if _isatty(fout) else "full")
    stderr = LuaFile(ferr, "std", meta, "no")  # C's stderr is unbuffered
    st.io_input = stdin
    st.io_output = stdout
    t.set(b"stdin", stdin)
    t.set(b"stdout", stdout)
    t.set(b"stderr", stderr)
    # the standard files are permanents: a snapshot names them ("io.stdout") and a
    # restore gives the new state's own, whose streams are the new process's
    for std, f in (("stdin", stdin), ("stdout", stdout), ("stderr", stderr)):
        st.registry.setdefault("io." + std, f)
    return t
