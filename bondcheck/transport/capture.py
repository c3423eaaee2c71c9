"""Saved evidence on disk: ``--from-dir DIR`` reads it, ``bondcheck collect`` writes it.

Layout (DESIGN.md), one directory per node::

    DIR/<node>/proc/net/bonding/<bond>   raw text, exactly as the kernel printed it
    DIR/<node>/ip-addr.json              ``ip -j addr show``
    DIR/<node>/ip-link.json              ``ip -j -d link show``          (optional)
    DIR/<node>/kernel.txt                ``uname -r``                    (optional)
    DIR/<node>/lldp.json                 ``lldpctl -f json``: LLDP neighbours (optional)
    DIR/<node>/meta.json                 how it was collected: privileged view, notes,
                                         bonds known to be absent        (optional)
    DIR/<node>/enactment.json            the node's NNCE condition       (optional)
    DIR/<node>/nns.json                  NodeNetworkState currentState   (optional)
    DIR/<node>/desired-state.json        {"policy": NAME, "desiredState": {...}}: the node's
                                         own rendering of templated policy NAME, from its
                                         NNCE status.desiredState (optional)
    DIR/<node>/error.txt                 one line: why the node could not be collected

A node directory without ``proc/net/bonding/<bond>`` means the bond is absent (BOND-PRESENT
judges that); a node directory with no evidence at all, or with ``error.txt``, means the
evidence was not collected (the node reports ERROR, exit 3). An unpacked sosreport is read
too, as a node directory or as DIR itself (see capture_sos.py).

Names that become paths are validated before any file is touched: node names may not
traverse (no ``/``, no ``..``, no leading dot or dash) and bond names follow the kernel's
interface-name rules. Files are read as text with their line endings untouched, so a capture
written by ``write_capture`` reads back as the same Evidence.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from bondcheck import __version__
from bondcheck.errors import CollectError, InputError
from bondcheck.ifname import ifname_problem
from bondcheck.model import Enactment, Evidence, NodeFailure, Policy, Rendering
from bondcheck.timefmt import utc_now
from bondcheck.transport.capture_sos import is_sosreport, read_sos, sos_hostname
from bondcheck.transport.tree import Tree

TRANSPORT = "capture"
BONDING = Path("proc", "net", "bonding")
_OUTPUT_FILES = ("ip-addr.json", "ip-link.json", "kernel.txt", "lldp.json")
_EVIDENCE_FILES = ("ip-addr.json", "ip-link.json", "kernel.txt", "meta.json", "error.txt")
DESIRED_STATE = "desired-state.json"
POLICY_FILE = "policy.yaml"  # at the top of a capture: the NNCP it was collected for
_OWNED_FILES = (*_EVIDENCE_FILES, "enactment.json", "nns.json", "lldp.json", DESIRED_STATE)
_NODE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._:@%+\-]{0,252}")


def node_name_problem(name: object) -> str | None:
    """Why ``name`` cannot be a node directory name, or None when it can."""
    if not isinstance(name, str) or not name:
        return "is empty"
    if not _NODE_NAME.fullmatch(name) or ".." in name:
        return (
            "must be 1-253 characters of letters, digits and . _ - : @ % +, "
            "not start with '.' or '-', and not contain '..' or '/'"
        )
    return None


def check_node_name(name: str) -> str:
    """``name`` unchanged, or InputError naming the problem (used for --node and writes)."""
    problem = node_name_problem(name)
    if problem:
        raise InputError(f"node name {name!r} {problem}")
    return name


def _nonempty(tree: Tree, path: Path) -> str | None:
    """An optional command output; an empty file (the command printed nothing) is absent."""
    text = tree.read(path)
    return text if text is not None and text.strip() else None


def _json(tree: Tree, path: Path) -> Any:
    text = tree.read(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CollectError(f"{path}: not JSON ({exc})") from None
    except RecursionError:
        raise CollectError(f"{path}: JSON nested too deeply") from None


def _rendering(data: Any, path: Path) -> Rendering | None:
    """The saved rendering and the policy it renders (``write_capture``'s wrapper)."""
    if data is None:
        return None
    state = data.get("desiredState") if isinstance(data, dict) else None
    policy = data.get("policy") if isinstance(data, dict) else None
    if not isinstance(state, dict) or not isinstance(policy, str):
        raise CollectError(
            f'{path}: expected {{"policy": NAME, "desiredState": {{...}}}} '
            "as 'bondcheck collect' saves it"
        )
    return Rendering(policy=policy, desired_state=state)


def _looks_like_node(path: Path) -> bool:
    return (
        (path / "proc").is_dir()
        or is_sosreport(path)
        or any(os.path.lexists(path / name) for name in _EVIDENCE_FILES)
    )


def capture_nodes(root: str | Path, label: str = "--from-dir") -> list[tuple[str, Path]]:
    """The (node name, directory) pairs of a capture, sorted by name.

    ``root`` is either a directory of node directories or a single node directory itself
    (e.g. one unpacked sosreport, named by its ``hostname`` file). ``label`` is how errors
    name the directory: the option or argument the operator gave it as.
    """
    base = Path(root)
    if not base.is_dir():
        raise InputError(f"{label} {root}: not a directory")
    if _looks_like_node(base):
        return [(_node_name(base), base)]
    entries = _subdirs(base, root, label)
    if not entries:
        raise InputError(f"{label} {root}: no node directories (expected DIR/<node>/...)")
    if not any(_looks_like_node(p) for p in entries):
        # One level too high (``--from-dir parent`` for ``parent/captures/<node>``): say so
        # rather than report every child as a node without evidence.
        deeper = [p for p in entries if any(_looks_like_node(c) for c in _subdirs(p, root, label))]
        if deeper:
            raise InputError(f"{label} {root}: holds no node directory; did you mean {deeper[0]}?")
    return sorted(((_node_name(p), p) for p in entries), key=lambda item: item[0])


def _subdirs(path: Path, root: str | Path, label: str) -> list[Path]:
    try:
        return sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError as exc:
        raise InputError(f"{label} {root}: {exc.strerror or exc}") from None


def _node_name(path: Path) -> str:
    """The directory's name, or for an unpacked sosreport the hostname inside it
    (``sosreport-worker-3-2024-05-01/`` is node ``worker-3``)."""
    if is_sosreport(path):
        try:
            name = sos_hostname(path, Tree(path))
        except CollectError:  # read_node reports it; the directory's name serves meanwhile
            name = None
        if name is not None and not node_name_problem(name):
            return name
    return path.name


def _bond_texts(
    tree: Tree, node_dir: Path, bonds: Sequence[str], absent: Iterable[str]
) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    folder = node_dir / BONDING
    if folder.is_dir():
        tree.check(folder)
        for path in sorted(folder.iterdir()):
            if ifname_problem(path.name) is None and not path.is_dir():
                found[path.name] = tree.read(path)
    for bond in (*bonds, *absent):
        found.setdefault(bond, None)
    return found


def _strings(meta: dict[str, Any], key: str, path: Path) -> list[str]:
    """A list-of-strings field of meta.json; CollectError naming the file when it is not."""
    value = meta.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CollectError(f"{path}: {key} must be a list of strings")
    return value


def _enactment(data: Any, path: Path) -> Enactment | None:
    if data is None:
        return None
    names = {f.name for f in fields(Enactment)}
    if not isinstance(data, dict) or not {"node", "policy", "status"} <= data.keys():
        raise CollectError(f"{path}: not an enactment record")
    return Enactment(**{k: v for k, v in data.items() if k in names})


def read_node(
    node_dir: str | Path, node: str, bonds: Sequence[str] = (), tree: Tree | None = None
) -> Evidence:
    """The Evidence of one node directory; CollectError when it holds none.

    Every bond file present is read; each bond in ``bonds`` without a file maps to None
    (absent). Transport is ``capture``; how the evidence was first collected stays in
    meta.json. Every file is read through ``tree`` (the capture root; the node directory
    itself when not given), so nothing outside the capture is ever read.
    """
    path = Path(node_dir)
    tree = tree or Tree(path)
    tree.check(path)
    error = tree.read(path / "error.txt")
    if error is not None:
        raise CollectError(" ".join(error.split()) or "collection failed (error.txt is empty)")
    if not _looks_like_node(path):
        raise CollectError(
            f"no evidence in {path}: expected proc/net/bonding/<bond> and ip-addr.json"
        )
    meta = _json(tree, path / "meta.json") or {}
    if not isinstance(meta, dict):
        raise CollectError(f"{path / 'meta.json'}: not a JSON object")
    absent = _strings(meta, "bonds_absent", path / "meta.json")
    notes = tuple(_strings(meta, "notes", path / "meta.json"))
    outputs = {name: _nonempty(tree, path / name) for name in _OUTPUT_FILES}
    notes += tuple(
        f"{name} is empty: treated as not collected"
        for name, text in outputs.items()
        if text is None and (path / name).is_file()
    )
    ip_addr, ip_link, kernel, lldp = (outputs[name] for name in _OUTPUT_FILES)
    collected_at = meta.get("collected_at")
    if is_sosreport(path):
        sos = read_sos(path, tree)
        ip_addr = ip_addr if ip_addr is not None else sos["ip_addr"]  # type: ignore[assignment]
        ip_link = ip_link if ip_link is not None else sos["ip_link"]  # type: ignore[assignment]
        kernel = kernel if kernel is not None else sos["kernel"]  # type: ignore[assignment]
        collected_at = collected_at or sos["collected_at"]
        notes += sos["notes"]  # type: ignore[operator]
    privileged = meta.get("privileged")
    nns = _json(tree, path / "nns.json")
    return Evidence(
        node=node,
        transport=TRANSPORT,
        bonds=_bond_texts(tree, path, bonds, absent),
        ip_addr=ip_addr,
        ip_link=ip_link,
        privileged=privileged if isinstance(privileged, bool) else None,
        kernel=kernel,
        enactment=_enactment(_json(tree, path / "enactment.json"), path / "enactment.json"),
        nns_state=nns if isinstance(nns, dict) else None,
        notes=notes,
        rendering=_rendering(_json(tree, path / DESIRED_STATE), path / DESIRED_STATE),
        collected_at=collected_at if isinstance(collected_at, str) else None,
        lldp=lldp,
    )


def read_capture(
    root: str | Path,
    bonds: Sequence[str] = (),
    nodes: Sequence[str] = (),
    label: str = "--from-dir",
) -> list[Evidence | NodeFailure]:
    """Evidence for every node of a capture (or only ``nodes``, in the order given).

    A node named in ``nodes`` that the capture does not hold is an InputError listing the
    nodes it does hold: a typo must not pass as "nothing to check". ``label`` names the
    directory in errors (``--from-dir``, ``--baseline``, ``BEFORE``).
    """
    available = capture_nodes(root, label)
    by_name = dict(available)
    if nodes:
        for name in nodes:
            check_node_name(name)
        missing = [n for n in nodes if n not in by_name]
        if missing:
            have = ", ".join(by_name) or "none"
            raise InputError(f"node {', '.join(missing)} not in {root} (it holds: {have})")
        chosen = [(n, by_name[n]) for n in dict.fromkeys(nodes)]
    else:
        chosen = available
    out: list[Evidence | NodeFailure] = []
    tree = Tree(root)
    for name, path in chosen:
        problem = node_name_problem(name)
        if problem:  # checked before the name is used anywhere (reports, paths, labels)
            shown = ascii(name)[1:-1]
            out.append(NodeFailure(shown, TRANSPORT, f"{shown!r} is not a node name: it {problem}"))
            continue
        try:
            out.append(read_node(path, name, bonds, tree))
        except CollectError as exc:
            out.append(NodeFailure(name, TRANSPORT, str(exc)))
        except Exception as exc:  # one node's bad evidence never ends the run
            detail = " ".join(str(exc).split())[:200]
            message = f"{path}: unreadable evidence ({type(exc).__name__}: {detail})"
            out.append(NodeFailure(name, TRANSPORT, message))
    return out


def _node_dir(out_dir: str | Path, node: str) -> Path:
    check_node_name(node)
    base = Path(out_dir)
    target = base / node
    # Belt and braces after the name check: the directory must sit directly under out_dir.
    if target.resolve().parent != base.resolve():
        raise InputError(f"node name {node!r} escapes {out_dir}")
    return target


def _clear(node_dir: Path) -> None:
    """Remove the files a previous capture of this node left (only bondcheck's own)."""
    for name in _OWNED_FILES:
        (node_dir / name).unlink(missing_ok=True)
    folder = node_dir / BONDING
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_file() and ifname_problem(path.name) is None:
                path.unlink()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def evidence_files(evidence: Evidence) -> dict[str, str]:
    """The files of a node directory besides the bond texts and meta.json that ``evidence``
    fills, by name, with the text each is written with."""
    files = {
        "ip-addr.json": evidence.ip_addr,
        "ip-link.json": evidence.ip_link,
        "kernel.txt": evidence.kernel,
        "lldp.json": evidence.lldp,
    }
    if evidence.enactment is not None:
        files["enactment.json"] = json.dumps(asdict(evidence.enactment), indent=2) + "\n"
    if evidence.nns_state is not None:
        files["nns.json"] = json.dumps(dict(evidence.nns_state), indent=2) + "\n"
    if evidence.rendering is not None:
        rendering = evidence.rendering
        saved = {"policy": rendering.policy, "desiredState": dict(rendering.desired_state)}
        files[DESIRED_STATE] = json.dumps(saved, indent=2) + "\n"
    return {name: text for name, text in files.items() if text is not None}


def write_capture(evidence: Evidence, out_dir: str | Path, *, collected_at: str = "") -> Path:
    """Save ``evidence`` under ``out_dir/<node>/`` in the layout above; returns that dir.

    ``collected_at`` (RFC 3339, UTC; now when not given) and the bondcheck version go into
    meta.json, so a capture says when and by what it was taken.

    Re-collecting into the same directory replaces the node's previous files, so a bond
    that has since disappeared does not linger as a stale file.
    """
    for bond in evidence.bonds:
        problem = ifname_problem(bond)
        if problem:
            raise InputError(f"bond name {bond!r} {problem}")
    node_dir = _node_dir(out_dir, evidence.node)
    node_dir.mkdir(parents=True, exist_ok=True)
    _clear(node_dir)
    (node_dir / BONDING).mkdir(parents=True, exist_ok=True)
    for bond, text in sorted(evidence.bonds.items()):
        if text is not None:
            _write(node_dir / BONDING / bond, text)
    for name, text in evidence_files(evidence).items():
        _write(node_dir / name, text)
    meta = {
        "schema_version": 1,
        "node": evidence.node,
        "collected_at": collected_at or utc_now(),
        "transport": evidence.transport,
        "bondcheck_version": __version__,
        "collected_via": evidence.transport,  # the name captures before 0.2 carried
        "privileged": evidence.privileged,
        "bonds_absent": sorted(b for b, t in evidence.bonds.items() if t is None),
        "notes": list(evidence.notes),
    }
    _write(node_dir / "meta.json", json.dumps(meta, indent=2) + "\n")
    return node_dir


def write_policy(policy: Policy, out_dir: str | Path) -> Path | None:
    """Save the NNCP a capture was collected for as ``out_dir/policy.yaml`` (None when the
    policy was not read from an NNCP document, e.g. a plain nmstate state file)."""
    if policy.document is None:
        return None
    import yaml

    path = Path(out_dir) / POLICY_FILE
    _write(path, yaml.safe_dump(dict(policy.document), sort_keys=False))
    return path


def write_failure(node: str, message: str, out_dir: str | Path) -> Path:
    """Record that ``node`` could not be collected, so re-judging the capture says so too."""
    node_dir = _node_dir(out_dir, node)
    node_dir.mkdir(parents=True, exist_ok=True)
    _clear(node_dir)
    _write(node_dir / "error.txt", " ".join(message.split()) + "\n")
    return node_dir
