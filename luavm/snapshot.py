"""Snapshots: a suspended task's whole Lua state as msgpack bytes, and back.

The object graph is written as in Eris/Pluto: every table, box (upvalue cell),
closure, coroutine and chunk once, with an id; later occurrences are references.
Objects are numbered in breadth-first order from a fixed root, so the same
state gives the same bytes in any process. Code is written as chunk source +
prototype index (restore recompiles); builtins as their stable names
("string.gsub"); host Python functions as "module:qualname", as pickle does.
Anything else is refused with the path that leads to it.
"""

from __future__ import annotations

import hashlib
import importlib
import struct
from collections import deque
from types import FunctionType, GeneratorType
from typing import Any

import msgpack

from .convert import HostFunction
from .runtime.coroutine import CoResumeRecord, Coroutine, FrameRecord, PcallRecord, gen_records
from .runtime.frames import CODE_INFO
from .runtime.loader import load_chunk
from .runtime.values import FALSE_KEY, TAILCALL, TRUE_KEY, BoolKey, Box, LuaError, LuaTable, Ret

MAGIC = b"LUAVMSNP"
_PAIRS_CODE = LuaTable.pairs.__code__  # generators of it appear in generic `for` loops' locals
FORMAT_VERSION = 2  # 2: upvalues of locals never written again are values, not boxes; no 'tuple'
REF = 1  # msgpack ext type code of an object reference


class SnapshotError(Exception):
    """A state that cannot be written, or bytes that are not a valid snapshot."""


def _version() -> str:
    from . import __version__

    return __version__


# ------------------------------------------------------------------- writing


_HASHES: dict[bytes, str] = {}


def code_hash(source: bytes) -> str:
    """The name of a chunk's source in a snapshot's code references (sha256, hex)."""
    h = _HASHES.get(source)
    if h is None:
        if len(_HASHES) > 4096:
            _HASHES.clear()
        h = _HASHES[source] = hashlib.sha256(source).hexdigest()
    return h


