"""Where and how to reach a node over SSH: the OpenSSH client config plus bondcheck's options.

The user's ``~/.ssh/config`` (or ``--ssh-config FILE``) already says how their nodes are
reached (aliases, ports, users, keys, bastions), so bondcheck reads it with paramiko's
SSHConfig instead of inventing its own inventory. Command-line options win over the file, as
with ``ssh`` itself. The result is a plain HostSpec per hop; nothing here opens a socket.

Which address is dialled: when the config gives the node name its own ``HostName`` (an alias
the user wrote on purpose) that wins; otherwise the node's InternalIP from the cluster
(``NodeTarget.address``) is used when known, else the node name itself. Options the config
sets for the node name (``Host worker-*``) apply even when the address is dialled, and win
over those it sets for the address.
"""

from __future__ import annotations

import fnmatch
import getpass
import re
import shlex
import threading
import weakref
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bondcheck.errors import CollectError, InputError
from bondcheck.model import NodeTarget
from bondcheck.transport.options import TransportOptions
from bondcheck.transport.ssh_hostkeys import host_key_name

if TYPE_CHECKING:
    from paramiko import SSHConfig

DEFAULT_CONFIG = "~/.ssh/config"
DEFAULT_KNOWN_HOSTS = ("~/.ssh/known_hosts", "~/.ssh/known_hosts2")
GLOBAL_KNOWN_HOSTS = ("/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2")
DEFAULT_KEYS = ("~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa")

_JUMP_HOP = re.compile(
    r"^(?:ssh://)?(?:(?P<user>[^@\s]+)@)?(?:\[(?P<v6>[^\]]+)\]|(?P<host>[^:@/\s\[\]]+))"
    r"(?::(?P<port>\d+))?/?$"
)


@dataclass(frozen=True)
class HostSpec:
    """One hop, fully resolved: what to dial, as whom, with which keys and known_hosts."""

    alias: str  # the name it was resolved from (node name, address or jump spec host)
    hostname: str
    port: int
    user: str
    identity_files: tuple[str, ...]
    look_for_keys: bool  # try ~/.ssh/id_* because no key was configured at all
    identities_only: bool  # IdentitiesOnly yes: do not ask the agent
    known_hosts_files: tuple[str, ...]
    accept_new: bool
    host_key_names: tuple[str, ...]  # names to look up in known_hosts, in priority order
    connect_timeout: float
    jumps: tuple[HostSpec, ...] = ()

    @property
    def endpoint(self) -> str:
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return f"{host}:{self.port}"

    @property
    def who(self) -> str:
        return f"{self.user}@{self.hostname}"


@dataclass(frozen=True)
class JumpHop:
    """One ``[user@]host[:port]`` element of a ProxyJump list."""

    host: str
    user: str | None = None
    port: int | None = None


def parse_jump(spec: str) -> tuple[JumpHop, ...]:
    """Parse a ProxyJump value (``none`` means no jump); InputError on a malformed hop."""
    spec = spec.strip()
    if not spec or spec.lower() == "none":
        return ()
    hops: list[JumpHop] = []
    for part in spec.split(","):
        match = _JUMP_HOP.match(part.strip())
        if not match:
            raise InputError(f"invalid jump host {part.strip()!r} (expected [user@]host[:port])")
        port = int(match["port"]) if match["port"] else None
        if port is not None and not 0 < port < 65536:
            raise InputError(f"invalid port in jump host {part.strip()!r}")
        hops.append(JumpHop(host=match["v6"] or match["host"], user=match["user"], port=port))
    return tuple(hops)


