"""The SSH server's own key, made once and kept, and the clients' keys it lets in."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import asyncssh

log = logging.getLogger("workshop_tui.serve")

HOST_KEY_NAME = "ssh_host_ed25519_key"
AUTHORIZED_KEYS_NAME = "authorized_keys"


def host_key(data_dir: Path) -> asyncssh.SSHKey:
    """The data dir's host key, generated on first use (mode 0600).

    The same key on every start, so clients that trusted this server once are not
    warned of a changed host key (which would teach them to ignore the warning).
    """
    path = data_dir / HOST_KEY_NAME
    if path.exists():
        return asyncssh.read_private_key(path)
    data_dir.mkdir(parents=True, exist_ok=True)
    key = asyncssh.generate_private_key("ssh-ed25519")
    # Created 0600 from the first byte, never readable by others even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.export_private_key())
    log.info("generated the SSH host key %s (%s)", path, key.get_fingerprint())
    return key


def read_authorized_keys(path: Path) -> asyncssh.SSHAuthorizedKeys | None:
    """The keys in an OpenSSH authorized_keys file; None when it has none."""
    if not path.exists():
        return None
    text = path.read_text()
    if not any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
        return None
    return asyncssh.import_authorized_keys(text)
