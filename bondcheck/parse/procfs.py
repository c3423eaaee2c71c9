"""Parser for /proc/net/bonding/<bond> (every kernel era, root and non-root views).

The kernel prints this file in one pass (``bond_procfs.c``) and has changed it many times:
version strings, line order, new lines per release, privilege gating; the samples under
``fixtures/procfs/`` cover kernels from 2.6.1 to 6.8. The parser is therefore a small state
machine keyed on section headers (``802.3ad info``, ``Active Aggregator Info:``, ``Slave
Interface:``, ``details actor|partner lacp pdu:``), never on blank lines or indentation, with
one dict lookup per line:

* every line is optional; a known label with a value we cannot read (``Speed: fast``) is kept
  in ``extra`` rather than guessed, and unknown lines are kept verbatim in ``extra`` too;
* leading whitespace of any kind is ignored (TAB, 8 spaces, 4 spaces, or a literal ``\\t``
  left by a copy from a test file), as are trailing whitespace, CRLF and blank lines;
* text that is not bonding output raises :class:`~bondcheck.errors.ParseError` naming the
  source and line; nothing else ever escapes, whatever the input.

Text in the kernel's own shape is read by a faster loop (``procfs_fast``) that decides
exactly as the loop here does and leaves every other text, and every error, to this one.

``privileged_view`` rule (the field reference, section 7). Since ~4.3 the kernel prints
``System priority``, ``System MAC address``, the ``Active Aggregator Info`` block (or the
``bond X has no active aggregator`` line) and the ``details ... lacp pdu`` blocks only to a
reader with CAP_NET_ADMIN; older kernels print the aggregator block to everyone and have no
System lines. Every kernel prints either the aggregator block or the no-aggregator line to a
reader it does not restrict. Hence, for an 802.3ad bond:

1. ``System priority``/``System MAC address`` or a ``details`` block present -> True (these
   lines exist only on gating kernels and only for privileged readers);
2. otherwise the aggregator block or the no-aggregator line present -> True when a line that
   only post-4.3 kernels print is also there (``Peer Notification Delay``, ``LACP active``),
   else None: a pre-4.3 kernel that shows the block to every reader, so the view says nothing
   about privilege;
3. otherwise, when the ``802.3ad info`` header was seen -> False: the lines were withheld, so
   partner data is *unknown*, not absent;
4. otherwise (no ``802.3ad info`` header at all: a cut copy) -> None.

Other modes print no gated line, so the view cannot tell: None.

The bond's name: the caller's ``name`` (the file name under /proc/net/bonding) when given,
else the name in ``bond X has no active aggregator`` when printed, else None.
"""

from __future__ import annotations

from typing import Any

from bondcheck.errors import ParseError
from bondcheck.model import ObservedBond
from bondcheck.parse.procfs_build import AGG_FIELDS, PDU_FIELDS, PORT_FIELDS, build_bond
from bondcheck.parse.procfs_fast import parse_fast
from bondcheck.parse.procfs_json import bond_to_json, is_placeholder_mac
from bondcheck.parse.procfs_tables import (
    ACTOR,
    AD,
    AGG,
    AGGINFO,
    BAD,
    BINARY_RE,
    HEADERS,
    MASTER,
    MAX_DIGITS,
    MODE_BY_LONG_NAME,
    MULTI,
    NO_AGG_RE,
    PDU,
    PLAIN_ASCII,
    PORT,
    PORT_SECTIONS,
    SECTION_TABLES,
    SLAVE,
    SMALL_INTS,
    STATE,
    TEXT,
    VERSION_LABEL,
    count,
    mode_of,
    split_label,
)
from bondcheck.vocabulary import MODES

__all__ = [
    "MODES",
    "MODE_BY_LONG_NAME",
    "bond_to_json",
    "is_placeholder_mac",
    "parse_bonding",
    "parse_general",
]


def parse_bonding(text: str, *, name: str | None = None, source: str | None = None) -> ObservedBond:
    """Parse the text of /proc/net/bonding/<bond>.

    ``name`` is the bond's name when the caller knows it (the file name); the text itself
    says so only in ``bond X has no active aggregator``. Raises ParseError (one line: why and
    where) for text that is not bonding output, and never any other exception.

    Text in the kernel's own shape is read by ``procfs_fast``; everything else, and every
    error, by the general loop below.
    """
    return _read(text, name, source, fast=True)


def parse_general(text: str, *, name: str | None = None, source: str | None = None) -> ObservedBond:
    """``parse_bonding`` without the fast path: the reference the fast path is tested against."""
    return _read(text, name, source, fast=False)


def _read(text: str, name: str | None, source: str | None, fast: bool) -> ObservedBond:
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}", source=source, line=None)
    try:
        bond = parse_fast(text, name) if fast else None
        return bond if bond is not None else _parse(_lines(text, source), name, source)
    except ParseError:
        raise
    except Exception as exc:  # a bug must still end as one line, never a traceback
        detail = " ".join(str(exc).split())[:200]
        raise ParseError(
            f"unreadable bonding text ({type(exc).__name__}: {detail})", source=source
        ) from exc


