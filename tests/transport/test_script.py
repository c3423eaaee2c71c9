"""The collection script is run for real by /bin/sh here: markers, rc and quoting are exercised
against a real shell, with /proc/net/bonding absent on this host (no bonding driver)."""

from __future__ import annotations

import subprocess

import pytest

from bondcheck.errors import CollectError
from bondcheck.transport.script import (
    build_collect_script,
    new_nonce,
    parse_collect_output,
    split_sections,
)


def run_sh(script: str) -> str:
    return subprocess.run(
        ["sh", "-s"], input=script, capture_output=True, text=True, check=False, timeout=30
    ).stdout


def test_real_shell_round_trip_absent_bond() -> None:
    nonce = new_nonce()
    out = run_sh(build_collect_script(["bond0", "bond1"], nonce))
    ev = parse_collect_output(out, nonce, node="n1", transport="local", bonds=["bond0", "bond1"])
    assert ev.bonds == {"bond0": None, "bond1": None}
    assert ev.kernel
    assert ev.ip_addr is None or ev.ip_addr.lstrip().startswith("[")


def test_chatter_outside_markers_is_ignored_and_text_kept_exactly() -> None:
    nonce = "abc123"
    body = "Ethernet Channel Bonding Driver: v6.1.0\n\nBonding Mode: load balancing (round-robin)"
    out = (
        "Starting pod/worker-0-debug-x ...\nTo use host binaries, run `chroot /host`\n"
        f"@@BONDCHECK {nonce} begin meta@@\nuid=0\nsudo=no\nkernel=6.1.0\n\n"
        f"@@BONDCHECK {nonce} end meta rc=0@@\n"
        f"@@BONDCHECK {nonce} begin bond:bond0@@\n{body}\n\n"
        f"@@BONDCHECK {nonce} end bond:bond0 rc=0@@\n"
        f"@@BONDCHECK {nonce} begin ip-addr@@\n[]\n\n@@BONDCHECK {nonce} end ip-addr rc=0@@\n"
        f"@@BONDCHECK {nonce} begin ip-link@@\n[]\n@@BONDCHECK {nonce} end ip-link rc=1@@\n"
        f"@@BONDCHECK {nonce} done @@\n\nRemoving debug pod ...\n"
    )
    ev = parse_collect_output(out, nonce, node="w0", transport="oc-debug", bonds=["bond0"])
    assert ev.bonds["bond0"] == body + "\n"
    assert ev.privileged is True
    assert ev.ip_addr == "[]\n" and ev.ip_link is None
    assert any("ip link" in n for n in ev.notes)


def test_forged_marker_with_other_nonce_stays_content() -> None:
    sections, done = split_sections(
        "@@BONDCHECK aa begin x@@\n@@BONDCHECK bb end x rc=0@@\nline\n"
        "@@BONDCHECK aa end x rc=0@@\n",
        "aa",
    )
    assert sections["x"].text == "@@BONDCHECK bb end x rc=0@@\nline"
    assert not done


def test_non_root_without_sudo_is_not_privileged() -> None:
    nonce = "ff"
    out = (
        f"@@BONDCHECK {nonce} begin meta@@\nuid=1000\nsudo=no\nkernel=6.1\n\n"
        f"@@BONDCHECK {nonce} end meta rc=0@@\n@@BONDCHECK {nonce} done @@\n"
    )
    ev = parse_collect_output(out, nonce, node="n", transport="ssh", bonds=[])
    assert ev.privileged is False
    assert any("LACP details are hidden" in n for n in ev.notes)


@pytest.mark.parametrize(
    ("out", "why"),
    [
        ("sh: 1: chroot: not found\n", "did not run (sh: 1: chroot: not found)"),
        ("@@BONDCHECK ab begin meta@@\nuid=0\n\n@@BONDCHECK ab end meta rc=0@@\n", "ended early"),
    ],
)
def test_broken_output_is_a_collect_error(out: str, why: str) -> None:
    with pytest.raises(CollectError, match="n9: ") as info:
        parse_collect_output(out, "ab", node="n9", transport="ssh", bonds=[])
    assert why in str(info.value)


@pytest.mark.parametrize("bad", ["bond0;reboot", "$(id)", "a b", "x" * 16])
def test_unsafe_names_never_reach_the_script(bad: str) -> None:
    with pytest.raises(ValueError):
        build_collect_script([bad], "ab")


def test_lldpctl_output_is_kept_and_its_absence_is_no_lldp(tmp_path) -> None:
    """A fake lldpctl first on PATH stands in for lldpd's client: the script saves what it
    prints; without any lldpctl the node simply has no LLDP source (no note, no error)."""
    import os
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "fixtures/lldp/lldpctl-one-port.json"
    fake = tmp_path / "lldpctl"
    fake.write_text(f"#!/bin/sh\n[ \"$1 $2\" = '-f json' ] || exit 9\ncat '{sample}'\n")
    fake.chmod(0o755)
    nonce = new_nonce()
    script = build_collect_script(["bond0"], nonce).replace(
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH", f"PATH={tmp_path}:/usr/sbin:/usr/bin:/sbin:/bin"
    )
    ev = parse_collect_output(run_sh(script), nonce, node="n", transport="t", bonds=["bond0"])
    assert ev.lldp is not None and ev.lldp.strip() == sample.read_text().strip()
    without = build_collect_script(["bond0"], nonce).replace(
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
    )
    if not any(os.path.exists(f"{d}/lldpctl") for d in ("/usr/sbin", "/usr/bin", "/sbin", "/bin")):
        ev2 = parse_collect_output(run_sh(without), nonce, node="n", transport="t", bonds=["bond0"])
        assert ev2.lldp is None and not any("lldp" in n for n in ev2.notes)
