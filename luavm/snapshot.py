"""Snapshots: a suspended task's whole Lua state as msgpack bytes, and back.

The object graph is written as in Eris/Pluto: every table, box (upvalue cell),
closure, coroutine and chunk once, with an id; later occurrences are references.
Objects are numbered in breadth-first order from a fixed root, so the same
state gives the same bytes in any process. Code is written as chunk source +
prototype index (restore recompiles); builtins as their stable names
("string.gsub"); host Python functions as "module:qualname", as pickle does.
Anything else is refused with the path that leads to it.

Format (an interface: inspect.py and other readers depend on it).

  envelope   msgpack array [b"LUAVMSNP", format, luavm version, checksum, payload]
             + for format 3 a sixth element, the base digest (16 bytes).
             format 2: a snapshot that stands alone; format 3: one written
             relative to a base (below). checksum: blake2b-128 of payload
             (format 3: of base digest + payload). Readers refuse other formats
             and other luavm versions.
  payload    msgpack map {"root": ..., "objects": [...], "request": bin,
             "patches": [[base index, encoding], ...] (format 3 only)}.
             request: the suspension request, msgpack-encoded on its own.
  root       {"flags": {"host_access": bool}, "globals", "string_meta",
             "type_metas": {name: value}, "random": [4 ints] | nil, "loaded",
             "package", "main" (the main coroutine), with host access
             "io_input", "io_output" (io's default files), "records": [record,
             ...] (the suspended stack, outermost first)}. The standard files
             (io.stdin etc.) are permanents ("perm", "io.stdout").
  value      nil, booleans, integers (int64/uint64), floats, strings (bin) as
             themselves; ["bigint", "digits"] (a dead Python temporary past
             int64); ["ret", [v...]] / ["tailcall", [f, args...]] (several
             results, a pending tail call); a reference: ext type 1 = REF (4-byte
             big-endian index into objects), ext type 2 = BASE_REF (2- or 4-byte
             big-endian index into the base, format 3).
  objects    ["table", [array part...], [k1, v1, k2, v2, ...] (hash part in
             insertion order, dead keys too: they fix `next`), metatable]
             ["box", value]                      an upvalue assigned again
             ["lua", chunk ref, proto index, [upvalues...]]
             ["chunk", chunk name, source] | ["chunkref", chunk name, sha256 hex]
             ["co", status, is main, nny, function, [record...] | nil, error value]
             ["perm", builtin name] | ["host", "module:qualname"]
             ["wrap", coroutine ref] (a coroutine.wrap function)
             ["gmatch", subject, pattern, position, last match]
  records    ["frame", closure ref, resume point, {python local: value}]
             ["pcall", handler] | ["resume", coroutine ref, is wrap]
  order      objects are numbered breadth first: the root's fields in the order
             above (so error paths read `globals.cfg.conn`), then, in format 3,
             the patches' contents (base index order), then the records.

Base-relative snapshots (format 3; luavm/snapshot_base.py). A base is a task's
state at one point (before it first runs, or suspended), its objects numbered
as this writer numbers them (breadth first from the root, plus the not yet
started task's function and arguments) and fingerprinted; its digest is the
blake2b-128 of its canonical full encoding (chunks by hash). Written relative
to a base, the base's objects are BASE_REFs and are not traversed; each one
whose contents changed since (checked for every base object, reachable or not:
a changed object reached only through an unchanged one is not missed) is a
patch: its full encoding, in base index order, whose references may be to base
objects or to new ones; coroutines and gmatch iterators of the base are always
patches. Restore needs the same base (same code, seed, arguments: the digest
must match), applies the patches onto its objects, and gives every other base
object the contents it had in the base. A snapshot is relative to a base, never
to another snapshot: restoring takes one snapshot and its base, so no periodic
full snapshots are needed (wippy/workflows/checkpoint.py moves a long-lived
run's base forward instead, when its snapshots grow).
"""

from __future__ import annotations