def _lines(text: str, source: str | None) -> list[str]:
    """Split into lines, refusing empty and binary input up front."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text or text.isspace():
        raise ParseError("empty input, not /proc/net/bonding output", source=source, line=1)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Fast path: ASCII made only of printable characters and whitespace (the kernel's output)
    # needs no regex scan for binary characters; deleting the allowed bytes in C leaves b"".
    plain = text.isascii() and not text.encode().translate(None, PLAIN_ASCII)
    binary = None if plain else BINARY_RE.search(text)
    if binary is not None:
        line = text.count("\n", 0, binary.start()) + 1
        raise ParseError(
            f"binary data (character {ord(binary.group()):#04x}), not /proc/net/bonding text",
            source=source,
            line=line,
        )
    return text.split("\n")


def _fail(reason: str, source: str | None, line: int) -> ParseError:
    return ParseError(reason, source=source, line=line)


def _first_line(lines: list[str], source: str | None) -> int:
    """Line number of the first non-blank line, which must start a bonding file."""
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if line and line[0] == "\\":
            line = _strip_literal_tabs(line)
        if line:
            if line.partition(":")[0].rstrip() not in (VERSION_LABEL, "Bonding Mode"):
                reason = f"not /proc/net/bonding output: starts with {line[:60]!r}"
                raise _fail(reason, source, number)
            return number
    raise _fail("empty input, not /proc/net/bonding output", source, 1)


def _parse(lines: list[str], name: str | None, source: str | None) -> ObservedBond:
    bond: dict[str, Any] = {}
    bond_extra: list[tuple[str, str]] = []
    agg: dict[str, Any] | None = None
    ports: list[tuple[dict[str, Any], list[tuple[str, str]]]] = []
    port: dict[str, Any] = {}
    # Where each target kind of an entry writes: indexed by BOND, AGGINFO, SLAVE, PDU.
    slots: list[dict[str, Any]] = [bond, {}, port, {}]
    extra = bond_extra
    section = MASTER
    table = SECTION_TABLES[MASTER]
    first_line = _first_line(lines, source)
    mode_line = 0
    seen_ad = False
    text_name: str | None = None

    port_names: set[str] = set()

    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        key, sep, value = line.partition(": ")  # split_label, inlined for the common case
        if sep:
            value = value.lstrip()
        else:
            key, sep, value = split_label(line)
        entry = table.get(key)
        if entry is None:  # the rare cases, kept off the path of every known line
            if line[0] == "\\":
                line = _strip_literal_tabs(line)
                if not line:
                    continue
                key, sep, value = split_label(line)
                entry = table.get(key)
            if entry is None and key[-1:].isspace():  # "Label : value", seen in hand copies
                key = key.rstrip()
                entry = table.get(key)
        if entry is not None:
            target, field, conv = entry
            # The commonest converters are inlined; the rest return BAD when unreadable.
            if conv is TEXT:
                slots[target][field] = value or None
                continue
            if conv is count:
                number_value = SMALL_INTS.get(value)
                if number_value is not None:
                    slots[target][field] = number_value
                elif value.isdigit() and value.isascii() and len(value) <= MAX_DIGITS:
                    slots[target][field] = int(value)
                else:
                    extra.append((key, value))
                continue
            if conv is STATE:
                if value:
                    slots[target][field] = value
                else:
                    extra.append((key, value))
                continue
            parsed = conv(value)
            if parsed is BAD:
                extra.append((key, value))
            elif target != MULTI:
                slots[target][field] = parsed
            else:
                bond.update(parsed)
        elif key == "Slave Interface":
            if not value:
                raise _fail("'Slave Interface' line without a name", source, number)
            if value in port_names:
                raise _fail(f"port {value!r} listed twice", source, number)
            port_names.add(value)
            port, extra = {**PORT_FIELDS, "name": value}, []
            ports.append((port, extra))
            slots[SLAVE] = port
            section, table = PORT, SECTION_TABLES[PORT]
        elif key in HEADERS and (ports or HEADERS[key] not in PORT_SECTIONS):
            section = HEADERS[key]
            table = SECTION_TABLES[section]
            if section == AD:
                seen_ad = True
                extra = bond_extra
            elif section == AGG:
                agg = slots[AGGINFO] = AGG_FIELDS.copy() if agg is None else agg
                extra = bond_extra
            else:
                slots[PDU] = port["actor" if section == ACTOR else "partner"] = PDU_FIELDS.copy()
        elif key == "Bonding Mode":
            if mode_line:
                reason = f"second 'Bonding Mode' line (first at line {mode_line})"
                raise _fail(reason, source, number)
            bond.update(_mode(value, source, number))
            mode_line = number
        elif key == VERSION_LABEL:
            if number != first_line:
                reason = f"'{VERSION_LABEL}' line inside the text: more than one bond?"
                raise _fail(reason, source, number)
            bond["driver_version"] = value or None
        elif not sep and (match := NO_AGG_RE.fullmatch(line)) is not None:
            bond["no_active_aggregator"] = True
            text_name = match[1]
        else:
            extra.append((key, value))

    if not mode_line:
        last = len(lines)
        while last > 1 and not lines[last - 1].strip():
            last -= 1
        raise _fail("no 'Bonding Mode' line, not /proc/net/bonding output", source, last)
    return build_bond(bond, bond_extra, agg, ports, seen_ad, name or text_name)


def _strip_literal_tabs(line: str) -> str:
    r"""Drop a literal ``\t`` prefix (TABs written as escapes in a copied test string)."""
    while line.startswith("\\t"):
        line = line[2:].lstrip()
    return line


def _mode(value: str, source: str | None, number: int) -> dict[str, Any]:
    """``mode`` and ``fail_over_mac`` of a ``Bonding Mode`` value."""
    known = mode_of(value)
    if known is None:
        raise _fail(f"unknown bonding mode {value[:80]!r}", source, number)
    return {"mode": known[0], "fail_over_mac": known[1]}
