"""The failover report in four formats: table, json, junit, markdown.

Pure renderers of a :class:`~bondcheck.failover.result.FailoverReport` (they never decide a
verdict). The table uses Rich, imported only when chosen; json, junit and markdown need
nothing beyond the standard library. One row per node and port: verdict, probes lost, the
largest gap, the rejoin time, and the message that says why when it is not a pass.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import TextIO

from bondcheck.errors import InputError
from bondcheck.failover.result import FailoverReport, NodeOutcome, PortOutcome, Verdict
from bondcheck.output.junit import clean, document
from bondcheck.output.render import FORMATS
from bondcheck.output.summary import cell

_STYLE = {Verdict.PASS: "green", Verdict.FAIL: "red", Verdict.ERROR: "magenta",
          Verdict.REFUSED: "yellow"}  # fmt: skip


def fmt_ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def fmt_lost(port: PortOutcome) -> str:
    if port.lost_probes is None:
        return "-"
    if port.probes_sent:
        return f"{port.lost_probes}/{port.probes_sent}"
    return str(port.lost_probes)


def measures(port: PortOutcome | None) -> tuple[str, str, str]:
    """Lost probes, the largest gap and the rejoin time as the tables show them."""
    if port is None:
        return "-", "-", "-"
    return fmt_lost(port), fmt_ms(port.max_gap_ms), fmt_ms(port.rejoin_ms)


def rows(report: FailoverReport) -> list[tuple[NodeOutcome, PortOutcome | None]]:
    """One row per port; a node without ports (unreachable, not started) gets one row."""
    out: list[tuple[NodeOutcome, PortOutcome | None]] = []
    for node in report.nodes:
        if node.ports:
            out += [(node, port) for port in node.ports]
        if not node.ports or node.error:
            out.append((node, None))
    return out


def summary_line(report: FailoverReport) -> str:
    counts = {v: 0 for v in Verdict}
    for node in report.nodes:
        counts[node.status] += 1
    parts = ", ".join(f"{counts[v]} {v.value}" for v in Verdict if counts[v])
    what = "dry run of failover" if report.dry_run else "failover"
    return f"{what} on {len(report.nodes)} node(s) of {report.policy}: {parts or 'nothing run'}"


# --------------------------------------------------------------------------------------------
# json


def render_json(report: FailoverReport) -> str:
    return json.dumps(report.to_json(), indent=2) + "\n"


# --------------------------------------------------------------------------------------------
# junit


def _details(port: PortOutcome) -> str:
    lines = [
        f"lost probes: {fmt_lost(port)}",
        f"largest gap: {fmt_ms(port.max_gap_ms)}",
        f"rejoin: {fmt_ms(port.rejoin_ms)}",
    ]
    if port.active_port_before or port.active_port_during:
        lines.append(f"active port: {port.active_port_before} -> {port.active_port_during}")
    lines += [f"problem: {p}" for p in port.problems]
    lines += [f"note: {n}" for n in port.notes]
    lines += [f"command: {c}" for c in port.commands]
    return "\n".join(lines)


_TAG = {Verdict.FAIL: "failure", Verdict.ERROR: "error", Verdict.REFUSED: "skipped"}


def render_junit(report: FailoverReport) -> str:
    """One <testsuite> per node, one <testcase> per port; refused -> skipped."""
    suites = ET.Element("testsuites", name=f"bondcheck failover {report.policy}")
    for node in report.nodes:
        suite = ET.SubElement(suites, "testsuite", name=node.node)
        classname = f"bondcheck.failover.{node.node}"
        tags: list[str | None] = []
        for port in node.ports:
            case = ET.SubElement(
                suite, "testcase", name=f"failover {port.bond}/{port.port}", classname=classname
            )
            tag = _TAG.get(port.status)
            tags.append(tag)
            if tag is None:
                ET.SubElement(case, "system-out").text = clean(_details(port))
                continue
            child = ET.SubElement(case, tag, message=clean(port.message))
            if port.status is not Verdict.REFUSED:
                child.text = clean(_details(port))
        if node.error or not node.ports:
            case = ET.SubElement(suite, "testcase", name="failover", classname=classname)
            tag = "skipped" if node.status is Verdict.REFUSED else "error"
            tags.append(tag)
            ET.SubElement(case, tag, message=clean(node.message))
        suite.set("tests", str(len(tags)))
        for name, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
            suite.set(name, str(tags.count(tag)))
    return document(suites)


# --------------------------------------------------------------------------------------------
# markdown


def render_markdown(report: FailoverReport) -> str:
    title = "Failover dry run" if report.dry_run else "Failover test"
    lines = [
        f"# {title}: {report.policy}",
        "",
        f"**Result: {report.status.value.upper()}** - {summary_line(report)}",
        "",
        "| Node | Port | Verdict | Lost probes | Largest gap | Rejoin | Message |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for node, port in rows(report):
        item = port or node
        place = f"{cell(port.bond)}/{cell(port.port)}" if port else "-"
        lost, gap, rejoin = measures(port)
        lines.append(
            f"| {cell(node.node)} | {place} | {item.status.value} | {lost} | {gap} | {rejoin} "
            f"| {cell(item.message)} |"
        )
    for node, port in rows(report):
        if port is not None and port.commands:
            lines += ["", f"## Commands for {node.node} {port.bond}/{port.port}", ""]
            for command in port.commands:
                lines += ["```sh", command.rstrip("\n"), "```"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# table


def write_table(report: FailoverReport, stream: TextIO, *, color: str = "auto") -> None:
    from rich.markup import escape
    from rich.table import Table

    from bondcheck.output.render import make_console

    console = make_console(stream, color)
    title = "bondcheck failover (dry run)" if report.dry_run else "bondcheck failover"
    table = Table(title=f"{title}: {report.policy}", title_justify="left")
    for name, justify in (("Node", "left"), ("Port", "left"), ("Verdict", "left"),
                          ("Lost", "right"), ("Largest gap", "right"), ("Rejoin", "right"),
                          ("Active port", "left")):  # fmt: skip
        table.add_column(name, justify=justify, no_wrap=name != "Active port")  # type: ignore[arg-type]
    for node, port in rows(report):
        status = (port or node).status
        active = "-" if port is None else ""
        if port and (port.active_port_before or port.active_port_during):
            active = f"{port.active_port_before or '-'} -> {port.active_port_during or '-'}"
        place = f"{port.bond}/{port.port}" if port else "-"
        verdict = f"[{_STYLE[status]}]{status.value.upper()}[/]"
        table.add_row(escape(node.node), place, verdict, *measures(port), active)
    console.print(table)
    for node, port in rows(report):
        item = port or node
        where = f"{node.node} {port.bond}/{port.port}" if port else node.node
        console.print(f"[{_STYLE[item.status]}]{item.status.value.upper()}[/] {escape(where)}: "
                      f"{escape(item.message)}",
                      markup=True, highlight=False, soft_wrap=True)  # fmt: skip
        if port is None:
            continue
        for problem in port.problems[1:]:
            console.print(f"    also: {problem}", markup=False, soft_wrap=True)
        for note in port.notes:
            console.print(f"    note: {note}", markup=False, soft_wrap=True)
        for index, command in enumerate(port.commands, 1):
            console.print(f"    script {index}:", markup=False)
            console.out(command, highlight=False)


def render_prometheus(report: FailoverReport) -> str:
    """``-o prometheus`` (docs/metrics.md): each pulled port's gap, lost probes and rejoin time,
    its one-hot verdict, and the run's metadata; a refused pull measured nothing, so it has a
    verdict and no measurement series."""
    from bondcheck.output.prometheus import Families, exposition, run_metadata

    families = Families()
    nbp = ["policy", "node", "bond", "port"]
    measures = (
        ("bondcheck_failover_gap_seconds", "Longest gap in probe replies while the port was out.",
         "max_gap_ms", 1000.0),
        ("bondcheck_failover_lost_probes", "Probes lost while the port was out.",
         "lost_probes", 1.0),
        ("bondcheck_failover_rejoin_seconds", "Time for the port to rejoin the bond after restore.",
         "rejoin_ms", 1000.0),
    )  # fmt: skip
    for name, doc, _, _ in measures:
        families.declare(name, doc, nbp)
    families.declare(
        "bondcheck_failover_result",
        "One-hot verdict of one port's pull: pass, fail, refused or error.",
        [*nbp, "result"],
    )
    verdicts = tuple(v.value for v in Verdict)
    for node in report.nodes:
        for port in node.ports:
            at = [report.policy, node.node, port.bond, port.port]
            for name, _, field, scale in measures:
                value = getattr(port, field)
                if value is not None:
                    families.add(name, at, float(value) / scale)
            families.one_hot("bondcheck_failover_result", at, port.status.value, verdicts)
    run_metadata(families, [(report.policy, report.generated_at, report.duration_s)])
    return exposition(families.metrics())


def write_report(report: FailoverReport, fmt: str, stream: TextIO, *, color: str = "auto") -> None:
    if fmt == "table":
        write_table(report, stream, color=color)
        return
    renderers = {
        "json": render_json,
        "junit": render_junit,
        "markdown": render_markdown,
        "prometheus": render_prometheus,
    }
    if fmt not in renderers:
        raise InputError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")
    stream.write(renderers[fmt](report))