def load_ssh_config(path: str | None) -> SSHConfig:
    """Read the OpenSSH client config once; an explicitly named file must exist."""
    import paramiko

    if path is None:
        default = Path(DEFAULT_CONFIG).expanduser()
        if not default.is_file():
            return paramiko.SSHConfig()
        path = str(default)
    file = Path(path).expanduser()
    if not file.exists() or file.is_dir():  # /dev/null is fine: "no config", as with ssh -F
        raise InputError(f"ssh config {path} does not exist or is not a file")
    try:
        return paramiko.SSHConfig.from_path(str(file))
    except (OSError, UnicodeDecodeError, paramiko.ssh_exception.ConfigParseError) as exc:
        raise InputError(f"ssh config {path}: {exc}") from None


class SshConfigResolver:
    """Turns node names into HostSpecs, reading the config file once per transport."""

    def __init__(self, opts: TransportOptions, config: SSHConfig | None = None) -> None:
        self._opts = opts
        self._config = config if config is not None else load_ssh_config(opts.ssh_config)
        self._cli_jump = parse_jump(opts.jump) if opts.jump is not None else None
        if opts.ssh_port is not None and not 0 < opts.ssh_port < 65536:
            raise InputError(f"invalid --ssh-port {opts.ssh_port}")

    def _lookup(self, name: str) -> dict[str, Any]:
        try:
            return dict(_fast_lookup(self._config, name))
        except Exception as exc:  # paramiko raises several types for Match/canonicalisation
            raise CollectError(f"{name}: ssh config lookup failed: {exc}") from None

    def resolve(self, target: NodeTarget) -> HostSpec:
        """The HostSpec for a node, with its ProxyJump chain resolved too."""
        by_name = self._lookup(target.name)
        if target.address and by_name.get("hostname", target.name) == target.name:
            # Dial the cluster's address, but keep what the config says for the node name
            # (``Host worker-*`` / ``User core``) over what it says for the address.
            by_name.pop("hostname", None)
            alias, cfg = target.address, {**self._lookup(target.address), **by_name}
        else:
            alias, cfg = target.name, by_name
        spec = self._spec(
            alias,
            cfg,
            user=self._opts.ssh_user,
            port=self._opts.ssh_port,
            extra_key_names=(target.name,),
        )
        if self._cli_jump is not None:
            hops = self._cli_jump
        else:
            hops = parse_jump(str(cfg["proxyjump"])) if "proxyjump" in cfg else ()
        jumps = tuple(
            self._spec(
                hop.host, self._lookup(hop.host), user=hop.user, port=hop.port, extra_key_names=()
            )
            for hop in hops
        )
        return replace(spec, jumps=jumps)

    def _spec(
        self,
        alias: str,
        cfg: dict[str, Any],
        *,
        user: str | None,
        port: int | None,
        extra_key_names: tuple[str, ...],
    ) -> HostSpec:
        proxy_command = str(cfg.get("proxycommand", "none")).strip()
        if proxy_command.lower() != "none" and "proxyjump" not in cfg and self._cli_jump is None:
            raise CollectError(
                f"{alias}: ssh config sets ProxyCommand, which bondcheck does not run; "
                "use ProxyJump (or --jump) instead"
            )
        hostname = str(cfg.get("hostname", alias))
        try:
            port = port if port is not None else int(cfg.get("port", 22))
        except ValueError:
            raise InputError(f"ssh config: invalid Port for {alias}: {cfg.get('port')}") from None
        user = user or cfg.get("user") or getpass.getuser()
        keys: list[str] = []
        if self._opts.ssh_key:
            keys.append(self._opts.ssh_key)
        keys.extend(str(k) for k in cfg.get("identityfile", []))
        keys = list(dict.fromkeys(str(Path(k).expanduser()) for k in keys))
        if self._opts.known_hosts:
            user_files: tuple[str, ...] = (self._opts.known_hosts,)
        elif "userknownhostsfile" in cfg:
            user_files = tuple(shlex.split(str(cfg["userknownhostsfile"])))
        else:
            user_files = DEFAULT_KNOWN_HOSTS
        files = tuple(str(Path(f).expanduser()) for f in (*user_files, *GLOBAL_KNOWN_HOSTS))
        strict = str(cfg.get("stricthostkeychecking", "yes")).lower()
        accept_new = self._opts.accept_new_host_keys or strict in ("accept-new", "no", "off")
        key_alias = cfg.get("hostkeyalias")
        names = [host_key_name(str(key_alias), port)] if key_alias else []
        names.append(host_key_name(hostname, port))
        names.extend(host_key_name(n, port) for n in extra_key_names)
        try:
            timeout = float(cfg.get("connecttimeout", self._opts.connect_timeout))
        except ValueError:
            timeout = self._opts.connect_timeout
        return HostSpec(
            alias=alias,
            hostname=hostname,
            port=port,
            user=str(user),
            identity_files=tuple(keys),
            look_for_keys=not keys,
            identities_only=str(cfg.get("identitiesonly", "no")).lower() == "yes",
            known_hosts_files=files,
            accept_new=accept_new,
            host_key_names=tuple(dict.fromkeys(names)),
            connect_timeout=timeout if timeout > 0 else self._opts.connect_timeout,
        )


