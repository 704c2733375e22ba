"""Make the repository root importable (the `fuzz` and `bench` packages)."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _shared_table_parts_stay_empty():
    """Every table without a hash/array part shares EMPTY_HASH / NO_ARRAY: a write
    that forgot to take its own copy would leak into all of them."""
    from luavm.runtime import values

    yield
    assert not values.EMPTY_HASH, f"EMPTY_HASH was written: {values.EMPTY_HASH!r}"
    assert values.NO_ARRAY == ()


@pytest.fixture(autouse=True)
def _keep_the_process_locale():
    """Lua's os.setlocale (host access) sets the process's C locale, as lua does; a
    test that calls it must not leave the rest of the session decoding text as ASCII."""
    import locale

    saved = locale.setlocale(locale.LC_ALL, None)
    yield
    locale.setlocale(locale.LC_ALL, saved)
