"""The policy and fleet options that verify, collect and failover share, declared once.

Each is an ``Annotated`` alias, like the transport options, so the three commands list them
identically and read the same BONDCHECK_* variables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from bondcheck.cli.common import duration_opt, opt

SELECTION = "Selection"

PolicyName = Annotated[
    str | None,
    opt(
        "--policy",
        help="NNCP name: read from the cluster, or picked from --policy-file.",
        panel=SELECTION,
    ),
]
PolicyFile = Annotated[
    Path | None,
    opt(
        "--policy-file",
        help="YAML file holding the NNCP (no cluster needed to read it).",
        panel=SELECTION,
    ),
]
Jobs = Annotated[
    int | None,
    opt(
        "--jobs",
        "-j",
        help="Nodes collected at once (default: the transport's).",
        panel=SELECTION,
        min=1,
    ),
]
Timeout = Annotated[
    float,
    duration_opt(
        "--timeout",
        help="Time allowed to collect one node (30s, 2m, 1m30s or seconds).",
        panel=SELECTION,
    ),
]
Selector = Annotated[
    str | None,
    opt(
        "--selector",
        "-l",
        help="Only the policy's nodes whose labels match (kubectl syntax: key=value,"
        "key!=value,key in (a,b),key,!key). Live runs only.",
        panel=SELECTION,
    ),
]
