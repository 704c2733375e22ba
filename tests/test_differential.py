"""Differential tests: run every Lua program in tests/lua/ under the reference
interpreter (``lua5.4``) and under luavm, and require identical behaviour.

For each ``tests/lua/**/*.lua`` file:

* stdout must be byte-for-byte identical,
* the exit status must be identical,
* if the reference fails (non-zero exit), the first line of stderr must be
  identical after normalising the program-name prefix (``lua5.4: `` /
  ``luavm: `` -> ``lua: ``).

Programs directly in ``tests/lua/`` must succeed under the reference; programs in
``tests/lua/errors/`` must fail (this keeps the corpus honest).

Addresses printed after ``: `` (``table: 0x55d91dc2b1c0``) are replaced by
``ADDR`` in both outputs, as a safety net.

The luavm command defaults to ``[sys.executable, "-m", "luavm"]`` and can be
overridden with the ``LUAVM_CMD`` environment variable (split with shlex), e.g.
``LUAVM_CMD=lua5.4 python -m pytest tests/test_differential.py -q`` checks the
corpus against the reference itself.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
LUA_DIR = REPO_ROOT / "tests" / "lua"
ERRORS_DIR = LUA_DIR / "errors"

REFERENCE = "lua5.4"
REFERENCE_TIMEOUT = 60
LUAVM_TIMEOUT = 60

if shutil.which(REFERENCE) is None:
    pytest.skip(
        "lua5.4 not installed: differential tests need the reference interpreter; "
        "apt-get install lua5.4",
        allow_module_level=True,
    )


def luavm_cmd() -> list[str]:
    env = os.environ.get("LUAVM_CMD")
    if env and env.strip():
        return shlex.split(env)
    return [sys.executable, "-m", "luavm"]


# The program-name prefix that standalone interpreters put before uncaught errors.
_PREFIX_RE = re.compile(r"^(?:lua5\.4|luavm|lua): ")
# tostring() of tables/functions/threads/userdata: "table: 0x55d91dc2b1c0".
_ADDR_RE = re.compile(r"(?<=: )0x[0-9a-fA-F]+\b")


class Result(NamedTuple):
    returncode: int
    stdout: str
    stdout_bytes: bytes
    stderr_first_line: str


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "backslashreplace")


def _normalise(text: str) -> str:
    return _ADDR_RE.sub("ADDR", text)


def _run(cmd: list[str], rel_path: str, timeout: float) -> Result:
    try:
        proc = subprocess.run(
            [*cmd, rel_path],
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{shlex.join(cmd)} {rel_path} timed out after {timeout} s")
    except FileNotFoundError as exc:
        pytest.fail(f"cannot run {shlex.join(cmd)}: {exc}")
    stdout = _normalise(_decode(proc.stdout))
    err_lines = _decode(proc.stderr).splitlines()
    first = err_lines[0] if err_lines else ""
    first = _normalise(_PREFIX_RE.sub("lua: ", first))
    stdout_bytes = _ADDR_RE.sub("ADDR", proc.stdout.decode("latin-1")).encode("latin-1")
    return Result(proc.returncode, stdout, stdout_bytes, first)


@functools.cache
def reference_result(rel_path: str) -> Result:
    return _run([REFERENCE], rel_path, REFERENCE_TIMEOUT)


def _programs() -> list[str]:
    return sorted(p.relative_to(REPO_ROOT).as_posix() for p in LUA_DIR.rglob("*.lua"))


PROGRAMS = _programs()


def _test_id(rel_path: str) -> str:
    return Path(rel_path).relative_to("tests/lua").as_posix()


@pytest.mark.parametrize("rel_path", PROGRAMS, ids=_test_id)
def test_differential(rel_path: str) -> None:
    expected = reference_result(rel_path)
    expect_failure = (REPO_ROOT / rel_path).resolve().is_relative_to(ERRORS_DIR)
    # Corpus sanity: errors/ programs must fail under the reference, others succeed.
    if expect_failure:
        assert expected.returncode != 0, f"{rel_path} should fail under {REFERENCE}"
    else:
        assert expected.returncode == 0, (
            f"{rel_path} fails under {REFERENCE}: {expected.stderr_first_line}"
        )

    actual = _run(luavm_cmd(), rel_path, LUAVM_TIMEOUT)

    where = f"(exit status {actual.returncode}; luavm stderr: {actual.stderr_first_line!r})"
    assert actual.stdout == expected.stdout, f"stdout differs {where}"
    assert actual.stdout_bytes == expected.stdout_bytes, f"stdout differs (raw bytes) {where}"
    assert actual.returncode == expected.returncode, (
        f"exit status differs; luavm stderr: {actual.stderr_first_line}"
    )
    if expected.returncode != 0:
        assert actual.stderr_first_line == expected.stderr_first_line, (
            "first line of stderr differs"
        )
