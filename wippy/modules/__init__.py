"""Wippy's Lua modules, one Python file each (see _spec.py for what a module is)."""

from __future__ import annotations

import importlib

from ._spec import Module

# require name -> Python module (file) in this package
_FILES = {
    "funcs": "funcs", "time": "time", "uuid": "uuid", "json": "json", "yaml": "yaml",
    "base64": "base64", "hash": "hash", "ctx": "ctx", "env": "env", "logger": "logger",
    "registry": "registry", "process": "process", "workflow": "workflow", "text": "text",
}
KNOWN: tuple[str, ...] = tuple(_FILES)
_LOADED: dict[str, Module | None] = {}


def get_module(name: str) -> Module | None:
    """The module named `name`, or None if it is not (yet) implemented."""
    if name in _LOADED:
        return _LOADED[name]
    mod: Module | None = None
    f = _FILES.get(name)
    if f is not None:
        try:
            mod = importlib.import_module(f"{__name__}.{f}").MODULE
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{f}":
                raise
    _LOADED[name] = mod
    return mod


__all__ = ["Module", "KNOWN", "get_module"]