class _Writer:
    def __init__(self, permanents: dict[int, str], code: Any = None) -> None:
        self.code = code  # hashes of sources written as references (see Task.snapshot)
        self.perm = permanents  # id(builtin) -> stable name
        self.ids: dict[int, int] = {}
        self.keep: list[Any] = []  # keeps encoded objects alive while ids are in use
        self.objects: list[Any] = []
        self.queue: deque[tuple[int, Any, str]] = deque()
        self.closures: dict[tuple, int] = {}  # _closure_key -> object id

    def ref(self, obj: Any, path: str) -> msgpack.ExtType:
        i = self.ids.get(id(obj))
        if i is None:
            key = _closure_key(obj)
            if key is not None:
                # a closure a suspended frame rebuilt (compiler/render.py: the fast form
                # does not name itself) is the same function as the one the program
                # holds: one object, so the bytes do not depend on which form ran
                i = self.closures.get(key)
                if i is not None:
                    self.ids[id(obj)] = i
                    self.keep.append(obj)
                    return msgpack.ExtType(REF, struct.pack(">I", i))
            i = len(self.objects)
            if key is not None:
                self.closures[key] = i
            self.ids[id(obj)] = i
            self.keep.append(obj)
            self.objects.append(None)
            self.queue.append((i, obj, path))
        return msgpack.ExtType(REF, struct.pack(">I", i))

    def value(self, v: Any, path: str) -> Any:
        t = type(v)
        if t is int and not -0x8000000000000000 <= v <= 0xFFFFFFFFFFFFFFFF:
            # a dead Python temporary past the int64 range (a loop counter after its
            # last step, a walrus temp of an overflowing add): msgpack cannot hold it
            return ["bigint", str(v)]
        if v is None or t is bool or t is int or t is float or t is bytes or t is str:
            return v
        if t is GeneratorType and v.gi_code is _PAIRS_CODE:
            return None  # a generic for's pairs generator: the loop goes on with `next`
        if t is Ret:  # several results (a tuple), or a pending tail call
            if v and v[0] is TAILCALL:
                return ["tailcall", [self.value(x, f"{path}[{n}]") for n, x in enumerate(v[1:])]]
            return ["ret", [self.value(x, f"{path}[{n}]") for n, x in enumerate(v)]]
        return self.ref(v, path)

    def encode(self, obj: Any, path: str) -> list:
        t = type(obj)
        if t is LuaTable:
            arr = [self.value(x, f"{path}[{n + 1}]") for n, x in enumerate(obj.arr)]
            hashpart: list[Any] = []
            for k, x in obj.hash.items():  # tombstones too: they fix the order of `next`
                key = k.value if type(k) is BoolKey else k
                hashpart.append(self.value(key, f"{path}.<key>"))
                hashpart.append(self.value(x, _child(path, key)))
            meta = self.value(obj.meta, f"{path}.<metatable>")
            return ["table", arr, hashpart, meta]
        if t is Box:
            return ["box", self.value(obj.v, path)]
        name = self.perm.get(id(obj))
        if name is not None:
            return ["perm", name]
        if t is Coroutine:
            recs = obj.records if obj.gen is None else gen_records(obj)
            return ["co", obj.status, obj.is_main, obj.nny, self.value(obj.fn, f"{path}.<function>"),
                    self.records(recs, path),
                    self.value(obj.errval.value if obj.errval is not None else None, f"{path}.<error>")]
        code = getattr(obj, "__code__", None)
        if code is not None and code in CODE_INFO:
            ci = CODE_INFO[code]
            # an upvalue the body never reads (a main chunk not using _ENV) has no cell
            cells = dict(zip(code.co_freevars, obj.__closure__ or ()))
            ups = [self.value(cells[n].cell_contents if n in cells else None, f"{path}.<upvalue {ln}>")
                   for n, ln in zip(ci.proto.upvalues, ci.proto.upvalue_lua_names)]
            return ["lua", self.ref(ci.chunk, f"{path}.<chunk>"), ci.proto.index, ups]
        if hasattr(obj, "python_source") and hasattr(obj, "protos"):  # a Chunk
            if self.code is not None:
                h = code_hash(obj.source)
                if h in self.code:  # code the restoring side has: written by its hash
                    return ["chunkref", obj.name, h]
            return ["chunk", obj.name, obj.source]
        if t is HostFunction:
            return ["host", _qualified(obj.fn, path)]
        from .stdlib.lcoroutine import wrapped_coroutine
        from .stdlib.lstring import GMatchIterator

        co = wrapped_coroutine(obj)
        if co is not None:
            return ["wrap", self.ref(co, f"{path}.<coroutine>")]
        if t is GMatchIterator:
            return ["gmatch", obj.m.src, obj.pat, obj.src, obj.lastmatch]
        raise SnapshotError(f"cannot snapshot {_describe(obj)} at {path}")

    def records(self, recs: list | None, path: str) -> list | None:
        if recs is None:
            return None
        out = []
        for n, r in enumerate(recs):
            p = f"{path}.stack[{n}]"
            if type(r) is FrameRecord:
                loc = {k: self.value(r.locals[k], f"{p}.{k}") for k in sorted(r.locals)}
                out.append(["frame", self.ref(r.fn, p), r.rp, loc])
            elif type(r) is PcallRecord:
                out.append(["pcall", self.value(r.handler, f"{p}.<handler>")])
            elif type(r) is CoResumeRecord:
                out.append(["resume", self.ref(r.co, f"{p}.<coroutine>"), r.wrap])
            else:
                raise SnapshotError(f"cannot snapshot {_describe(r)} at {p}")
        return out

    def run(self) -> list:
        while self.queue:
            i, obj, path = self.queue.popleft()
            self.objects[i] = self.encode(obj, path)
        return self.objects


