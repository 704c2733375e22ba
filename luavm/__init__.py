"""luavm: a Lua 5.4 interpreter in pure Python whose execution state can be
suspended at a host call, written as bytes and continued elsewhere."""

from .host import LuaRuntime
from .runtime.values import LuaError

__version__ = "0.1.0"

__all__ = ["LuaRuntime", "LuaError", "__version__"]