import hashlib
import importlib
import struct
from collections import deque
from types import FunctionType, GeneratorType
from typing import Any

import msgpack

from ._version import __version__
from .convert import HostFunction
from .errors import SnapshotError
from .runtime.coroutine import CoResumeRecord, Coroutine, FrameRecord, PcallRecord, gen_records
from .runtime.frames import CODE_INFO
from .runtime.loader import Chunk, load_chunk
from .runtime.values import (
    EMPTY_HASH,
    FALSE_KEY,
    NO_ARRAY,
    TAILCALL,
    TRUE_KEY,
    BoolKey,
    Box,
    LuaError,
    LuaTable,
    Ret,
)

MAGIC = b"LUAVMSNP"
_PAIRS_CODE = LuaTable.pairs.__code__  # generators of it appear in generic `for` loops' locals
FORMAT_VERSION = 2  # 2: upvalues of locals never written again are values, not boxes; no 'tuple'
BASE_FORMAT_VERSION = 3  # a snapshot written relative to a base (same encoding, plus BASE refs and patches)
REF = 1  # msgpack ext type code of an object reference
BASE_REF = 2  # msgpack ext type code of a reference to an object of the base


def _version() -> str:
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


_PLAIN = frozenset({type(None), bool, float, bytes, str})  # written as themselves (int: range test)


def _ext(code: int, data: bytes) -> msgpack.ExtType:
    """An ExtType without its constructor's checks (a Python-level __new__)."""
    return tuple.__new__(msgpack.ExtType, (code, data))  # type: ignore[type-var]