class _StanzaIndex:
    """The stanzas of one config that can apply to a name, found without scanning them all.

    ``Host`` stanzas whose patterns are all literal names (the one-block-per-node configs of
    big fleets) are indexed by name; the others (wildcards, negations, ``Match``) are tested
    one by one as before. Candidates keep file order, which OpenSSH's first-match rule needs.
    """

    def __init__(self, stanzas: list[dict[str, Any]]) -> None:
        self.size = len(stanzas)
        self.exact: dict[str, list[int]] = {}
        self.general: list[int] = []
        for position, stanza in enumerate(stanzas):
            hosts = [p.lower() for p in stanza.get("host", [])]
            literal = (
                bool(hosts)
                and not stanza.get("matches")
                and all(p and p[0] != "!" and not any(c in p for c in "*?[") for p in hosts)
            )
            if not literal:
                self.general.append(position)
                continue
            for host in dict.fromkeys(hosts):
                self.exact.setdefault(host, []).append(position)

    def candidates(self, stanzas: list[dict[str, Any]], lowered: str) -> list[dict[str, Any]]:
        keep = list(self.exact.get(lowered, ()))
        for position in self.general:
            stanza = stanzas[position]
            if stanza.get("matches") or any(
                fnmatch.fnmatchcase(lowered, pattern.lower())
                for pattern in stanza.get("host", [])
                if not pattern.startswith("!")
            ):
                keep.append(position)
        return [stanzas[i] for i in sorted(keep)]


_INDEXES: weakref.WeakKeyDictionary[Any, _StanzaIndex] = weakref.WeakKeyDictionary()
_INDEX_LOCK = threading.Lock()


def _fast_lookup(config: SSHConfig, name: str) -> Any:
    """``config.lookup(name)``, but only over the stanzas that can apply to ``name``.

    paramiko's lookup costs ~25 us per stanza (it asks for the local user name once per
    stanza), so a 200-host config cost ~5 ms per node. ``Host`` stanzas whose patterns cannot
    match are dropped first (a superset is kept: negations are left to paramiko), ``Match``
    stanzas are always kept; configs using CanonicalizeHostname (which looks names up again
    under other names) take the full path. Literal ``Host`` names are found through an index
    built once per config (_StanzaIndex), so a lookup does not grow with the fleet.
    """
    import paramiko

    stanzas = getattr(config, "_config", None)
    if not isinstance(stanzas, list) or any(
        "canonicalizehostname" in stanza.get("config", {}) for stanza in stanzas
    ):
        return config.lookup(name)
    with _INDEX_LOCK:
        index = _INDEXES.get(config)
        if index is None or index.size != len(stanzas):
            index = _INDEXES[config] = _StanzaIndex(stanzas)
    subset = paramiko.SSHConfig()
    subset._config = index.candidates(stanzas, name.lower())  # type: ignore[attr-defined]
    return subset.lookup(name)
