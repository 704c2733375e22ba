"""The disk cache of parsed registry files (wippy/registry/cache.py): a file's document
comes from the cache only for exactly the bytes it was parsed from, and a damaged or
foreign cache file is parsed again, never trusted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from wippy.registry import cache, load_registry

APP = """\
namespace: app
entries:
  - {name: f, kind: function.lua, source: "return function() return 1 end"}
  - {name: g, kind: function.lua, source: "file://g.lua", meta: {n: 2}}
"""


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WIPPY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("WIPPY_NO_CACHE", raising=False)
    root = tmp_path / "app" / "src"
    root.mkdir(parents=True)
    (root / "app.yaml").write_text(APP)
    (root / "g.lua").write_text("return function() return 2 end\n")
    return tmp_path / "app"


def _entry_file(app: Path) -> Path:
    raw = (app / "src" / "app.yaml").read_bytes()
    return app.parent / "cache" / f"yaml-{cache.key(raw, cache.parser_id())}"


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*a: object, **k: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(yaml, "load", refuse)


def _summary(app: Path) -> list[tuple[str, object, object]]:
    reg = load_registry(app)
    return [(e.id, e.source, e.meta) for e in reg.entries.values()]  # type: ignore[attr-defined]


def test_an_unchanged_file_is_not_parsed_again(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _summary(app)
    assert _entry_file(app).exists()
    _no_parsing(monkeypatch)
    assert _summary(app) == first
    assert first[1][1] == "return function() return 2 end\n"  # file:// is read at every load


def test_an_edited_file_is_parsed(app: Path) -> None:
    _summary(app)
    (app / "src" / "app.yaml").write_text(APP.replace("meta: {n: 2}", "meta: {n: 3}"))
    assert _summary(app)[1][2] == {"n": 3}


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "other key", "wrong kind"])
def test_a_damaged_or_foreign_cache_file_is_parsed_again(app: Path, damage: str) -> None:
    want = _summary(app)
    f = _entry_file(app)
    data = f.read_bytes()
    k = f.name.split("-", 1)[1]
    ok, doc = cache.decode(data, k)
    assert ok
    mid = len(data) // 2
    f.write_bytes({
        "truncated": data[:mid],
        "flipped": data[:mid] + bytes([data[mid] ^ 1]) + data[mid + 1:],
        "garbage": os.urandom(len(data)),
        "other key": cache.encode("0" * 64, {"namespace": "evil", "entries": []}) or b"",
        "wrong kind": cache.MAGIC + data[len(cache.MAGIC):].replace(b"yaml", b"json", 1),
    }[damage])
    assert cache.get(k) == (False, None)
    assert _summary(app) == want
    assert cache.decode(f.read_bytes(), k) == (True, doc)  # rewritten


def test_documents_marshal_cannot_hold_are_not_cached(app: Path) -> None:
    (app / "src" / "app.yaml").write_text(APP.replace("meta: {n: 2}", "meta: {when: 2024-01-02}"))
    assert str(_summary(app)[1][2]["when"]) == "2024-01-02"  # type: ignore[index]
    assert not _entry_file(app).exists()


def test_no_cache(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIPPY_NO_CACHE", "1")
    _summary(app)
    assert not (app.parent / "cache").exists()


def test_keys_name_the_bytes_and_the_parser() -> None:
    assert cache.key(b"a: 1\n", "p") != cache.key(b"a: 1 \n", "p")
    assert cache.key(b"a: 1\n", "p") != cache.key(b"a: 1\n", "q")
    assert cache.parser_id()  # PyYAML found without importing it