class _Writer:
    """Numbers objects breadth first from the root and encodes each once.

    `base` (a SnapshotBase): its objects are written as `BASE` references and not
    traversed; those whose contents changed since it was taken are queued as
    patches (`patch` then holds their encodings by base index). Paths to objects
    (for error messages) are kept as (parent path, part) pairs and only rendered
    when an error names one."""

    def __init__(self, permanents: dict[int, str], code: Any = None, base: Any = None) -> None:
        self.code = code  # hashes of sources written as references (see Task.snapshot)
        self.perm = permanents  # id(builtin) -> stable name
        self.refs: dict[int, msgpack.ExtType] = {}  # id(object) -> its reference
        self.keep: list[Any] = []  # keeps encoded objects alive while ids are in use
        self.live: list[Any] = []  # the object of each id
        self.objects: list[Any] = []
        self.queue: deque[tuple[int, Any, Any]] = deque()
        self.closures: dict[tuple, msgpack.ExtType] = {}  # _closure_key -> reference
        self.base = base
        self.brefs: dict[int, int] = base.refs if base is not None else {}  # id(object) -> base index
        self.bext = base.ext if base is not None else None
        self.patch: dict[int, Any] = {}  # base index -> encoding of a changed base object

    def ref(self, obj: Any, path: Any, part: Any) -> msgpack.ExtType:
        oid = id(obj)
        b = self.brefs.get(oid)
        if b is not None:
            return self.bext(b)  # type: ignore[misc]
        r = self.refs.get(oid)
        if r is not None:
            return r
        key = _closure_key(obj) if type(obj) is FunctionType else None
        if key is not None:
            # a closure a suspended frame rebuilt (compiler/render.py: the fast form
            # does not name itself) is the same function as the one the program
            # holds: one object, so the bytes do not depend on which form ran
            r = self.closures.get(key)
            if r is None and self.base is not None and (b := self.base.twin(obj, key)) is not None:
                r = self.bext(b)  # type: ignore[misc]
            if r is not None:
                self.refs[oid] = r
                self.keep.append(obj)
                return r
        i = len(self.objects)
        r = _ext(REF, struct.pack(">I", i))
        if key is not None:
            self.closures[key] = r
        self.refs[oid] = r
        self.keep.append(obj)
        self.live.append(obj)
        self.objects.append(None)
        self.queue.append((i, obj, (path, part)))
        return r

    def value(self, v: Any, path: Any, part: Any = "") -> Any:
        t = type(v)
        if t is int:
            if -0x8000000000000000 <= v <= 0xFFFFFFFFFFFFFFFF:
                return v
            # a dead Python temporary past the int64 range (a loop counter after its
            # last step, a walrus temp of an overflowing add): msgpack cannot hold it
            return ["bigint", str(v)]
        if t in _PLAIN:
            return v
        if t is GeneratorType and v.gi_code is _PAIRS_CODE:
            return None  # a generic for's pairs generator: the loop goes on with `next`
        if t is Ret:  # several results (a tuple), or a pending tail call
            p = (path, part)
            if v and v[0] is TAILCALL:
                return ["tailcall", [self.value(x, p, n) for n, x in enumerate(v[1:])]]
            return ["ret", [self.value(x, p, n) for n, x in enumerate(v)]]
        oid = id(v)
        b = self.brefs.get(oid)
        if b is not None:
            return self.bext(b)  # type: ignore[misc]
        r = self.refs.get(oid)
        if r is not None:
            return r
        return self.ref(v, path, part)

    def encode(self, obj: Any, path: Any) -> list:
        t = type(obj)
        val = self.value
        if t is LuaTable:
            arr = [x if type(x) in _PLAIN else val(x, path, n) for n, x in enumerate(obj.arr, 1)]
            hashpart: list[Any] = []
            add = hashpart.append
            for k, x in obj.hash.items():  # tombstones too: they fix the order of `next`
                if type(k) is BoolKey:
                    k = k.value
                add(k if type(k) is bytes else val(k, path, ".<key>"))
                add(x if type(x) in _PLAIN else val(x, path, (k,)))
            meta = obj.meta
            return ["table", arr, hashpart, None if meta is None else val(meta, path, ".<metatable>")]
        if t is Box:
            return ["box", val(obj.v, path)]
        name = self.perm.get(id(obj))
        if name is not None:
            return ["perm", name]
        if t is Coroutine:
            recs = obj.records if obj.gen is None else gen_records(obj)
            return ["co", obj.status, obj.is_main, obj.nny, val(obj.fn, path, ".<function>"),
                    self.records(recs, path),
                    val(obj.errval.value if obj.errval is not None else None, path, ".<error>")]
        spec = _lua_spec(obj.__code__) if t is FunctionType else _lua_spec(getattr(obj, "__code__", None))
        if spec is not None:
            _, ci, cells, parts = spec
            # an upvalue the body never reads (a main chunk not using _ENV) has no cell
            cl = obj.__closure__
            ups = [val(cl[c].cell_contents if c is not None else None, path, p) for c, p in zip(cells, parts)]
            return ["lua", self.ref(ci.chunk, path, ".<chunk>"), ci.proto.index, ups]
        if t is Chunk:
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
            return ["wrap", self.ref(co, path, ".<coroutine>")]
        if t is GMatchIterator:
            return ["gmatch", obj.m.src, obj.pat, obj.src, obj.lastmatch]
        raise SnapshotError(f"cannot snapshot {_describe(obj)} at {_render(path)}")

    def records(self, recs: list | None, path: Any) -> list | None:
        if recs is None:
            return None
        out = []
        bget = self.brefs.get
        bext = self.bext
        for n, r in enumerate(recs):
            p = (path, f".stack[{n}]")
            if type(r) is FrameRecord:
                lv = r.locals
                loc = {}
                for k in sorted(lv):
                    v = lv[k]
                    if type(v) in _PLAIN:
                        loc[k] = v
                    elif (b := bget(id(v))) is not None:  # (a base object: most locals that are objects)
                        loc[k] = bext(b)  # type: ignore[misc]
                    else:
                        loc[k] = self.value(v, p, (".", k))
                out.append(["frame", self.ref(r.fn, p, ""), r.rp, loc])
            elif type(r) is PcallRecord:
                out.append(["pcall", self.value(r.handler, p, ".<handler>")])
            elif type(r) is CoResumeRecord:
                out.append(["resume", self.ref(r.co, p, ".<coroutine>"), r.wrap])
            else:
                raise SnapshotError(f"cannot snapshot {_describe(r)} at {_render(p)}")
        return out

    def run(self) -> list:
        queue = self.queue
        objects = self.objects
        encode = self.encode
        while queue:
            i, obj, path = queue.popleft()
            if i < 0:  # a changed base object: its new contents
                self.patch[~i] = encode(obj, path)
            else:
                objects[i] = encode(obj, path)
        return objects

    def patches(self, changed: list[int]) -> None:
        """Queue the changed objects of the base (their base indices, ascending)."""
        base = self.base
        for i in changed:
            self.queue.append((~i, base.objects[i], base.path(i)))


