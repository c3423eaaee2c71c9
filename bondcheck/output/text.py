"""Node-supplied text made safe to print: the one helper every output shares.

Kept apart from ``output/summary.py`` so ``bondcheck parse`` can render a bond without
loading the report classes that the summary counts (start-up matters for a command run in
loops over many files).
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """Text from a node made safe for a terminal or a ticket: one line, and control bytes
    (an ESC sequence in a mangled capture could rewrite the operator's screen) shown as
    ``\\x1b`` instead of being sent."""
    text = " ".join(text.split())
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
