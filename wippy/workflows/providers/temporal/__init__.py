"""The temporal provider: Lua workflows on a Temporal cluster.

`temporal.client` entries are connections (client.py); each `temporal.worker`
entry is a TemporalProvider (worker.py) — what `App.workflow_host(ref)` returns
for it, with the methods of the sqlite WorkflowHost — whose worker hosts the app's
`workflow.lua` entries as Temporal workflow types (workflow.py: one generic
workflow stepping a luavm state; type name = entry ID) and its functions as
activities (activities.py). Needs the `temporalio` package (`pip install -e
'.[temporal]'`); `unavailable()` says why it cannot be used.
"""

from __future__ import annotations


def unavailable() -> str | None:
    """None if the provider can be used, else the reason (temporalio missing)."""
    try:
        import temporalio  # noqa: F401
    except ImportError as e:
        return f"the temporal provider needs temporalio (pip install -e '.[temporal]'): {e}"
    return None


def provider(app: object, entry: object) -> object:
    """A TemporalProvider for a temporal.worker entry (imports temporalio)."""
    from .worker import TemporalProvider

    return TemporalProvider(app, entry)  # type: ignore[arg-type]


__all__ = ["unavailable", "provider"]
