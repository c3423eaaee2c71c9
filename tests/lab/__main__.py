"""Command line of the lab: `python -m tests.lab up|down|status|captures|scenario|fault`.

`up` leaves the guests running and writes .lab/state.json (inventory, pids) plus
.lab/ssh_config, so `ssh -F .lab/ssh_config worker-0` and
`BONDCHECK_LAB_STATE=.lab/state.json pytest -m lab` can use them; `down` stops them.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from tests.lab.errors import LabError
from tests.lab.harness import Lab

REPO = Path(__file__).resolve().parents[2]
DEFAULT_RUN_DIR = REPO / ".lab"


def _state(run_dir: Path) -> Path:
    return run_dir / "state.json"


def _attached(run_dir: Path, own: bool = False) -> Lab:
    if not _state(run_dir).is_file():
        raise LabError(f"no running lab in {run_dir} (start one with `make lab-up`)")
    return Lab.attach(_state(run_dir), take_ownership=own)


def cmd_up(args: argparse.Namespace) -> int:
    run_dir: Path = args.run_dir
    if _state(run_dir).is_file():
        old = Lab.attach(_state(run_dir))
        if any(old.alive(n) for n in old.nodes):
            raise LabError(f"a lab is already running from {run_dir}; `make lab-down` first")
        _clean(run_dir)
    started = time.monotonic()
    lab = Lab(run_dir, persistent=True, flavor=args.flavor)
    lab.start(args.nodes)
    lab.close()
    print(
        f"lab up: {len(lab.nodes)} nodes, kernel {lab.kernel_version}, "
        f"{time.monotonic() - started:.1f} s"
    )
    for node in lab.nodes:
        print(f"  {node.name}  {node.host}:{node.port}")
    print(f"ssh:   ssh -F {lab.ssh_config_path} {lab.nodes[0].name}")
    if lab.flavor == "busybox":  # the lab_systemd fixture always boots its own guest
        print(f"tests: BONDCHECK_LAB_STATE={lab.state_path} pytest -m lab")
    return 0


def _clean(run_dir: Path) -> None:
    """Remove only what `up` created in run_dir (it may be a user-chosen directory)."""
    for name in ("state.json", "ssh_config", "known_hosts", "id_ed25519", "id_ed25519.pub"):
        (run_dir / name).unlink(missing_ok=True)
    shutil.rmtree(run_dir / "nodes", ignore_errors=True)


def cmd_down(args: argparse.Namespace) -> int:
    if not _state(args.run_dir).is_file():
        print(f"lab down: nothing running in {args.run_dir}")
        return 0
    lab = _attached(args.run_dir, own=True)
    names = [n.name for n in lab.nodes]
    lab.stop()
    _clean(args.run_dir)
    print(f"lab down: stopped {', '.join(names)}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    lab = _attached(args.run_dir)
    worst = 0
    for node in lab.nodes:
        if not lab.alive(node):
            print(f"{node.name}  {node.host}:{node.port}  stopped")
            worst = 1
            continue
        try:
            rc, out, _ = lab.run(node, "uname -r; cat /proc/loadavg", 30, mutates=False)
            health = " ".join(out.split()[:2]) if rc == 0 else f"ssh rc {rc}"
        except LabError as exc:
            health, worst = f"ssh failed: {exc}", 1
        rss = lab.rss_mb(node)
        print(f"{node.name}  {node.host}:{node.port}  running  rss {rss or 0:.0f} MB  {health}")
    lab.close()
    return worst


def cmd_captures(args: argparse.Namespace) -> int:
    from tests.lab.captures import walk, write_readme

    started = time.monotonic()
    own = args.state is None
    lab = Lab() if own else Lab.attach(args.state)
    try:
        if own:
            lab.start(args.nodes)
            print(
                f"booted {len(lab.nodes)} nodes in {time.monotonic() - started:.1f} s", flush=True
            )
        names = args.only or None
        for line in walk(lab, args.out, names, settle_churn=not args.no_settle):
            print(line, flush=True)
        written = sorted(p.name for p in args.out.iterdir() if p.is_dir())
        write_readme(args.out, lab.kernel_version, written)
    finally:
        if own:
            lab.stop()
        else:
            lab.close()
    print(f"captures written to {args.out} in {time.monotonic() - started:.1f} s")
    return 0


def cmd_scenario(args: argparse.Namespace) -> int:
    lab = _attached(args.run_dir)
    started = time.monotonic()
    lab.scenario(args.node, args.name, force=True)
    print(f"{args.node}: {args.name} ready in {time.monotonic() - started:.1f} s")
    lab.close()
    return 0


def cmd_fault(args: argparse.Namespace) -> int:
    lab = _attached(args.run_dir)
    bad = [kv for kv in args.args if "=" not in kv]
    if bad:
        raise LabError(f"fault arguments are KEY=VALUE (e.g. port=ens224), got: {bad[0]}")
    kwargs = dict(kv.split("=", 1) for kv in args.args)
    lab.fault(args.node, args.name, **kwargs)
    print(f"{args.node}: fault {args.name} applied")
    lab.close()
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tests.lab", description="bondcheck's real-kernel QEMU lab"
    )
    p.add_argument(
        "--run-dir",
        type=Path,
        default=DEFAULT_RUN_DIR,
        help="where `up` keeps state, keys and logs (default: .lab)",
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="boot nodes and leave them running")
    up.add_argument("-n", "--nodes", type=int, default=3)
    up.add_argument(
        "--flavor",
        choices=("busybox", "systemd"),
        default="busybox",
        help="PID 1 of the guests: busybox init (worker-N) or systemd (worker-sd-N)",
    )
    up.set_defaults(func=cmd_up)
    sub.add_parser("down", help="stop the nodes `up` started").set_defaults(func=cmd_down)
    sub.add_parser("status", help="show the running nodes").set_defaults(func=cmd_status)
    cap = sub.add_parser("captures", help="boot a lab, capture every scenario, stop it")
    cap.add_argument("--out", type=Path, required=True)
    cap.add_argument("-n", "--nodes", type=int, default=3)
    cap.add_argument("--only", action="append", metavar="SCENARIO")
    cap.add_argument("--state", type=Path, help="use a running lab's state.json instead")
    cap.add_argument(
        "--no-settle",
        action="store_true",
        help="do not wait for the 60 s LACP churn window to close",
    )
    cap.set_defaults(func=cmd_captures)
    scn = sub.add_parser("scenario", help="rebuild one running node as a scenario")
    scn.add_argument("node")
    scn.add_argument("name")
    scn.set_defaults(func=cmd_scenario)
    flt = sub.add_parser("fault", help="apply a fault, e.g. fault worker-0 cable-pull port=ens224")
    flt.add_argument("node")
    flt.add_argument("name")
    flt.add_argument("args", nargs="*", metavar="KEY=VALUE")
    flt.set_defaults(func=cmd_fault)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (LabError, ValueError) as exc:
        print(f"lab: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
