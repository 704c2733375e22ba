"""Test kit: build a Wippy app with workflows in a temporary directory and drive it."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import yaml

import wippy


def write_app(root: Path, *, workflows: dict[str, str] | None = None, functions: dict[str, str] | None = None,
              store: str = ":memory:", clock: str = "virtual", modules: tuple[str, ...] = (
                  "funcs", "time", "uuid", "workflow", "json", "ctx"),
              extra: list[dict[str, Any]] | None = None) -> Path:
    """An app under root/src/app.yaml: namespace `app`, a `wf_host` workflow.host, the
    given workflow.lua entries (method main) and function.lua entries."""
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = [{"name": "wf_host", "kind": "workflow.host", "store": store, "clock": clock}]
    for name, code in (workflows or {}).items():
        (src / f"{name}.lua").write_text(textwrap.dedent(code))
        entries.append({"name": name, "kind": "workflow.lua", "modules": list(modules),
                        "source": f"file://{name}.lua", "method": "main"})
    for name, code in (functions or {}).items():
        (src / f"{name}.lua").write_text(textwrap.dedent(code))
        entries.append({"name": name, "kind": "function.lua", "modules": ["funcs", "time", "ctx", "json"],
                        "source": f"file://{name}.lua"})
    entries.extend(extra or [])
    (src / "app.yaml").write_text(yaml.safe_dump({"version": "1.0", "namespace": "app", "entries": entries},
                                                 sort_keys=False))
    return root


def run(app: wippy.App, make: Any) -> Any:
    """Run `make(host)` (a coroutine function) on a fresh loop; closes the app after."""
    async def go() -> Any:
        host = app.workflow_host("app:wf_host")
        try:
            result = await make(host)
            verify_all(host)
            return result
        finally:
            app.close()

    return wippy.run_sync(go)


def verify_all(host: Any) -> None:
    """Every workflow a test ran replays to the same commands and checkpoints
    (`wippy workflow verify`), whatever the test itself checked."""
    from wippy.workflows.verify import verify

    for row in host.store.list():
        rep = verify(host, row.id)
        assert rep.ok, f"verify {row.id}: {rep.mismatch} {rep.notes}"


async def start_and_wait(host: Any, type_id: str, *args: Any, wid: str | None = None,
                         options: dict[str, Any] | None = None) -> Any:
    opts = dict(options or {})
    if wid:
        opts["workflow.id"] = wid
    w, err = host.start_workflow(type_id, list(args), opts)
    assert err is None, err
    return await host.result(w)
