"""wippy: a runtime in the style of the Wippy platform on luavm — a YAML registry of
Lua functions, processes, supervised services and durable workflows."""

from .app import App, run_sync
from .functions import WippyError
from .registry import RegistryError, load_registry

__version__ = "0.1.0"

__all__ = ["App", "WippyError", "RegistryError", "load_registry", "run_sync", "__version__"]
