"""The code a snapshot may name by hash instead of carrying its text.

A workflow's snapshot references its chunks (the kernel, the modules' Lua
surfaces, the entry and its libraries) by the sha256 of their source: this
process knows every such source (the wippy package's own, and each entry's,
pinned in the store by the workflow's code bundle), so snapshots stay small —
the text of ~60 KB of Lua is not written at every step.

Invariants: a source is registered as the text luavm compiles (annotations
erased); a hash names exactly one text (checked again on restore).
"""

from __future__ import annotations

from functools import cache

import luavm

_BOOK: dict[str, bytes] = {}


@cache
def add(source: str | bytes) -> str:
    """Register a chunk source (as written in the registry or the package); returns its hash."""
    erased = luavm.erase_types(source)
    h: str = luavm.code_hash(erased)
    _BOOK[h] = erased
    return h


def book() -> dict[str, bytes]:
    """Every registered source by hash (pass to Task.snapshot(code=) / luavm.restore(code=)),
    wippy's own always included (a process that restores before it made any state)."""
    from .luastate import register_code  # (luastate registers into this module)

    register_code()
    return _BOOK


__all__ = ["add", "book"]