def _closure_key(obj: Any) -> tuple | None:
    """Lua closures of the same prototype with the same upvalues (the same boxes, or
    equal immutable values) are written as one object: the closure a suspended
    frame is rebuilt from is such a twin of the one the program holds."""
    code = getattr(obj, "__code__", None)
    if code is None or type(obj) is not FunctionType:
        return None
    ci = CODE_INFO.get(code)
    if ci is None:
        return None
    cells = dict(zip(code.co_freevars, obj.__closure__ or ()))
    ups = []
    for n in ci.proto.upvalues:
        c = cells.get(n)
        try:
            v = c.cell_contents if c is not None else None
        except ValueError:
            v = None
        t = type(v)
        if v is None or t is bool or t is int or t is bytes or t is str:
            ups.append((t, v))
        elif t is float:
            ups.append((t, repr(v)))
        else:
            ups.append(id(v))
    return (id(ci.chunk), ci.proto.index, tuple(ups))


def _child(path: str, key: Any) -> str:
    if type(key) is bytes:
        s = key.decode("utf-8", "replace")
        if s.isidentifier():
            return f"{path}.{s}"
        return f"{path}[{s!r}]"
    return f"{path}[{key!r}]"


def _describe(obj: Any) -> str:
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if name:
        return f"{type(obj).__name__} {name!r}"
    return f"a {type(obj).__name__} object"


def _qualified(fn: Any, path: str) -> str:
    mod = getattr(fn, "__module__", None)
    qual = getattr(fn, "__qualname__", None)
    if not mod or not qual or "<" in qual:
        raise SnapshotError(f"cannot snapshot host function {qual or fn!r} at {path}: "
                            "only module-level functions can be restored by name")
    try:
        found = _resolve(f"{mod}:{qual}")
    except SnapshotError:
        found = None
    if found is not fn:
        raise SnapshotError(f"cannot snapshot host function {qual!r} at {path}: "
                            f"{mod}:{qual} does not name it")
    return f"{mod}:{qual}"


def _resolve(name: str) -> Any:
    mod, _, qual = name.partition(":")
    try:
        obj: Any = importlib.import_module(mod)
        for part in qual.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as e:
        raise SnapshotError(f"host function {name} not found: {e}") from None
    return obj


def write(root: dict[str, Any], permanents: dict[int, str], request: Any, code: Any = None) -> bytes:
    """Encode a task state; `root` maps field names to Lua values/objects. `code`: a
    container of code hashes (code_hash) whose chunks are written as references."""
    w = _Writer(permanents, code)
    enc_root = {}
    for k, v in root.items():
        if k == "records":
            continue
        if k == "type_metas":
            enc_root[k] = {name: w.value(t, f"<{name} metatable>") for name, t in sorted(v.items())}
        elif k in ("random", "flags"):
            enc_root[k] = v
        else:
            enc_root[k] = w.value(v, k)
    w.run()  # what the globals reach first, so error paths read `globals.cfg.conn`
    enc_root["records"] = w.records(root["records"], "task")
    objects = w.run()
    try:
        # a str the host made from Lua bytes (surrogateescape) keeps its bytes
        req = msgpack.packb(request, use_bin_type=True, unicode_errors="surrogateescape")
    except (TypeError, ValueError) as e:
        raise SnapshotError(f"the suspension request is not msgpack-serialisable: {e}") from None
    payload = msgpack.packb({"root": enc_root, "objects": objects, "request": req},
                            use_bin_type=True)
    digest = hashlib.blake2b(payload, digest_size=16).digest()
    return msgpack.packb([MAGIC, FORMAT_VERSION, _version(), digest, payload], use_bin_type=True)


# ------------------------------------------------------------------- reading


