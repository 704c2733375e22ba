"""wippy: a runtime in the style of the Wippy platform on luavm — a YAML registry of
Lua functions, processes, supervised services and durable workflows."""

__version__ = "0.1.0"
