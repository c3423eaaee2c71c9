"""Timestamps as every report and capture writes them: RFC 3339, UTC, whole seconds."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> str:
    """``2026-12-05T04:36:14Z``: sortable, unambiguous, and what CI dashboards parse."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
