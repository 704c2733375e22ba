"""luavm benchmark suite: the same programs in Lua and in Python, timed under
CPython, the reference lua5.4 and luavm. Run with `python -m bench`."""