def _render(path: Any) -> str:
    """A path kept as nested (parent, part) pairs, as error messages show it: part is
    a string appended as is, an int n ("[n]"), a 1-tuple (key,) (a field) or a
    2-tuple of strings appended one after the other."""
    parts = []
    while type(path) is tuple:
        path, part = path
        parts.append(part)
    out = str(path)
    for part in reversed(parts):
        if type(part) is str:
            out += part
        elif type(part) is int:
            out += f"[{part}]"
        elif len(part) == 2:  # (prefix, name)
            out += part[0] + part[1]
        else:
            out = _child(out, part[0])
    return out


_LUA_SPECS: dict[int, Any] = {}  # id(code) -> (code, CODE_INFO or None, cell per upvalue, their paths)


def _lua_spec(code: Any) -> tuple | None:
    """(code, its CODE_INFO, the closure cell of each upvalue (None: no cell), each
    upvalue's path part) for the code of a Lua closure; None for other code."""
    if code is None:
        return None
    spec = _LUA_SPECS.get(id(code))  # (by id: hashing a code object hashes its bytecode)
    if spec is None or spec[0] is not code:
        ci = CODE_INFO.get(code)
        if len(_LUA_SPECS) > 50_000:
            _LUA_SPECS.clear()
        if ci is None:
            spec = _LUA_SPECS[id(code)] = (code, None, (), ())
        else:
            pos = {n: i for i, n in enumerate(code.co_freevars)}
            spec = _LUA_SPECS[id(code)] = (code, ci, tuple(pos.get(n) for n in ci.proto.upvalues),
                                           tuple(f".<upvalue {ln}>" for ln in ci.proto.upvalue_lua_names))
    return spec if spec[1] is not None else None


def _closure_key(obj: Any) -> tuple | None:
    """Lua closures of the same prototype with the same upvalues (the same boxes, or
    equal immutable values) are written as one object: the closure a suspended
    frame is rebuilt from is such a twin of the one the program holds."""
    if type(obj) is not FunctionType:
        return None
    spec = _lua_spec(obj.__code__)
    if spec is None:
        return None
    cl: Any = obj.__closure__
    ups: list[Any] = []
    for i in spec[2]:
        try:
            v = cl[i].cell_contents if i is not None else None
        except ValueError:
            v = None
        t = type(v)
        if v is None or t is bool or t is int or t is bytes or t is str:
            ups.append((t, v))
        elif t is float:
            ups.append((t, repr(v)))
        else:
            ups.append(id(v))
    ci = spec[1]
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


