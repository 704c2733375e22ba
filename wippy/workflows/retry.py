"""Activity retry policies and timeouts, with Temporal's defaults.

Policy (from `with_options`: `activity.retry_policy` or `temporal.activity.retry_policy`):
initial_interval (1s), backoff_coefficient (2.0), maximum_interval (100 x initial),
maximum_attempts (0 = unlimited), non_retryable_error_types ([]). Durations are
Go-style strings or milliseconds. An error whose `retryable()` is false, or whose
kind is listed as non-retryable, is not retried; neither is NotFound/Invalid from
the runtime itself (the target does not exist, the arguments cannot be passed).
"""

from __future__ import annotations

from typing import Any

from ..durations import MILLISECOND, parse_duration

NEVER_RETRIED = ("NotFound", "Invalid", "Canceled")


def _get(opts: dict[str, Any], key: str) -> Any:
    for k in (f"activity.{key}", f"temporal.activity.{key}", key):
        if k in opts:
            return opts[k]
    return None


def _seconds(v: Any, default: float) -> float:
    if v is None:
        return default
    return parse_duration(v, number_unit=MILLISECOND) / 1e9


def policy(opts: dict[str, Any]) -> dict[str, Any]:
    rp = _get(opts, "retry_policy") or {}
    initial = _seconds(rp.get("initial_interval"), 1.0)
    return {
        "initial": initial,
        "backoff": float(rp.get("backoff_coefficient") or 2.0),
        "maximum": _seconds(rp.get("maximum_interval"), 100 * initial),
        "attempts": int(rp.get("maximum_attempts") or 0),
        "non_retryable": list(rp.get("non_retryable_error_types") or []),
    }


def next_delay(pol: dict[str, Any], attempt: int, err: dict[str, Any]) -> float | None:
    """Seconds until the next attempt, or None if the error is final."""
    if err.get("retryable") is False or err.get("kind") in NEVER_RETRIED and err.get("retryable") is not True:
        return None
    if err.get("kind") in pol["non_retryable"]:
        return None
    if pol["attempts"] and attempt >= pol["attempts"]:
        return None
    delay: float = pol["initial"] * pol["backoff"] ** (attempt - 1)
    return min(delay, pol["maximum"])


def start_to_close_ms(opts: dict[str, Any]) -> float | None:
    v = _get(opts, "start_to_close_timeout") or _get(opts, "schedule_to_close_timeout") or _get(opts, "timeout")
    if v is None:
        return None
    return parse_duration(v, number_unit=MILLISECOND) / 1e6


__all__ = ["policy", "next_delay", "start_to_close_ms"]
