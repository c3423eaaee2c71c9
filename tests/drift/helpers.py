"""Real lab captures as snapshots of one node, for the drift tests.

The lab captures (fixtures/captures/lab, printed by real kernels) were taken on three lab
nodes whose MACs differ in one octet (node ports 02:b0:00:<n>:00:0N, switch ports
02:5e:00:<n>:00:0N). ``snapshot(name, as_node=0)`` reads a capture as lab node 0 saw it,
by rewriting that octet in the text, so healthy (node 0) vs a fault taken on node 1 or 2
shows the fault and not "another switch". Nothing else in the text is touched.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from bondcheck.drift.model import NodeState
from bondcheck.drift.observe import observe
from bondcheck.transport.capture import read_node

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "fixtures" / "captures" / "lab"
_LAB_MAC = re.compile(r"\b(02:(?:b0|5e):00:)[0-9a-f]{2}(:00:0[0-9a-f])")


def relabel(text: str, node: int) -> str:
    """The lab MACs of ``text`` as lab node ``node`` has them."""
    return _LAB_MAC.sub(lambda m: f"{m[1]}{node:02x}{m[2]}", text)


def copy_capture(name: str, dest: Path, *, as_node: int | None = 0) -> Path:
    """The capture ``name`` copied to ``dest`` (relabelled to lab node ``as_node``)."""
    shutil.copytree(LAB / name, dest)
    if as_node is not None:
        for path in dest.rglob("*"):
            if path.is_file():
                path.write_text(relabel(path.read_text(), as_node))
    return dest


def snapshot(
    name: str,
    tmp: Path,
    *,
    as_node: int | None = 0,
    edit: dict[str, tuple[str, str]] | None = None,
) -> NodeState:
    """One lab capture read by the capture reader and parsed as ``diff`` does.

    ``edit`` maps a file (relative to the capture) to one (old, new) text replacement, for
    the drifts no lab capture shows (another kernel release, a renegotiated speed); the
    replaced text must be there.
    """
    tmp.mkdir(parents=True, exist_ok=True)
    dest = tmp / f"{name}-{len(list(tmp.iterdir()))}"
    copy_capture(name, dest, as_node=as_node)
    for rel, (old, new) in (edit or {}).items():
        path = dest / rel
        text = path.read_text()
        assert old in text, f"{rel} has no {old!r}"
        path.write_text(text.replace(old, new, 1))
    return observe(read_node(dest, "worker-0"))
