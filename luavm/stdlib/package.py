"""`require` and the `package` table.

Embedded runtimes search only `package.preload` (and modules the host put in
`package.loaded`); with host access, `package.path` on the file system as well.
"""

from __future__ import annotations

import builtins
import os
from typing import Any

from ..runtime import ops, state
from ..runtime.args import NOVALUE, check_str
from ..runtime.values import LuaError, LuaTable, rt_error, type_name

DEFAULT_PATH = b"/usr/local/share/lua/5.4/?.lua;/usr/local/share/lua/5.4/?/init.lua;" \
    b"/usr/local/lib/lua/5.4/?.lua;/usr/local/lib/lua/5.4/?/init.lua;./?.lua;./?/init.lua"


def env_path(envname: str, default: bytes, noenv: bool = False) -> bytes:
    """loadlib.c's setpath: $LUA_PATH_5_4, else $LUA_PATH, else the default; the
    first ";;" in the variable stands for the default path."""
    path = os.environb.get(envname.encode() + b"_5_4")
    if path is None:
        path = os.environb.get(envname.encode())
    if path is None or noenv:
        return default
    mark = path.find(b";;")
    if mark < 0:
        return path
    out = path[:mark] + b";" if mark > 0 else b""
    out += default
    if mark < len(path) - 2:
        out += b";" + path[mark + 2:]
    return out


def _search_path(name: bytes, path: bytes) -> tuple[bytes | None, list[bytes]]:
    tried: list[bytes] = []
    fname = name.replace(b".", b"/")
    for templ in path.split(b";"):
        if not templ:
            continue
        cand = templ.replace(b"?", fname)
        if os.path.isfile(cand):
            return cand, tried
        tried.append(b"\n\tno file '" + cand + b"'")
    return None, tried


def searcher_preload(name: Any = NOVALUE, *_: Any) -> Any:
    modname = check_str(name, 1, "searcher_preload")
    pkg = state.current.package
    preload = pkg.get(b"preload") if pkg is not None else None
    if type(preload) is not LuaTable:
        raise rt_error("'package.preload' must be a table")
    loader = preload.get(modname)
    if loader is None:
        return b"\n\tno field package.preload['" + modname + b"']"
    return (loader, b":preload:")


def searcher_lua(name: Any = NOVALUE, *_: Any) -> Any:
    from ..lexer import LuaSyntaxError
    from ..runtime.loader import file_text
    from .base import load_text

    st = state.current
    modname = check_str(name, 1, "searcher_Lua")
    if not st.host_access:
        return b"\n\tno file system access (sandboxed runtime)"
    pkg = st.package
    path = pkg.get(b"path") if pkg is not None else None
    if type(path) is not bytes:
        raise rt_error("'package.path' must be a string")
    fn, tried = _search_path(modname, path)
    if fn is None:
        return b"".join(tried)
    with builtins.open(fn, "rb") as fh:  # `open` here is this library's opener
        data = fh.read()
    data = file_text(data)
    try:
        loader = load_text(data, "@" + fn.decode("latin-1"), st.globals)
    except LuaSyntaxError as e:
        raise rt_error(
            f"error loading module '{modname.decode('latin-1')}' from file "
            f"'{fn.decode('latin-1')}':\n\t{e.msg}"
        ) from None
    return (loader, fn)


def searchpath(name: Any = NOVALUE, path: Any = NOVALUE, sep: Any = None, rep: Any = None, *_: Any) -> Any:
    nm = check_str(name, 1, "searchpath")
    p = check_str(path, 2, "searchpath")
    sp = b"." if sep is None else check_str(sep, 3, "searchpath")
    rp = b"/" if rep is None else check_str(rep, 4, "searchpath")
    if not state.current.host_access:
        return (None, b"\n\tno file system access (sandboxed runtime)")
    if sp:
        nm = nm.replace(sp, rp)
    tried = []
    for templ in p.split(b";"):
        if not templ:
            continue
        cand = templ.replace(b"?", nm)
        if os.path.isfile(cand):
            return cand
        tried.append(b"\n\tno file '" + cand + b"'")
    return (None, b"".join(tried))


def searcher_c(name: Any = NOVALUE, *_: Any) -> Any:
    """luavm loads no C modules; reports the C path like lua does."""
    pkg = state.current.package
    cpath = pkg.get(b"cpath") if pkg is not None else None
    modname = check_str(name, 1, "searcher_C")
    if type(cpath) is not bytes or not state.current.host_access:
        return b""
    fname = modname.replace(b".", b"/")
    return b"".join(b"\n\tno file '" + t.replace(b"?", fname) + b"'" for t in cpath.split(b";") if t)


DLMSG = b"dynamic libraries not enabled; check your Lua installation"


def loadlib(path: Any = NOVALUE, init: Any = NOVALUE, *_: Any) -> Any:
    """luavm loads no C libraries: loadlib fails as a Lua built without them does."""
    check_str(path, 1, "loadlib")
    check_str(init, 2, "loadlib")
    return (None, DLMSG, b"absent")


def searcher_croot(name: Any = NOVALUE, *_: Any) -> Any:
    check_str(name, 1, "searcher_Croot")
    return b""


def lua_require(name: Any = NOVALUE, *_: Any) -> Any:
    st = state.current
    package = st.package
    assert package is not None  # (the base library opens package first)
    modname = check_str(name, 1, "require")
    loaded = package.get(b"loaded")
    if type(loaded) is not LuaTable:
        raise rt_error("'package.loaded' must be a table")
    v = loaded.get(modname)
    if v is not None and v is not False:
        return v
    searchers = package.get(b"searchers")
    if type(searchers) is not LuaTable:
        raise rt_error("'package.searchers' must be a table")
    msg = [b"module '" + modname + b"' not found:"]
    i = 1
    while True:
        searcher = searchers.get(i)
        if searcher is None:
            raise rt_error(b"".join(msg))
        r = ops.results(ops.call_noyield(searcher, modname))
        if r and type_name(r[0]) == "function":
            loader, extra = r[0], (r[1] if len(r) > 1 else None)
            break
        if r and type(r[0]) is bytes:
            msg.append(r[0])
        i += 1
    r = ops.results(ops.call_noyield(loader, modname, extra))
    v = r[0] if r else None
    if v is not None:
        loaded.set(modname, v)
    if loaded.get(modname) is None:
        loaded.set(modname, True)
    return (loaded.get(modname), extra)


def open(st: state.LuaState, G: LuaTable) -> LuaTable:
    package = LuaTable()
    loaded = st.loaded if st.loaded is not None else LuaTable()
    st.loaded = loaded
    package.set(b"loaded", loaded)
    package.set(b"preload", LuaTable())
    package.set(b"path", env_path("LUA_PATH", DEFAULT_PATH) if st.host_access else b"")
    package.set(b"cpath", b"")
    package.set(b"config", b"/\n;\n?\n!\n-\n")
    package.set(b"searchers", LuaTable([searcher_preload, searcher_lua, searcher_c, searcher_croot]))
    package.set(b"searchpath", searchpath)
    if st.host_access:
        package.set(b"loadlib", loadlib)
    st.package = package
    G.set(b"require", lua_require)
    return package


__all__ = ["open", "LuaError", "type_name"]
