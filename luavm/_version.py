"""luavm's version: the one place it is written.

pyproject.toml reads it (`[tool.setuptools.dynamic]`), `luavm.__version__` re-exports it,
the on-disk cache keys entries by it and snapshots record it. A leaf module: it imports nothing.
"""

__version__ = "0.1.0"
