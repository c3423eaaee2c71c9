"""The sosreport side of ``--from-dir``: find bondcheck's evidence in a sosreport tree.

A sosreport copies /proc/net/ verbatim, so ``proc/net/bonding/<bond>`` is exactly what the
kernel printed. Its networking plugin saves ``ip -o addr`` and ``ip -d address`` as *text*,
never ``ip -j`` JSON, so this module:

* uses an ``ip -j ... addr`` / ``ip -j ... link`` JSON file under ``sos_commands/networking/``
  when one is there (added by ``sos report -e`` / a custom command, or a later sos);
* otherwise rebuilds the address list from ``ip -o addr`` (one address per line, a stable
  format since iproute2 2.6) into the shape of ``ip -j addr``: ifindex, ifname and addr_info
  only, which is all the IP checks read; the node's notes say so;
* reads the kernel release from ``uname -a``, the node name from ``hostname`` and when it was
  taken from the ``date`` plugin's output (``bondcheck diff`` shows the time between two
  snapshots).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bondcheck.transport.tree import Tree

SOS_COMMANDS = "sos_commands"
_NET = Path(SOS_COMMANDS, "networking")

# "2: ens224    inet 192.168.100.10/24 brd 192.168.100.255 scope global ens224\ valid..."
# ASCII digits, bounded: a sosreport from a customer is untrusted text.
_ONELINE = re.compile(
    r"^\s*(?P<index>\d{1,10}):\s+(?P<ifname>\S+)\s+(?P<family>inet6?)\s+(?P<local>[^\s/]+)"
    r"(?:/(?P<plen>\d{1,3}))?(?P<rest>.*)$",
    re.ASCII,
)
_PEER = re.compile(r"\bpeer\s+\S+/(\d{1,3})", re.ASCII)
_SCOPE = re.compile(r"\bscope\s+(\S+)")
# ``date`` in UTC: "Wed May  1 12:34:56 UTC 2024"; only UTC can be placed in time.
_DATE = re.compile(
    r"^\s*[A-Z][a-z]{2}\s+(?P<mon>[A-Z][a-z]{2})\s+(?P<day>\d{1,2})\s+"
    r"(?P<hms>\d{2}:\d{2}:\d{2})\s+(?:UTC|GMT)\s+(?P<year>\d{4})\s*$",
    re.ASCII,
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def is_sosreport(path: Path) -> bool:
    """True when ``path`` is the root of an (unpacked) sosreport."""
    return (path / SOS_COMMANDS).is_dir()


def oneline_addr_to_json(text: str) -> str:
    """``ip -o addr`` text as ``ip -j addr`` JSON (ifindex, ifname, addr_info only).

    Lines that are not address lines (errors, blank lines) are ignored: an empty result then
    says "no addresses", which the IP checks treat like any other node without addresses.
    """
    links: dict[str, dict[str, object]] = {}
    for line in text.splitlines():
        match = _ONELINE.match(line.split("\\", 1)[0])
        if match is None:
            continue
        ifname = match["ifname"].split("@", 1)[0]
        rest = match["rest"]
        plen = match["plen"]
        if plen is None:
            peer = _PEER.search(rest)
            plen = peer.group(1) if peer else ("32" if match["family"] == "inet" else "128")
        scope = _SCOPE.search(rest)
        link = links.setdefault(
            ifname, {"ifindex": int(match["index"]), "ifname": ifname, "addr_info": []}
        )
        addr_info = link["addr_info"]
        assert isinstance(addr_info, list)
        addr_info.append(
            {
                "family": match["family"],
                "local": match["local"],
                "prefixlen": int(plen),
                "scope": scope.group(1) if scope else "global",
                "label": ifname,
            }
        )
    return json.dumps(list(links.values()))


def _json_file(root: Path, pattern: str, tree: Tree) -> tuple[str | None, str | None]:
    for path in sorted((root / _NET).glob(pattern)):
        text = tree.read(path)
        if text is not None and text.lstrip().startswith("["):
            return text, str(path.relative_to(root))
    return None, None


def read_sos(root: Path, tree: Tree) -> dict[str, object]:
    """ip_addr, ip_link, kernel, collected_at and notes found in the sosreport at ``root``."""
    notes: list[str] = []
    ip_addr, where = _json_file(root, "ip_-j*addr*", tree)
    if ip_addr is not None:
        notes.append(f"addresses from {where}")
    else:
        for name in ("ip_-o_addr", "ip_addr"):
            text = tree.read(root / _NET / name) or tree.read(root / name)
            if text is not None:
                ip_addr = oneline_addr_to_json(text)
                notes.append(f"addresses rebuilt from sosreport text ({name})")
                break
        else:
            notes.append("sosreport has no ip -o addr output: IP checks have no addresses")
    ip_link, where = _json_file(root, "ip_-j*link*", tree)
    if ip_link is not None:
        notes.append(f"links from {where}")
    kernel = None
    uname = tree.read(root / "uname") or tree.read(root / SOS_COMMANDS / "kernel" / "uname_-a")
    if uname and len(uname.split()) >= 3:
        kernel = uname.split()[2]
    return {
        "ip_addr": ip_addr,
        "ip_link": ip_link,
        "kernel": kernel,
        "collected_at": sos_date(root, tree),
        "notes": tuple(notes),
    }


def sos_date(root: Path, tree: Tree) -> str | None:
    """When the sosreport was taken, RFC 3339 UTC, from its date plugin's output in UTC (or
    plain ``date``, when that printed UTC); None when neither says it in UTC."""
    for path in (
        root / SOS_COMMANDS / "date" / "date_--utc",
        root / SOS_COMMANDS / "date" / "date",
        root / "date",
    ):
        text = tree.read(path) or ""
        match = _DATE.match(text.strip().splitlines()[0] if text.strip() else "")
        if match and match["mon"] in _MONTHS:
            month = _MONTHS.index(match["mon"]) + 1
            day = int(match["day"])
            return f"{match['year']}-{month:02d}-{day:02d}T{match['hms']}Z"
    return None


def sos_hostname(root: Path, tree: Tree) -> str | None:
    """The host name the sosreport was taken on (``hostname`` or sos_commands/host)."""
    text = tree.read(root / "hostname") or tree.read(root / SOS_COMMANDS / "host" / "hostname")
    return text.split()[0] if text and text.strip() else None
