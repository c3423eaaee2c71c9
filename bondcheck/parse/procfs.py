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
  source and line; nothing else ever escapes, whatever the input;
* time is linear in the size of the text, whatever it holds.

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
from bondcheck.model import AdInfo, LacpPdu, ObservedBond, ObservedPort
from bondcheck.parse.procfs_json import bond_to_json, is_placeholder_mac
from bondcheck.parse.procfs_tables import (
    ACTOR,
    AD,
    AGG,
    AGGINFO,
    BAD,
    BINARY_RE,
    GATED_LABELS,
    HEADERS,
    MASTER,
    MODE_BY_LONG_NAME,
    NO_AGG_RE,
    PDU,
    PORT,
    PORT_SECTIONS,
    POST_GATING_LABELS,
    SECTION_TABLES,
    SLAVE,
    VERSION_LABEL,
    mode_of,
    split_label,
    strip_literal_tabs,
)
from bondcheck.vocabulary import MODES

__all__ = ["MODES", "MODE_BY_LONG_NAME", "bond_to_json", "is_placeholder_mac", "parse_bonding"]

Fields = dict[str, Any]
Extra = list[tuple[str, str]]


def parse_bonding(text: str, *, name: str | None = None, source: str | None = None) -> ObservedBond:
    """Parse the text of /proc/net/bonding/<bond>.

    ``name`` is the bond's name when the caller knows it (the file name); the text itself
    says so only in ``bond X has no active aggregator``. Raises ParseError (one line: why and
    where) for text that is not bonding output, and never any other exception.
    """
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}", source=source, line=None)
    try:
        return _parse(_lines(text, source), name, source)
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
    binary = BINARY_RE.search(text)
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
        if line[:1] == "\\":
            line = strip_literal_tabs(line)
        if line:
            if line.partition(":")[0].rstrip() not in (VERSION_LABEL, "Bonding Mode"):
                reason = f"not /proc/net/bonding output: starts with {line[:60]!r}"
                raise _fail(reason, source, number)
            return number
    raise _fail("empty input, not /proc/net/bonding output", source, 1)


def _parse(lines: list[str], name: str | None, source: str | None) -> ObservedBond:
    """The state machine: one dict lookup per line in the table of the current section.

    Deliberately one flat loop with its state in locals: this is the hot path of every run.
    """
    first_line = _first_line(lines, source)
    bond: Fields = {}
    bond_extra: Extra = []
    agg: Fields | None = None
    ports: list[tuple[Fields, Extra]] = []
    port_names: set[str] = set()
    # Where each target kind of an entry writes: indexed by BOND, AGGINFO, SLAVE, PDU.
    slots: list[Fields] = [bond, {}, {}, {}]
    extra = bond_extra
    table = SECTION_TABLES[MASTER]
    seen_ad = False
    mode_line = 0
    text_name: str | None = None

    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if line[0] == "\\":
            line = strip_literal_tabs(line)
            if not line:
                continue
        key, sep, value = line.partition(": ")  # split_label, inlined for the common case
        if sep:
            value = value.lstrip()
        else:
            key, sep, value = split_label(line)
        entry = table.get(key)
        if entry is None and key[-1:].isspace():  # "Label : value", seen in hand copies
            key = key.rstrip()
            entry = table.get(key)
        if entry is not None:
            target, field, conv = entry
            parsed = conv(value)
            if parsed is BAD:
                extra.append((key, value))
            elif field:
                slots[target][field] = parsed
            else:
                bond.update(parsed)
        elif key == "Slave Interface":
            if not value:
                raise _fail("'Slave Interface' line without a name", source, number)
            if value in port_names:
                raise _fail(f"port {value!r} listed twice", source, number)
            port_names.add(value)
            slots[SLAVE], extra = {"name": value}, []
            ports.append((slots[SLAVE], extra))
            table = SECTION_TABLES[PORT]
        elif key in HEADERS and (ports or HEADERS[key] not in PORT_SECTIONS):
            section = HEADERS[key]
            table = SECTION_TABLES[section]
            if section == AD:
                seen_ad, extra = True, bond_extra
            elif section == AGG:
                agg = slots[AGGINFO] = {} if agg is None else agg
                extra = bond_extra
            else:
                side = "actor" if section == ACTOR else "partner"
                slots[PDU] = slots[SLAVE][side] = {}
        elif key == "Bonding Mode":
            if mode_line:
                reason = f"second 'Bonding Mode' line (first at line {mode_line})"
                raise _fail(reason, source, number)
            known = mode_of(value)
            if known is None:
                raise _fail(f"unknown bonding mode {value[:80]!r}", source, number)
            bond["mode"], bond["fail_over_mac"] = known
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
    return _build(bond, bond_extra, agg, ports, seen_ad, name or text_name)


def _build(
    bond: Fields,
    bond_extra: Extra,
    agg: Fields | None,
    ports: list[tuple[Fields, Extra]],
    seen_ad: bool,
    name: str | None,
) -> ObservedBond:
    """The model objects for what the loop collected."""
    built = []
    details = False
    for fields, extra in ports:
        for side in ("actor", "partner"):
            if side in fields:
                details = True
                fields[side] = LacpPdu(**fields[side])
        built.append(ObservedPort(**fields, extra=tuple(extra)))
    agg_shown = agg is not None or "no_active_aggregator" in bond
    return ObservedBond(
        **bond,
        name=name,
        privileged_view=privileged_view(bond, bond_extra, seen_ad, agg_shown, details),
        ad_info=None if agg is None else AdInfo(**agg),
        ports=tuple(built),
        extra=tuple(bond_extra),
    )


def privileged_view(
    bond: Fields, extra: Extra, seen_ad: bool, agg_shown: bool, details: bool
) -> bool | None:
    """The rule of this module's docstring, step by step.

    A label counts as printed when it set its field, and also when its value was unreadable
    (then it is in ``extra``).
    """
    if bond["mode"] != "802.3ad":
        return None
    if details or "system_priority" in bond or "system_mac" in bond:
        return True
    labels = {key for key, _ in extra}
    if labels & GATED_LABELS:
        return True
    if agg_shown:
        late = "peer_notif_delay_ms" in bond or "lacp_active" in bond
        return True if late or labels & POST_GATING_LABELS else None
    return False if seen_ad else None
