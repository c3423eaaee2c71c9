"""Public-key authentication for the SSH transport, with private keys loaded once per run.

Parsing a private key file (and, for encrypted OpenSSH keys, running bcrypt) costs far more
than a signature, so a fleet of hundreds of nodes must not reload the same key per node: the
KeyRing keeps each loaded key (or the reason it could not be loaded) for the transport's
life. Passphrases are never asked for (bondcheck runs unattended): an encrypted key is
skipped with a hint to load it into ssh-agent. Error messages name key files and agent key
types, never key material.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bondcheck.errors import CollectError
from bondcheck.transport.ssh_config import DEFAULT_KEYS, HostSpec

if TYPE_CHECKING:
    import paramiko

log = logging.getLogger(__name__)


class KeyRing:
    """Private keys by path, loaded on first use and shared by every connection thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, paramiko.PKey | str] = {}  # a key, or why it is unusable

    def load(self, path: str, *, implicit: bool = False) -> paramiko.PKey | str | None:
        """The key at ``path``, or a one-line problem; None for a missing default key."""
        with self._lock:
            cached = self._keys.get(path)
            if cached is None:
                cached = self._load_locked(path)
                self._keys[path] = cached
        if implicit and cached == "missing":
            return None
        return f"key file {path} does not exist" if cached == "missing" else cached

    @staticmethod
    def _load_locked(path: str) -> paramiko.PKey | str:
        import paramiko
        from paramiko.pkey import UnknownKeyType

        if not Path(path).is_file():
            return "missing"
        try:
            return paramiko.PKey.from_path(path)
        except paramiko.PasswordRequiredException:
            return f"key file {path} is passphrase-protected (load it into ssh-agent)"
        except UnknownKeyType:
            return f"key file {path} has a key type bondcheck cannot use"
        except OSError as exc:
            return f"key file {path} could not be read ({exc.strerror})"
        except Exception as exc:  # the crypto backend raises many types
            # cryptography reports an encrypted OpenSSH key as a TypeError about a password.
            if "password" in str(exc).lower():
                return f"key file {path} is passphrase-protected (load it into ssh-agent)"
            return f"key file {path} could not be read ({type(exc).__name__})"

    def authenticate(
        self,
        transport: paramiko.Transport,
        spec: HostSpec,
        label: str,
        remaining: Callable[[], float],
    ) -> None:
        """Try configured keys, then agent keys, then default keys; raise CollectError.

        Each refused key costs one round trip, so the explicitly configured keys go first and
        ``~/.ssh/id_*`` are only tried when nothing was configured (as the brief for fast
        fleets asks). A key already offered (the agent often holds a file's key) is skipped.
        """
        import paramiko

        tried: list[str] = []
        problems: list[str] = []
        offered: set[str] = set()

        def attempt(key: paramiko.PKey, description: str) -> bool:
            blob = key.get_base64()
            if blob in offered:
                return False
            offered.add(blob)
            tried.append(description)
            transport.auth_timeout = max(0.1, remaining())
            try:
                more = transport.auth_publickey(spec.user, key)
            except paramiko.BadAuthenticationType as exc:
                allowed = ", ".join(exc.allowed_types) or "none"
                raise CollectError(
                    f"{label}: authentication failed for {spec.who}: the server does not "
                    f"accept public keys (it allows: {allowed})"
                ) from None
            except paramiko.AuthenticationException as exc:
                # paramiko raises the same exception when its auth_timeout (our deadline)
                # runs out: that is a slow node, not a refused key, so let the caller report
                # the timeout instead of "authentication failed".
                if remaining() <= 0.1 or "timeout" in str(exc).lower():
                    raise
                return False
            if more:
                raise CollectError(
                    f"{label}: authentication failed for {spec.who}: the server asks for a "
                    f"second factor ({', '.join(more)}), which bondcheck cannot provide"
                )
            return transport.is_authenticated()

        for path in spec.identity_files:
            key = self.load(path)
            if isinstance(key, str):
                problems.append(key)
            elif key is not None and attempt(key, path):
                return
        if not spec.identities_only and os.environ.get("SSH_AUTH_SOCK"):
            agent = paramiko.Agent()
            try:
                for agent_key in agent.get_keys():
                    if attempt(agent_key, f"agent {agent_key.get_name()} key"):
                        return
            finally:
                agent.close()
        if spec.look_for_keys:
            for path in DEFAULT_KEYS:
                key = self.load(str(Path(path).expanduser()), implicit=True)
                if isinstance(key, str):
                    problems.append(key)
                elif key is not None and attempt(key, str(Path(path).expanduser())):
                    return
        if not tried:
            detail = "no usable private key (pass --ssh-key, set IdentityFile, or use ssh-agent)"
        else:
            detail = f"tried {len(tried)} key(s): {', '.join(tried)}"
        if problems:
            detail += "; " + "; ".join(problems)
        log.debug("ssh auth failed for %s (%s)", spec.who, detail)
        raise CollectError(f"{label}: authentication failed for {spec.who} ({detail})")
