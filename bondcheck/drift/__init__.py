"""Drift: what changed on a node between two snapshots of its bonds (DRIFT-* IDs).

A change window is judged twice: against the policy (``verify``) and against the node's own
state before the window (``diff BEFORE AFTER``, ``verify --baseline DIR``). This package is
the second judgement, and it is pure like the checks: ``observe`` turns one node's Evidence
into the parsed model verify uses (the same parsers, nothing new), ``compare`` compares two
of those, ``catalog`` describes every DRIFT-* ID once (``explain``, docs/checks.md), and
``run`` reads two capture trees through the capture reader and builds a DiffReport.
"""
