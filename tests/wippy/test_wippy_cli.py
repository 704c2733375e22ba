"""The `wippy` command, run for real in subprocesses, as a user would."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

APPS = Path(__file__).parent / "apps"
BASIC = APPS / "cli_basic"
WF = APPS / "cli_wf"


def wippy(*args: str | Path, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wippy.cli", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def write_app(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def no_traceback(r: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback (most recent call last)" not in r.stderr + r.stdout


# ---------------------------------------------------------------- version, lint


def test_version() -> None:
    r = wippy("version")
    assert r.returncode == 0
    assert r.stdout.startswith("wippy ") and "luavm" in r.stdout


def test_lint_ok() -> None:
    r = wippy("lint", BASIC)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == "ok: 11 entries in 2 files, 11 Lua sources compiled"


def test_lint_reports_every_registry_problem(tmp_path: Path) -> None:
    app = write_app(tmp_path, {"src/a.yaml": """
        namespace: app
        entries:
          - name: f
            kind: function.lua
            modules: [nosuchmod]
          - name: svc
            kind: process.service
            process: nothere
            host: app:f
            lifecycle:
              stop_timeout: banana
        """})
    r = wippy("lint", app)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert "src/a.yaml: entry app:f, field 'source': missing (required for function.lua) (line 3)" in lines
    assert any(ln.startswith("src/a.yaml: entry app:svc, field 'process': ") and ln.endswith("(line 8)")
               for ln in lines)
    assert any("field 'lifecycle.stop_timeout': bad duration \"banana\"" in ln for ln in lines)
    assert any(ln.startswith("warning: src/a.yaml: entry app:f, field 'modules[0]'") for ln in lines)
    assert lines[-1] == "4 problems (4 in the registry), 1 warning"
    # the same app for a command that runs it: every problem, exit 2
    r = wippy("call", "app:f", "--app", app)
    assert r.returncode == 2
    assert "field 'lifecycle.stop_timeout'" in r.stderr
    assert r.stderr.strip().endswith("error: the app's registry is invalid (4 problems)")
    no_traceback(r)


def test_lint_lua_syntax_errors_with_file_and_line(tmp_path: Path) -> None:
    app = write_app(tmp_path, {
        "src/app/_index.yaml": """
            namespace: app
            entries:
              - name: good
                kind: function.lua
                source: |
                  return function() return 1 end
              - name: inline_bad
                kind: function.lua
                source: |
                  return function()
                    local x = = 1
                  end
              - name: file_bad
                kind: function.lua
                source: file://bad.lua
              - name: typed
                kind: library.lua
                source: |
                  local x: number = 1
                  type Point = {x: number, y: number}
                  return {x = x}
            """,
        "src/app/bad.lua": "local t = {}\n\nfunction t.f(\n  return 1\nend\nreturn t\n",
    })
    r = wippy("lint", app)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "src/app/_index.yaml: entry app:inline_bad, field 'source': unexpected symbol near '=' (line 11)",
        "src/app/bad.lua: entry app:file_bad, field 'source': <name> or '...' expected near 'return' (line 4)",
        "2 problems (2 Lua syntax errors)",
    ]


# ---------------------------------------------------------------- call


def test_call_prints_the_result_as_json() -> None:
    r = wippy("call", "app:add", "2", "40", "--app", BASIC)
    assert (r.returncode, r.stdout.strip()) == (0, "42")
    r = wippy("call", "greet", '{"name": "Ann"}', cwd=BASIC)  # a bare name, the app in .
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"text": "hello, Ann", "tags": ["greeting", "test"], "length": 3}


def test_call_error_prints_kind_message_and_lua_traceback() -> None:
    r = wippy("call", "app:boom", "7", "--app", BASIC)
    assert r.returncode == 1
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert lines[0] == "error: Internal: src/app/_index.yaml#boom:2: kaboom 7"
    assert "stack traceback:" in lines
    assert any("src/app/_index.yaml#boom:2: in upvalue 'inner'" in ln for ln in lines)
    assert not any("[wippy" in ln for ln in lines)  # the kernel's frames are left out
    r = wippy("call", "app:missing", "3", "--app", BASIC)
    assert r.returncode == 1
    assert r.stderr.strip() == "error: NotFound: no user 3"


def test_call_user_mistakes_exit_2_with_one_line(tmp_path: Path) -> None:
    r = wippy("call", "app:add", "1", "two", "--app", BASIC)
    assert r.returncode == 2
    assert r.stderr.strip() == "error: argument 2 is not valid JSON: 'two' (Expecting value); write a string as '\"two\"'"
    r = wippy("call", "app:ad", "--app", BASIC)
    assert r.returncode == 2
    assert r.stderr.startswith("error: no entry app:ad in the app at") and "did you mean app:add" in r.stderr
    r = wippy("call", "app:add", "--app", tmp_path / "nowhere")
    assert r.returncode == 2
    assert r.stderr.strip() == f"error: app directory {tmp_path / 'nowhere'} not found"


# ---------------------------------------------------------------- test


def test_test_runs_suites_in_order_and_reports(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    r = wippy("test", BASIC, "--json", report)
    assert r.returncode == 1
    out = r.stdout
    # suites in order of appearance, tests by meta.order then ID
    assert out.index("math (3 tests)") < out.index("✓ first") < out.index("✓ second") < out.index("✓ unordered")
    assert out.index("app.tests (3 tests)") < out.index("✓ calls_add")
    assert "✗ raises" in out and "✗ returns_false" in out
    assert "error: Internal: src/tests/tests.yaml#raises:2: expected 2, got 3" in out
    assert "src/tests/tests.yaml#raises:2: in upvalue 'check'" in out
    assert "error: returned false" in out
    assert "3 passed, 0 failed" in out and "1 passed, 2 failed" in out
    assert "6 tests: 4 passed, 2 failed in" in out.splitlines()[-1]
    data = json.loads(report.read_text())
    assert (data["passed"], data["failed"]) == (4, 2)
    assert [t["id"] for t in data["tests"]] == [
        "app.tests:first", "app.tests:second", "app.tests:unordered",
        "app.tests:calls_add", "app.tests:raises", "app.tests:returns_false"]
    by_id = {t["id"]: t for t in data["tests"]}
    assert by_id["app.tests:first"] == {**by_id["app.tests:first"], "suite": "math", "status": "passed",
                                        "error": None}
    assert by_id["app.tests:returns_false"]["error"] == "returned false"
    assert by_id["app.tests:raises"]["suite"] == "app.tests"
    assert by_id["app.tests:raises"]["error"].startswith("Internal: ")
    assert all(isinstance(t["ms"], int | float) and t["ms"] >= 0 for t in data["tests"])


def test_test_passing_suite_exits_0_and_unknown_suite_exits_2() -> None:
    r = wippy("test", BASIC, "--suite", "math")
    assert r.returncode == 0, r.stdout
    assert "3 tests: 3 passed, 0 failed" in r.stdout
    assert "calls_add" not in r.stdout
    r = wippy("test", BASIC, "--suite", "nope")
    assert r.returncode == 2
    assert r.stderr.strip() == "error: no test suite nope (suites: math, app.tests)"


# ---------------------------------------------------------------- registry


def test_registry_list_and_show() -> None:
    r = wippy("registry", "list", BASIC)
    assert r.returncode == 0
    rows = [ln.split() for ln in r.stdout.splitlines() if ln.strip()]
    assert rows[0] == ["id", "kind", "file"]
    assert ["app:add", "function.lua", "src/app/_index.yaml"] in rows
    assert len(rows) == 12
    r = wippy("registry", "list", BASIC, "--kind", "function.lua", "--json")
    assert len(json.loads(r.stdout)) == 11
    r = wippy("registry", "show", "app:greet", "--app", BASIC)
    assert r.returncode == 0
    import yaml

    doc = yaml.safe_load(r.stdout)
    assert (doc["id"], doc["kind"], doc["file"], doc["modules"]) == ("app:greet", "function.lua",
                                                                     "src/app/_index.yaml", ["json"])
    lines = doc["source"].splitlines()
    assert lines[0] == "-- greet(person) -> a greeting record"
    assert len(lines) == 7 and "more lines" in lines[-1] and "src/app/greet.lua" in lines[-1]
    r = wippy("registry", "show", "second", "--app", BASIC)
    assert yaml.safe_load(r.stdout)["meta"] == {"type": "test", "suite": "math", "order": 2}
    r = wippy("registry", "show", "app:nope", "--app", BASIC)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1
    no_traceback(r)


# ---------------------------------------------------------------- run


class Server:
    """`wippy run APP` in the background; stderr collected by a thread."""

    def __init__(self, app: Path, *extra: str) -> None:
        self.p = subprocess.Popen([sys.executable, "-m", "wippy.cli", "run", str(app), *extra],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.err: list[str] = []
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()
        self.wait_for("serving")

    def _read(self) -> None:
        assert self.p.stderr is not None
        for line in self.p.stderr:
            self.err.append(line)

    def wait_for(self, text: str, timeout: float = 20) -> None:
        end = time.monotonic() + timeout
        while not any(text in ln for ln in self.err):
            if self.p.poll() is not None or time.monotonic() > end:
                self.p.kill()
                raise AssertionError(f"server: no {text!r}: {''.join(self.err)}")
            time.sleep(0.02)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.p.send_signal(sig)
        try:
            rc = self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            raise
        self.t.join(5)
        return rc


def test_run_stops_gracefully_on_sigterm_and_sigint() -> None:
    s = Server(BASIC)
    assert s.stop(signal.SIGTERM) == 0
    text = "".join(s.err)
    assert "stopping (SIGTERM)" in text and "stopped" in text
    assert "Traceback" not in text
    s = Server(BASIC, "--json-logs")
    assert s.stop(signal.SIGINT) == 0
    logs = [json.loads(ln) for ln in s.err if ln.strip()]
    assert {"time", "level", "logger", "message"} <= set(logs[0])
    assert logs[-2]["message"] == "stopping (SIGINT)" and logs[-1]["message"] == "stopped"


def test_run_x_runs_one_entry() -> None:
    r = wippy("run", "-x", "app:add", "1", "2", "--app", BASIC)
    assert (r.returncode, r.stdout.strip()) == (0, "3")
    r = wippy("run", "-x", "app:boom", "1", cwd=BASIC)
    assert r.returncode == 1 and "error: Internal:" in r.stderr


# ---------------------------------------------------------------- workflows


def steps(db: Path, wid: str) -> tuple[str, int] | None:
    con = sqlite3.connect(db)
    try:
        row = con.execute("SELECT status, steps FROM workflows WHERE id = ?", (wid,)).fetchone()
    finally:
        con.close()
    return (row[0], row[1]) if row else None


def wait_until(cond: object, timeout: float = 15) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def wf_app(tmp_path: Path) -> Path:
    return Path(shutil.copytree(WF, tmp_path / "app"))


def test_workflow_lifecycle_from_the_command_line(wf_app: Path) -> None:
    db = wf_app / "data" / "workflows.db"
    w = lambda *a: wippy("workflow", *a, cwd=wf_app)  # noqa: E731
    r = w("list")
    assert (r.returncode, r.stdout.strip()) == (0, "no workflows (the store does not exist yet)")
    # started without a server: the rows are written, nothing runs here
    r = w("start", "app:order", '{"amount": 42}', "--id", "o-1")
    assert (r.returncode, r.stdout.strip()) == (0, "o-1")
    for wid, amount in (("o-2", 7), ("o-3", 9)):
        assert w("start", "order", json.dumps({"amount": amount}), "--id", wid).returncode == 0
    listed = json.loads(w("list", "--json").stdout)
    assert [(x["id"], x["type"], x["status"], x["steps"]) for x in listed] == [
        ("o-1", "app:order", "running", 0), ("o-2", "app:order", "running", 0), ("o-3", "app:order", "running", 0)]
    r = w("stack", "o-1")
    assert r.returncode == 1 and "has not run yet" in r.stderr

    # a server runs them (virtual clock: the 24h timer fires at once) up to the inbox wait
    s = Server(wf_app)
    try:
        assert wait_until(lambda: all(steps(db, x) == ("running", 3) for x in ("o-1", "o-2", "o-3"))), s.err
        r = w("stack", "o-1")
        assert r.returncode == 0, r.stderr
        out = r.stdout
        assert "src/order.lua:6 in function 'wait_approval'" in out
        assert "src/order.lua:18 in function 'main'" in out
        assert out.index("wait_approval") < out.index("function 'main'")  # innermost first
        assert "order = {amount = 42}" in out and "r         = {charged = 42}" in out
        assert "reminders = 1" in out
        assert "[wippy" not in out.replace("waiting in [wippy", "")  # the kernel's frames are hidden
        assert "[wippy kernel]" in w("stack", "o-1", "--all").stdout
        frames = json.loads(w("stack", "o-1", "--json").stdout)
        assert (frames[0]["source"], frames[0]["line"], frames[0]["function"]) == ("src/order.lua", 6,
                                                                                   "wait_approval")
        assert frames[0]["locals"]["order"] == "{amount = 42}"

        hist = w("history", "o-1").stdout
        assert 'activity app:charge({"amount": 42})' in hist
        assert '= {"charged": 42}' in hist and "timer 24h0m0s" in hist and "fired" in hist
        # a replay of a waiting workflow reaches the stored snapshot
        r = w("verify", "o-1")
        assert (r.returncode, r.stdout.strip()) == (0, "ok: 3 steps, 2 commands replayed, final state identical")

        # writes while the server runs: it does the work, the command takes nothing from it
        r = w("signal", "o-1", "approve", '"yes"')
        assert (r.returncode, r.stdout.strip()) == (0, "sent approve to o-1")
        r = w("result", "o-1", "--timeout", "15")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout) == {"charged": 42, "approved": "yes", "reminders": 1}
        r = w("cancel", "o-2", "no longer needed")
        assert (r.returncode, r.stdout.strip()) == (0, "cancel requested for o-2")
        assert wait_until(lambda: steps(db, "o-2") == ("running", 4)), s.err  # it ignores the request
        r = w("terminate", "o-3", "bad order")
        assert (r.returncode, r.stdout.strip()) == (0, "terminated o-3")
        assert steps(db, "o-3") == ("terminated", 3)
        assert w("start", "order", '{"amount": 1}', "--id", "o-4").returncode == 0
        assert wait_until(lambda: steps(db, "o-4") == ("running", 3)), s.err
    finally:
        assert s.stop() == 0

    shown = json.loads(w("show", "o-3", "--json").stdout)
    assert shown["status"] == "terminated" and shown["error"]["message"] == "bad order"
    r = w("signal", "o-3", "approve")
    assert r.returncode == 1 and r.stderr.strip() == "error: Invalid: workflow o-3 is terminated"
    r = w("show", "o")
    assert r.returncode == 2 and r.stderr.startswith("error: workflow ID o is ambiguous: o-1, o-2")
    r = w("show", "o-4")
    assert r.returncode == 0 and "pending tasks: none" in r.stdout and "o-4" in r.stdout
    r = w("result", "o-3")
    assert r.returncode == 1 and "Canceled: bad order" in r.stderr
    r = w("result", "o-2", "--timeout", "0.2")
    assert r.returncode == 1 and "still running" in r.stderr
    assert "← cancel (no longer needed)" in w("history", "o-2").stdout
    r = w("verify", "o-1")
    assert (r.returncode, r.stdout.strip()) == (0, "ok: 4 steps, 2 commands replayed, same result")
    r = w("migrate", "o-2")
    assert r.returncode == 0 and r.stdout.startswith("ok: 4 steps"), r.stdout + r.stderr
    listed = {x["id"]: x for x in json.loads(w("list", "--json").stdout)}
    assert listed["o-1"]["result"] == {"charged": 42, "approved": "yes", "reminders": 1}
    assert listed["o-3"]["error"]["kind"] == "Canceled"
    table = w("list").stdout.splitlines()
    assert table[0].split() == ["id", "type", "status", "steps", "updated"]
    assert table[1].split()[:4] == ["o-1", "app:order", "completed", "4"]
    # the store alone, without the app
    r = wippy("workflow", "stack", "o-2", "--store", db, cwd=wf_app.parent)
    assert r.returncode == 0 and "wait_approval" in r.stdout


def test_workflow_commands_need_a_store(tmp_path: Path) -> None:
    r = wippy("workflow", "list", "--app", BASIC)
    assert r.returncode == 2
    assert r.stderr.strip() == "error: the app has no workflow.host entry (or give the store with --store PATH)"
    r = wippy("workflow", "show", "x", "--store", tmp_path / "none.db")
    assert r.returncode == 2 and "no workflow store" in r.stderr
    (tmp_path / "junk.db").write_text("not sqlite")
    r = wippy("workflow", "list", "--store", tmp_path / "junk.db")
    assert r.returncode == 2 and "is not a workflow store" in r.stderr
    no_traceback(r)
    assert not os.path.exists(tmp_path / "none.db")
