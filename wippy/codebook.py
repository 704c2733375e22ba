"""The code a snapshot may name by hash instead of carrying its text.

A workflow's snapshot references its chunks (the kernel, the modules' Lua
surfaces, the entry and its libraries) by the sha256 of their source: this
process knows every such source (the wippy package's own, and each entry's,
pinned in the store by the workflow's code bundle), so snapshots stay small —
the text of ~60 KB of Lua is not written at every step.

Invariants: a source is registered as the text luavm compiles (annotations
erased); a hash names exactly one text (checked again on restore).

Costs: `add` only notes a source; erasing and hashing happen when `book()` is
first asked for after it (a process that never snapshots never pays: ~0.2 s for
wippy's own ~60 KB of Lua, plus the snapshot module's import).
"""

from __future__ import annotations

import luavm

_BOOK: dict[str, bytes] = {}
_SEEN: set[str | bytes] = set()
_PENDING: list[str | bytes] = []


def add(source: str | bytes) -> None:
    """Register a chunk source (as written in the registry or the package)."""
    if source not in _SEEN:
        _SEEN.add(source)
        _PENDING.append(source)


def book() -> dict[str, bytes]:
    """Every registered source by hash (pass to Task.snapshot(code=) / luavm.restore(code=)),
    wippy's own always included (a process that restores before it made any state)."""
    from .luastate import register_code  # (luastate registers into this module)

    register_code()
    while _PENDING:
        erased = luavm.erase_types(_PENDING.pop())
        _BOOK[luavm.code_hash(erased)] = erased
    return _BOOK


__all__ = ["add", "book"]
