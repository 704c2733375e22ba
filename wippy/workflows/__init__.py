"""Durable workflows: the embedded engine on SQLite (engine.py, store.py), replay
verification (verify.py)."""

from .engine import WorkflowHost

__all__ = ["WorkflowHost"]
