"""luavm's on-disk compile cache (luavm/diskcache.py, runtime/loader.py's Chunk, the
dialect's erasure): an entry is only ever used for the source, name, option and luavm
it was made for, and a damaged or foreign file is a miss, never a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import luavm
from luavm import dialect, diskcache
from luavm.runtime import loader

SRC = b"""\
local function boom(x)
  error("boom " .. x)
end
local function gen(n)
  for i = 1, n do coroutine.yield(i * 10) end
  return "done"
end
local function bad(n)
  coroutine.yield(n)
  local tb = debug.traceback("in co")
  error("co " .. n .. " " .. tb)
end
return function(x)
  local co = coroutine.wrap(gen)
  local t = {co(3), co(), co(), co()}
  local ok, err = pcall(boom, x)
  local c2 = coroutine.create(bad)
  local _, first = coroutine.resume(c2, 7)
  local _, co_err = coroutine.resume(c2)
  return table.concat(t, ","), err, debug.traceback("tb"), first, co_err
end
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache dir; the in-process caches emptied, so every load goes to disk."""
    monkeypatch.setenv("LUAVM_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("LUAVM_NO_CACHE", raising=False)
    monkeypatch.setattr(loader, "_CACHE", {})
    monkeypatch.setattr(dialect, "_CACHE", {})
    return tmp_path


def _run(src: bytes, name: str = "=t") -> tuple:
    loader._CACHE.clear()
    rt = luavm.LuaRuntime()
    return rt.call(rt.call(rt.load(src, name)), "x")


def _file(cache: Path, kind: str, *parts: bytes | str) -> Path:
    return cache / f"{kind}-{diskcache.key(kind, *parts)}"


def test_a_cached_chunk_runs_as_the_compiled_one(cache: Path) -> None:
    first = _run(SRC)
    f = _file(cache, "chunk", SRC, "=t", "False")
    assert f.exists()
    chunk = loader.Chunk(SRC, "=t")
    assert chunk._protos is None  # from the cache: the IR is read only when needed
    again = _run(SRC)
    assert again == first
    assert again[0] == "10,20,30,done"
    assert again[1] == "t:2: boom x"  # the line table comes from the cached IR
    assert "t:20: in function <t:13>" in again[2]
    assert again[3] == 7
    assert again[4].startswith("t:11: co 7 in co\nstack traceback:\n\tt:10: in function <t:8>"), again[4]
    assert len(list(cache.glob("gen-*"))) == 2  # both coroutine bodies' generator forms, made once
    assert chunk.protos[0].index == 0 and chunk._protos is not None


def test_an_entry_is_never_used_for_another_source_name_or_option(cache: Path) -> None:
    other = SRC.replace(b"boom ", b"bang ")
    _run(SRC)
    made = _file(cache, "chunk", SRC, "=t", "False").read_bytes()
    # the entry of SRC put where other's, another name's and the counting compile's would be
    for parts in ((other, "=t", "False"), (SRC, "=u", "False"), (SRC, "=t", "True")):
        _file(cache, "chunk", *parts).write_bytes(made)
    assert _run(other)[1] == "t:2: bang x"
    assert _run(SRC, "=u")[1] == "u:2: boom x"
    counted = loader.Chunk(SRC, "=t", counting=True)
    assert counted._protos is not None  # compiled, not taken from SRC's entry
    assert loader._cached(diskcache.get("chunk", diskcache.key("chunk", SRC, "=t", "True")),
                          SRC, "=t", True) is not None  # and its own entry replaced the copy


def test_keys_depend_on_the_version_and_every_part(monkeypatch: pytest.MonkeyPatch) -> None:
    k = diskcache.key("chunk", b"a\0b", "c")
    assert k != diskcache.key("chunk", b"a", "\0bc")  # parts never run together
    assert k != diskcache.key("chunk", "a\0b", "c")  # text is not bytes
    assert diskcache.key("chunk", "\udc80") != diskcache.key("chunk", "\udc81")  # lone surrogates hash
    monkeypatch.setattr(diskcache, "VERSION", diskcache.VERSION + ".1")
    assert diskcache.key("chunk", b"a\0b", "c") != k
    monkeypatch.setattr(diskcache, "_FINGERPRINT", [b"another compiler"])
    assert diskcache.key("chunk", b"a\0b", "c") != k


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty", "garbage", "old format", "wrong shape",
                                    "other kind", "other key"])
def test_a_damaged_or_foreign_file_is_a_miss(cache: Path, damage: str) -> None:
    want = _run(SRC)
    f = _file(cache, "chunk", SRC, "=t", "False")
    data = f.read_bytes()
    k = f.name.split("-", 1)[1]
    bad = {
        "truncated": data[:len(data) // 2],
        "flipped": data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 0x40]) + data[len(data) // 2 + 1:],
        "empty": b"",
        "garbage": os.urandom(len(data)),
        "old format": b"luavm-c1" + data[8:],
        "wrong shape": diskcache.encode("chunk", k, (1, SRC, "=t", False, "not code", [], b"")),
        "other kind": diskcache.encode("parser", k, diskcache.decode(data, "chunk", k)),
        "other key": diskcache.encode("chunk", "0" * 40, diskcache.decode(data, "chunk", k)),
    }[damage]
    f.write_bytes(bad)
    assert diskcache.get("chunk", k) is None or damage == "wrong shape"
    assert _run(SRC) == want  # compiled again ...
    assert diskcache.decode(f.read_bytes(), "chunk", k) is not None  # ... and the entry rewritten
    assert loader.Chunk(SRC, "=t")._protos is None


def test_the_erasure_is_cached_by_source_and_hook(cache: Path) -> None:
    typed = b"local x: number = 1\nreturn x :: number\n"
    out = dialect.erase_types(typed, chunkname="a.lua")
    f = _file(cache, "erased", typed, "__type")
    assert f.exists() and diskcache.decode(f.read_bytes(), "erased", f.name.split("-", 1)[1]) == out
    dialect._CACHE.clear()
    f.write_bytes(diskcache.encode("erased", f.name.split("-", 1)[1], b"return 42\n"))
    assert dialect.erase_types(typed, chunkname="b.lua") == b"return 42\n"  # the disk entry is used
    assert dialect.erase_types(typed, "__other", chunkname="b.lua") == out.replace(b"__type", b"__other")
    f.write_bytes(b"luavm-c2" + b"\0" * 8)  # damaged: erased again
    dialect._CACHE.clear()
    assert dialect.erase_types(typed, chunkname="c.lua") == out


def test_an_erasure_error_is_not_cached(cache: Path) -> None:
    bad = b"local x: = 1\n"
    for name in ("a.lua", "b.lua"):
        with pytest.raises(luavm.LuaSyntaxError, match=name):
            dialect.erase_types(bad, chunkname=name)
    assert not list(cache.glob("erased-*"))


def test_no_cache_writes_nothing(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUAVM_NO_CACHE", "1")
    assert _run(SRC)[0] == "10,20,30,done"
    dialect.erase_types(b"local y: string = 'a'\n")
    assert not list(cache.iterdir())