def read(data: bytes) -> tuple[dict, list, Any]:
    """Check and unpack the envelope; returns (root, objects, request)."""
    try:
        env = msgpack.unpackb(data, raw=False, strict_map_key=False)
    except Exception as e:  # noqa: BLE001 - any decoding failure means bad bytes
        raise SnapshotError(f"not a luavm snapshot (truncated or corrupted: {e})") from None
    if not isinstance(env, list) or len(env) != 5 or env[0] != MAGIC:
        raise SnapshotError("not a luavm snapshot (bad header)")
    _, fmt, ver, digest, payload = env
    if fmt != FORMAT_VERSION:
        raise SnapshotError(f"snapshot format {fmt} is not supported (this luavm reads {FORMAT_VERSION})")
    if ver != _version():
        raise SnapshotError(f"snapshot written by luavm {ver}; this is luavm {_version()}")
    if not isinstance(payload, bytes) or hashlib.blake2b(payload, digest_size=16).digest() != digest:
        raise SnapshotError("corrupted snapshot: checksum mismatch")
    try:
        body = msgpack.unpackb(payload, raw=False, strict_map_key=False)
        root, objects = body["root"], body["objects"]
        request = msgpack.unpackb(body["request"], raw=False, strict_map_key=False,
                                  unicode_errors="surrogateescape")
    except Exception as e:  # noqa: BLE001
        raise SnapshotError(f"corrupted snapshot payload: {e}") from None
    return root, objects, request