def _qualified(fn: Any, path: Any) -> str:
    mod = getattr(fn, "__module__", None)
    qual = getattr(fn, "__qualname__", None)
    if not mod or not qual or "<" in qual:
        raise SnapshotError(f"cannot snapshot host function {qual or fn!r} at {_render(path)}: "
                            "only module-level functions can be restored by name")
    try:
        found = _resolve(f"{mod}:{qual}")
    except SnapshotError:
        found = None
    if found is not fn:
        raise SnapshotError(f"cannot snapshot host function {qual!r} at {_render(path)}: "
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


def _encode_root(w: _Writer, root: dict[str, Any], changed: list[int] | None = None) -> dict[str, Any]:
    enc_root: dict[str, Any] = {}
    for k, v in root.items():
        if k == "records":
            continue
        if k == "type_metas":
            enc_root[k] = {name: w.value(t, f"<{name} metatable>") for name, t in sorted(v.items())}
        elif k in ("random", "flags"):
            enc_root[k] = v
        else:
            enc_root[k] = w.value(v, k)
    if changed:
        w.patches(changed)
    w.run()  # what the globals reach first, so error paths read `globals.cfg.conn`
    if "records" in root:
        enc_root["records"] = w.records(root["records"], "task")
        w.run()
    return enc_root


def write(root: dict[str, Any], permanents: dict[int, str], request: Any, code: Any = None,
          base: Any = None) -> bytes:
    """Encode a task state; `root` maps field names to Lua values/objects. `code`: a
    container of code hashes (code_hash) whose chunks are written as references.
    `base`: a SnapshotBase the bytes are written relative to (see the module doc)."""
    return write_with(root, permanents, request, code, base)[0]


def write_with(root: dict[str, Any], permanents: dict[int, str], request: Any, code: Any = None,
               base: Any = None) -> tuple[bytes, _Writer]:
    """write(), and the writer (its `live` objects are the snapshot's new objects)."""
    w = _Writer(permanents, code, base)
    changed = base.changed() if base is not None else None
    enc_root = _encode_root(w, root, changed)
    try:
        # a str the host made from Lua bytes (surrogateescape) keeps its bytes
        req = msgpack.packb(request, use_bin_type=True, unicode_errors="surrogateescape")
    except (TypeError, ValueError) as e:
        raise SnapshotError(f"the suspension request is not msgpack-serialisable: {e}") from None
    body: dict[str, Any] = {"root": enc_root, "objects": w.objects, "request": req}
    if base is None:
        payload = msgpack.packb(body, use_bin_type=True)
        digest = hashlib.blake2b(payload, digest_size=16).digest()
        return msgpack.packb([MAGIC, FORMAT_VERSION, _version(), digest, payload], use_bin_type=True), w
    body["patches"] = [[i, w.patch[i]] for i in sorted(w.patch)]
    payload = msgpack.packb(body, use_bin_type=True)
    digest = hashlib.blake2b(base.digest + payload, digest_size=16).digest()
    env = [MAGIC, BASE_FORMAT_VERSION, _version(), digest, payload, base.digest]
    return msgpack.packb(env, use_bin_type=True), w


def derived_digest(data: bytes) -> bytes:
    """The digest of the base derived from a base-relative snapshot (its base's
    objects and the snapshot's new ones: SnapshotBase.derive)."""
    return hashlib.blake2b(b"luavm derived base\0" + data, digest_size=16).digest()


class _AllCode:
    """Every chunk by its hash: a base's canonical encoding does not depend on which
    sources a caller passes as `code=`."""

    def __contains__(self, h: object) -> bool:
        return True


ALL_CODE = _AllCode()


def enumerate_state(root: dict[str, Any], permanents: dict[int, str]) -> tuple[_Writer, bytes]:
    """Number every object reachable from `root` as write() does (no base) and
    return the writer (its `live` objects by id, `refs`, `closures`, `objects`
    encodings) with the digest of the canonical encoding (chunks by hash)."""
    w = _Writer(permanents, ALL_CODE)
    enc_root = _encode_root(w, root)
    payload = msgpack.packb({"root": enc_root, "objects": w.objects}, use_bin_type=True)
    return w, hashlib.blake2b(payload, digest_size=16).digest()


# ------------------------------------------------------------------- reading


def _envelope(data: bytes) -> tuple[int, bytes, bytes | None]:
    try:
        env = msgpack.unpackb(data, raw=False, strict_map_key=False)
    except Exception as e:  # noqa: BLE001 - any decoding failure means bad bytes
        raise SnapshotError(f"not a luavm snapshot (truncated or corrupted: {e})") from None
    if not isinstance(env, list) or len(env) not in (5, 6) or env[0] != MAGIC:
        raise SnapshotError("not a luavm snapshot (bad header)")
    fmt, ver, digest, payload = env[1:5]
    base = env[5] if len(env) == 6 else None
    if (fmt == BASE_FORMAT_VERSION) != isinstance(base, bytes):
        raise SnapshotError("not a luavm snapshot (bad header)")
    if fmt not in (FORMAT_VERSION, BASE_FORMAT_VERSION):
        raise SnapshotError(f"snapshot format {fmt} is not supported (this luavm reads {FORMAT_VERSION} "
                            f"and {BASE_FORMAT_VERSION})")
    if ver != _version():
        raise SnapshotError(f"snapshot written by luavm {ver}; this is luavm {_version()}")
    if not isinstance(payload, bytes) or hashlib.blake2b((base or b"") + payload, digest_size=16).digest() != digest:
        raise SnapshotError("corrupted snapshot: checksum mismatch")
    return fmt, payload, base


def read_full(data: bytes) -> dict[str, Any]:
    """Check and unpack the envelope; returns the payload: root, objects, request
    (decoded) and, for a base-relative snapshot, base (the base's digest) and
    patches."""
    fmt, payload, base = _envelope(data)
    try:
        body = msgpack.unpackb(payload, raw=False, strict_map_key=False)
        body["root"], body["objects"]  # noqa: B018 - both are required
        body["request"] = msgpack.unpackb(body["request"], raw=False, strict_map_key=False,
                                          unicode_errors="surrogateescape")
        if fmt == BASE_FORMAT_VERSION:
            if not isinstance(body["patches"], list):
                raise ValueError("bad patches")
            body["base"] = base
        else:
            body.pop("base", None)
            body.pop("patches", None)
    except Exception as e:  # noqa: BLE001
        raise SnapshotError(f"corrupted snapshot payload: {e}") from None
    return body


def read(data: bytes) -> tuple[dict, list, Any]:
    """Check and unpack the envelope; returns (root, objects, request)."""
    body = read_full(data)
    return body["root"], body["objects"], body["request"]


def base_digest(data: bytes) -> bytes | None:
    """The digest of the base a snapshot was written relative to (None: a snapshot
    that stands alone). Checks the envelope and the checksum only."""
    return _envelope(data)[2]


class _Reader:
    def __init__(self, objects: list, registry: dict[str, Any], functions: dict[str, Any] | None,
                 code: Any = None, base: list | None = None, patches: list | None = None) -> None:
        self.raw = objects
        self.registry = registry
        self.functions = functions
        self.code = code  # code_hash -> source, for "chunkref" objects
        self.objs: list[Any] = [None] * len(objects)
        self.base = base if base is not None else []  # base index -> object (BASE references)
        self.patches = patches or []

    def obj(self, ext: Any) -> Any:
        if not isinstance(ext, msgpack.ExtType):
            raise SnapshotError("corrupted snapshot: bad reference")
        if ext.code == REF and len(ext.data) == 4:
            objs = self.objs
        elif ext.code == BASE_REF and len(ext.data) in (2, 4):
            objs = self.base
        else:
            raise SnapshotError("corrupted snapshot: bad reference")
        i = int.from_bytes(ext.data, "big")
        if i >= len(objs):
            raise SnapshotError("corrupted snapshot: dangling reference")
        return objs[i]

    def value(self, v: Any) -> Any:
        t = type(v)
        if t in _READ_PLAIN:
            return v
        if t is msgpack.ExtType:
            return self.obj(v)
        if t is list:
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
            if o[0] in _FILLED:
                self.fill(self.objs[i], o)
        base = self.base
        for p in self.patches:  # changed objects of the base: their contents replaced
            i, o = p
            if type(i) is not int or not 0 <= i < len(base) or o[0] not in _FILLED and o[0] != "gmatch":
                raise SnapshotError("corrupted snapshot: bad patch")
            self.fill(base[i], o, patch=True)

    def fill(self, ob: Any, o: list, patch: bool = False) -> None:
        """Tie in an object's contents (all of them: a base object's are replaced)."""
        kind = o[0]
        if kind == "table":
            if type(ob) is not LuaTable:
                raise SnapshotError("corrupted snapshot: bad patch")
            val = self.value
            ob.arr = [x if type(x) in _READ_PLAIN else val(x) for x in o[1]] if o[1] else NO_ARRAY
            h = o[2]
            old = ob.hash
            if h:
                hp: dict = {}
                for j in range(0, len(h), 2):
                    k = h[j]
                    if type(k) is not bytes:
                        k = val(k)
                        if k is True or k is False:
                            k = TRUE_KEY if k else FALSE_KEY
                        elif k is None or type(k) is list:
                            raise SnapshotError("corrupted snapshot: bad table key")
                    x = h[j + 1]
                    hp[k] = x if type(x) in _READ_PLAIN else val(x)
                if type(old) is not dict:  # a watched hash part (runtime/icache.py) stays watched
                    hp = type(old)(hp)
                ob.hash = hp
            elif old:
                ob.hash = EMPTY_HASH if type(old) is dict else type(old)()
            ob.aux = None
            if None in ob.hash.values():
                ob._aux().dead = sum(1 for x in ob.hash.values() if x is None)
            ob.meta = self.value(o[3])
        elif kind == "box":
            if type(ob) is not Box:
                raise SnapshotError("corrupted snapshot: bad patch")
            ob.v = self.value(o[1])
        elif kind == "lua":
            code = getattr(ob, "__code__", None)
            ci = CODE_INFO.get(code) if code is not None else None
            if ci is None or patch and (ci.chunk is not self.obj(o[1]) or ci.proto.index != o[2]):
                raise SnapshotError("corrupted snapshot: bad patch")
            if patch:
                from .stdlib.ldebug import CELL_WRITES

                CELL_WRITES[0] += 1  # a closure of a base changes: see snapshot_base.py
            cells = dict(zip(ob.__code__.co_freevars, ob.__closure__ or ()))
            for py, v in zip(ci.proto.upvalues, o[3]):
                if py in cells:
                    cells[py].cell_contents = self.value(v)
        elif kind == "co":
            if type(ob) is not Coroutine:
                raise SnapshotError("corrupted snapshot: bad patch")
            ob.gen = None
            ob.is_main = bool(o[2])
            ob.status = o[1]
            ob.nny = o[3]
            ob.fn = self.value(o[4])
            ob.records = self.records(o[5])
            err = self.value(o[6])
            ob.errval = LuaError(err) if err is not None else None
        elif kind == "gmatch":
            from .stdlib import patterns
            from .stdlib.lstring import GMatchIterator

            if type(ob) is not GMatchIterator:
                raise SnapshotError("corrupted snapshot: bad patch")
            ob.m = patterns.matcher(bytes(o[1]), bytes(o[2]))
            ob.pat = bytes(o[2])
            ob.src = o[3]
            ob.lastmatch = o[4]

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


_FILLED = frozenset({"table", "box", "lua", "co"})  # kinds whose contents the third pass ties in
_READ_PLAIN = frozenset({type(None), bool, int, float, bytes, str})  # read as themselves


def rebuild(objects: list, registry: dict[str, Any], functions: dict[str, Any] | None,
            code: Any = None, base: list | None = None, patches: list | None = None) -> _Reader:
    """Build the objects of a snapshot; with `base` (the objects of the base it was
    written relative to, by base index), apply its patches onto them."""
    r = _Reader(objects, registry, functions, code, base, patches)
    try:
        r.build()
    except SnapshotError:
        raise
    except Exception as e:  # noqa: BLE001 - malformed structures of any kind
        raise SnapshotError(f"corrupted snapshot: {type(e).__name__}: {e}") from None
    return r
