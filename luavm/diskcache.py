"""A user-private on-disk cache for start-up work: parser tables, compiled chunks.

Entries live in $LUAVM_CACHE_DIR or ~/.cache/luavm (created 0700), keyed by a
hash of the luavm version, a fingerprint of its compiler's and runtime's source,
and everything the value depends on (`key`), written atomically (temp file +
rename), so concurrent writers are safe: the last complete write wins and readers
never see half a file. Values are `marshal` data (plain Python data and code
objects: loading one runs nothing). Set LUAVM_NO_CACHE=1 to disable it.

Validation: a file is MAGIC (which names this file format), the CRC-32 of the
rest, then the marshalled (kind, key, value). A file whose magic, checksum, kind
or key differs from what was asked for -- another format, a torn or corrupted
write, a file copied under another name -- reads as a miss (and is rewritten by
the next `put`), never as a value: marshal data that fails its checksum is never
unmarshalled (a damaged code object could crash the interpreter when run).
"""

from __future__ import annotations

import marshal
import os
import tempfile
import zlib
from collections.abc import Callable
from typing import Any, TypeVar

from ._version import __version__ as VERSION  # a new version never reads old entries

T = TypeVar("T")

MAGIC = b"luavm-c2"  # the file format: a change of layout gets a new one
OFF = [0]  # > 0 while chunks that untrusted Lua code made are compiled (see base.load_text)


def enabled() -> bool:
    return not OFF[0] and os.environ.get("LUAVM_NO_CACHE", "") in ("", "0")


def _dir() -> str | None:
    base = os.environ.get("LUAVM_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "luavm")
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return base


_FINGERPRINT: list[bytes] = []


def _fingerprint() -> bytes:
    """A hash of the compiler's own source: an entry never outlives the code that
    made it (a development tree changes without a version bump)."""
    if not _FINGERPRINT:
        import hashlib  # here: OpenSSL costs ~4 MB of memory, and only the cache needs it

        h = hashlib.sha256()
        root = os.path.dirname(os.path.abspath(__file__))
        for sub in ("compiler", "runtime", "."):
            d = os.path.join(root, sub)
            for name in sorted(os.listdir(d)):
                if name.endswith(".py") or name.endswith(".lark"):
                    try:
                        with open(os.path.join(d, name), "rb") as f:
                            h.update(name.encode() + b"\0" + f.read())
                    except OSError:
                        pass
        _FINGERPRINT.append(h.digest())
    return _FINGERPRINT[0]


def key(*parts: bytes | str) -> str:
    """The key of a value made from `parts` by this luavm. Each part is hashed with
    its length in front, so no two different lists of parts run together into the
    same bytes (a source with a NUL in it against a name that starts with one), and
    with its type: text and bytes of the same content are different keys."""
    import hashlib

    h = hashlib.sha256(VERSION.encode() + b"\0" + _fingerprint())
    for p in parts:
        b = b"s" + p.encode("utf-8", "surrogatepass") if isinstance(p, str) else b"b" + p
        h.update(len(b).to_bytes(8, "little") + b)
    return h.hexdigest()[:40]


def get(kind: str, k: str) -> Any:
    """The cached value, or None (missing, unreadable, disabled)."""
    if not enabled():
        return None
    d = _dir()
    if d is None:
        return None
    try:
        with open(os.path.join(d, f"{kind}-{k}"), "rb") as f:
            data = f.read()
    except OSError:
        return None
    return decode(data, kind, k)


def encode(kind: str, k: str, value: Any) -> bytes:
    """The bytes of a cache file holding `value` under (kind, k)."""
    payload = marshal.dumps((kind, k, value))
    return MAGIC + zlib.crc32(payload).to_bytes(4, "little") + payload


def decode(data: bytes, kind: str, k: str) -> Any:
    """The value in a cache file's bytes, or None unless it is a whole file of this
    format written for (kind, k)."""
    n = len(MAGIC)
    if data[:n] != MAGIC or len(data) < n + 4:
        return None
    payload = memoryview(data)[n + 4:]
    if zlib.crc32(payload) != int.from_bytes(data[n:n + 4], "little"):
        return None
    try:
        got = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if type(got) is not tuple or len(got) != 3 or got[0] != kind or got[1] != k:
        return None
    return got[2]


def put(kind: str, k: str, value: Any) -> None:
    if not enabled():
        return
    d = _dir()
    if d is None:
        return
    try:
        data = encode(kind, k, value)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=f".{kind}-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(d, f"{kind}-{k}"))
    except (OSError, ValueError):
        pass


def memo(kind: str, parts: tuple[bytes | str, ...], typ: type[T], make: Callable[[], T]) -> T:
    """make()'s value, from the cache under key(kind, *parts) when it holds one of type
    `typ`; else made and stored. An exception of make() is not cached."""
    k = key(kind, *parts) if enabled() else ""
    if k:
        hit = get(kind, k)
        if type(hit) is typ:
            return hit  # type: ignore[no-any-return]
    value = make()
    if k:
        put(kind, k, value)
    return value