class _Reader:
    def __init__(self, objects: list, registry: dict[str, Any], functions: dict[str, Any] | None,
                 code: Any = None) -> None:
        self.raw = objects
        self.registry = registry
        self.functions = functions
        self.code = code  # code_hash -> source, for "chunkref" objects
        self.objs: list[Any] = [None] * len(objects)

    def obj(self, ext: Any) -> Any:
        if not isinstance(ext, msgpack.ExtType) or ext.code != REF or len(ext.data) != 4:
            raise SnapshotError("corrupted snapshot: bad reference")
        i = struct.unpack(">I", ext.data)[0]
        if i >= len(self.objs):
            raise SnapshotError("corrupted snapshot: dangling reference")
        return self.objs[i]

    def value(self, v: Any) -> Any:
        if isinstance(v, msgpack.ExtType):
            return self.obj(v)
        if isinstance(v, list):
            tag = v[0]
            if tag == "ret":
                return tuple(self.value(x) for x in v[1])
            if tag == "tailcall":
                return (TAILCALL,) + tuple(self.value(x) for x in v[1])
            if tag == "bigint" and isinstance(v[1], str) and len(v[1]) < 100:
                try:
                    return int(v[1])
                except ValueError:
                    pass
            raise SnapshotError(f"corrupted snapshot: unknown value tag {tag!r}")
        return v

    def build(self) -> None:
        raw = self.raw
        # shells first, so references (and cycles) can be tied in the second pass
        for i, o in enumerate(raw):
            kind = o[0]
            if kind == "table":
                self.objs[i] = LuaTable()
            elif kind == "box":
                self.objs[i] = Box()
            elif kind == "co":
                self.objs[i] = Coroutine(None, main=bool(o[2]))
            elif kind == "chunk":
                self.objs[i] = load_chunk(bytes(o[2]), str(o[1]))
            elif kind == "chunkref":
                src = self.code.get(o[2]) if self.code is not None else None
                if src is None:
                    raise SnapshotError(f"the code of chunk {o[1]} ({o[2][:12]}) is not available to restore")
                src = src.encode() if isinstance(src, str) else bytes(src)
                if code_hash(src) != o[2]:
                    raise SnapshotError(f"the code given for chunk {o[1]} does not match its hash")
                self.objs[i] = load_chunk(src, str(o[1]))
            elif kind == "perm":
                f = self.registry.get(o[1])
                if f is None:
                    raise SnapshotError(f"unknown builtin {o[1]!r} in snapshot")
                self.objs[i] = f
            elif kind == "host":
                self.objs[i] = HostFunction(self.host(o[1]))
            elif kind not in ("lua", "wrap", "gmatch"):
                raise SnapshotError(f"corrupted snapshot: unknown object kind {kind!r}")
        for i, o in enumerate(raw):
            kind = o[0]
            if kind == "lua":
                # upvalues are tied in below: a value upvalue may be a closure
                # not built yet (or this one: `local function f` calling f)
                chunk = self.obj(o[1])
                proto = chunk.protos[o[2]]
                if len(o[3]) != len(proto.upvalues):
                    raise SnapshotError("corrupted snapshot: bad closure")
                self.objs[i] = chunk.ns[f"_p{proto.index}"](*[None] * len(o[3]))
            elif kind == "wrap":
                from .stdlib.lcoroutine import wrap_function

                self.objs[i] = wrap_function(self.obj(o[1]))
            elif kind == "gmatch":
                from .stdlib import patterns
                from .stdlib.lstring import GMatchIterator

                it = GMatchIterator(patterns.matcher(bytes(o[1]), bytes(o[2])), o[3])
                it.pat = bytes(o[2])
                it.lastmatch = o[4]
                self.objs[i] = it
        for i, o in enumerate(raw):
            kind = o[0]
            ob = self.objs[i]
            if kind == "table":
                if o[1]:
                    ob.arr = [self.value(x) for x in o[1]]
                h = o[2]
                hp = ob.own_hash() if h else ob.hash
                for j in range(0, len(h), 2):
                    k = self.value(h[j])
                    if k is True or k is False:
                        k = TRUE_KEY if k else FALSE_KEY
                    elif k is None or type(k) is list:
                        raise SnapshotError("corrupted snapshot: bad table key")
                    hp[k] = self.value(h[j + 1])
                dead = sum(1 for x in hp.values() if x is None)
                if dead:
                    ob._aux().dead = dead
                ob.meta = self.value(o[3])
            elif kind == "box":
                ob.v = self.value(o[1])
            elif kind == "lua":
                cells = dict(zip(ob.__code__.co_freevars, ob.__closure__ or ()))
                for py, v in zip(CODE_INFO[ob.__code__].proto.upvalues, o[3]):
                    if py in cells:
                        cells[py].cell_contents = self.value(v)
            elif kind == "co":
                ob.status = o[1]
                ob.nny = o[3]
                ob.fn = self.value(o[4])
                ob.records = self.records(o[5])
                err = self.value(o[6])
                ob.errval = LuaError(err) if err is not None else None

    def host(self, name: str) -> Any:
        if self.functions is not None:
            f = self.functions.get(name)
            if f is None:
                raise SnapshotError(f"host function {name} is not among the functions allowed to restore")
            return f
        return _resolve(name)

    def records(self, recs: list | None) -> list | None:
        if recs is None:
            return None
        out: list[Any] = []
        for r in recs:
            kind = r[0]
            if kind == "frame":
                fn = self.obj(r[1])
                code = getattr(fn, "__code__", None)
                ci = CODE_INFO.get(code) if code is not None else None
                if ci is None or not 0 <= r[2] < len(ci.proto.resume_points):
                    raise SnapshotError("corrupted snapshot: bad frame record")
                out.append(FrameRecord(fn, r[2], {k: self.value(v) for k, v in r[3].items()}))
            elif kind == "pcall":
                out.append(PcallRecord(self.value(r[1])))
            elif kind == "resume":
                out.append(CoResumeRecord(self.obj(r[1]), bool(r[2])))
            else:
                raise SnapshotError(f"corrupted snapshot: unknown record {kind!r}")
        return out


def rebuild(objects: list, registry: dict[str, Any], functions: dict[str, Any] | None,
            code: Any = None) -> _Reader:
    r = _Reader(objects, registry, functions, code)
    try:
        r.build()
    except SnapshotError:
        raise
    except Exception as e:  # noqa: BLE001 - malformed structures of any kind
        raise SnapshotError(f"corrupted snapshot: {type(e).__name__}: {e}") from None
    return r
