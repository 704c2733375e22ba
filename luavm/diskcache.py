"""A user-private on-disk cache for start-up work: parser tables, compiled chunks.

Entries live in $LUAVM_CACHE_DIR or ~/.cache/luavm (created 0700), keyed by a
hash that includes the luavm version, written atomically (temp file + rename),
so concurrent writers are safe: the last complete write wins and readers never
see half a file. Values are `marshal` data (plain Python data and code objects:
loading one runs nothing). Set LUAVM_NO_CACHE=1 to disable it.
"""

from __future__ import annotations

import marshal
import os
import tempfile
from typing import Any

from ._version import __version__ as VERSION  # a new version never reads old entries

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
    import hashlib

    h = hashlib.sha256(VERSION.encode() + _fingerprint())
    for p in parts:
        h.update(b"\0" + (p.encode("utf-8", "surrogateescape") if isinstance(p, str) else p))
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
            return marshal.loads(f.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None


def put(kind: str, k: str, value: Any) -> None:
    if not enabled():
        return
    d = _dir()
    if d is None:
        return
    try:
        data = marshal.dumps(value)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=f".{kind}-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(d, f"{kind}-{k}"))
    except (OSError, ValueError):
        pass
