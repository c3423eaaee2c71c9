"""The policy and fleet options that verify, collect and failover share, declared once.

Each is an ``Annotated`` alias, like the transport options, so the three commands list them
identically and read the same BONDCHECK_* variables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

SELECTION = "Selection"

PolicyName = Annotated[
    str | None,
    typer.Option(
        "--policy",
        envvar="BONDCHECK_POLICY",
        rich_help_panel=SELECTION,
        help="NNCP name: read from the cluster, or picked from --policy-file.",
    ),
]
PolicyFile = Annotated[
    Path | None,
    typer.Option(
        "--policy-file",
        envvar="BONDCHECK_POLICY_FILE",
        rich_help_panel=SELECTION,
        help="YAML file holding the NNCP (no cluster needed to read it).",
    ),
]
Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        envvar="BONDCHECK_JOBS",
        min=1,
        rich_help_panel=SELECTION,
        help="Nodes collected at once (default: the transport's).",
    ),
]
Timeout = Annotated[
    float,
    typer.Option(
        "--timeout",
        envvar="BONDCHECK_TIMEOUT",
        min=1.0,
        rich_help_panel=SELECTION,
        help="Seconds allowed to collect one node.",
    ),
]
