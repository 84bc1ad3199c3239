"""Signed files: the cache folder is in the hub, where a pull request can commit anything.

The content cache is a pickle, and unpickling runs code: a pull request could commit a
crafted `.citehub-cache/`. So every file of the cache that is trusted is signed with a key
that lives outside the hub (in the user's cache folder, made on first use) and is read only
when the signature holds.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from citehub.hubfiles import read_regular, write_private


def _key() -> bytes | None:
    """This user's signing key, outside any hub (so no pull request can know it)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "citehub"
    path = base / "signing-key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = secrets.token_bytes(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(key)
        return key
    except FileExistsError:  # another build made it just now
        return path.read_bytes()
    except OSError:
        return None


def _signature(key: bytes, salt: str, data: bytes) -> bytes:
    return hmac.new(key, salt.encode() + b"\0" + data, hashlib.sha256).digest()


def read_signed(path: Path, salt: str) -> bytes | None:
    """The data of a file `write_signed` wrote with this salt; None for anything else (not
    ours, another salt, damaged, missing): the caller then does the work again."""
    key = _key()
    blob = read_regular(path)
    if key is None or not hmac.compare_digest(blob[:32], _signature(key, salt, blob[32:])):
        return None
    return blob[32:]


def write_signed(path: Path, salt: str, data: bytes) -> None:
    key = _key()
    if key is not None:
        write_private(path, _signature(key, salt, data) + data)
