"""A disk cache of parsed registry files: the YAML of an unchanged file is not parsed again.

Concept. Parsing the YAML is most of loading a registry (PyYAML's constructor runs
in Python even with the C parser: ~10 ms per 50-entry file, plus ~25 ms to import
PyYAML at all). A file's parsed document depends only on its bytes (and on the
PyYAML that parsed it), so it is stored under the sha256 of those and read back with
`marshal` (~0.1 ms a file). When every file of an app hits, PyYAML is never imported.

Invariants. An entry is used only for the exact bytes it was parsed from: the key
hashes them with PyYAML's version and this cache's format, and the file holds the
key again and a CRC-32 of its payload, checked before anything is unmarshalled; a
damaged, truncated or foreign file is a miss (parsed again, rewritten), never a
crash. A document that marshal cannot hold exactly (timestamps are datetime
objects) is not cached. Writes are atomic (temp file + rename), so concurrent
loaders never read half a file; a cache dir that cannot be created or written is
no cache. Entries live in $WIPPY_CACHE_DIR or ~/.cache/wippy (0700);
WIPPY_NO_CACHE=1 disables it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
import zlib
from typing import Any

MAGIC = b"wippy-y1"  # the file layout; a new layout gets a new one
_KIND = "yaml"


def enabled() -> bool:
    return os.environ.get("WIPPY_NO_CACHE", "") in ("", "0")


def _dir() -> str | None:
    base = os.environ.get("WIPPY_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "wippy")
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return base


def key(raw: bytes, parser: str) -> str:
    """The key of the document parsed from `raw` by `parser` (PyYAML's version and
    loader class: another PyYAML may read the same text differently)."""
    h = hashlib.sha256(MAGIC + b"\0" + parser.encode() + b"\0")
    h.update(raw)
    return h.hexdigest()


def encode(k: str, doc: Any) -> bytes | None:
    """A cache file's bytes, or None if marshal cannot hold the document exactly."""
    try:
        payload = marshal.dumps((_KIND, k, doc))
    except ValueError:  # a datetime, a custom object: not cached
        return None
    return MAGIC + zlib.crc32(payload).to_bytes(4, "little") + payload


def decode(data: bytes, k: str) -> tuple[bool, Any]:
    """(True, document) if `data` is a whole cache file written for key `k`, else (False, None)."""
    n = len(MAGIC)
    if data[:n] != MAGIC or len(data) < n + 4:
        return False, None
    payload = memoryview(data)[n + 4:]
    if zlib.crc32(payload) != int.from_bytes(data[n:n + 4], "little"):
        return False, None
    try:
        got = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return False, None
    if type(got) is not tuple or len(got) != 3 or got[0] != _KIND or got[1] != k:
        return False, None
    return True, got[2]


def get(k: str) -> tuple[bool, Any]:
    """(True, document) from the cache, or (False, None): missing, damaged, disabled."""
    d = _dir() if enabled() else None
    if d is None:
        return False, None
    try:
        with open(os.path.join(d, f"{_KIND}-{k}"), "rb") as f:
            data = f.read()
    except OSError:
        return False, None
    return decode(data, k)


def put(k: str, doc: Any) -> None:
    d = _dir() if enabled() else None
    data = encode(k, doc) if d is not None else None
    if d is None or data is None:
        return
    try:
        fd, tmp = tempfile.mkstemp(dir=d, prefix=f".{_KIND}-")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(d, f"{_KIND}-{k}"))
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


_PARSER: list[str] = []


def parser_id() -> str:
    """Which PyYAML parses: its package's location, size and modification time (read
    without importing it, which is what a full hit saves). A reinstall, an upgrade or
    another environment is another parser."""
    if not _PARSER:
        import importlib.util

        spec = importlib.util.find_spec("yaml")
        origin = spec.origin if spec is not None else None
        try:
            st = os.stat(origin) if origin else None
        except OSError:
            st = None
        _PARSER.append(f"{origin} {st.st_size} {st.st_mtime_ns}" if st is not None else "")
    return _PARSER[0]


__all__ = ["get", "put", "key", "enabled", "parser_id"]
