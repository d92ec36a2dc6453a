"""Checking SSH public keys the way sshd would parse an authorized_keys line."""

from __future__ import annotations

import base64
import binascii
import struct

KEY_TYPES = frozenset(
    {
        "ssh-rsa",
        "ssh-dss",
        "ssh-ed25519",
        "ssh-ed448",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ecdsa-sha2-nistp256@openssh.com",
        "sk-ssh-ed25519@openssh.com",
        "ssh-rsa-cert-v01@openssh.com",
        "ssh-dss-cert-v01@openssh.com",
        "ssh-ed25519-cert-v01@openssh.com",
        "ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "ecdsa-sha2-nistp384-cert-v01@openssh.com",
        "ecdsa-sha2-nistp521-cert-v01@openssh.com",
        "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "sk-ssh-ed25519-cert-v01@openssh.com",
    }
)


def public_key_problem(line: str) -> str | None:
    """Why `line` is not a usable SSH public key, or None when it is one.

    The message never repeats the key: a pasted private key must not reach a log.
    """
    text = line.strip()
    if not text:
        return "empty SSH public key"
    if "PRIVATE KEY" in text:
        return "this is a private key; give the public key (the .pub file)"
    fields = text.split()
    # authorized_keys lines may start with options (from="...",command="..."): skip to the type.
    for index, field in enumerate(fields):
        if field in KEY_TYPES:
            if index + 1 >= len(fields):
                return f"{field} key has no key data"
            return _blob_problem(field, fields[index + 1])
    return "not an SSH public key: no known key type (ssh-ed25519, ssh-rsa, ecdsa-sha2-...)"


def _blob_problem(key_type: str, data: str) -> str | None:
    try:
        blob = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return f"{key_type} key data is not valid base64"
    if len(blob) < 4:
        return f"{key_type} key data is too short"
    (length,) = struct.unpack(">I", blob[:4])
    inner = blob[4 : 4 + length]
    if len(inner) != length:
        return f"{key_type} key data is truncated"
    if inner.decode("ascii", "replace") != key_type:
        return f"{key_type} key data holds a {inner.decode('ascii', 'replace')!r} key"
    return None


def key_comment(line: str) -> str | None:
    """The comment after the key data (user@host), which names the key."""
    fields = line.strip().split()
    for index, field in enumerate(fields):
        if field in KEY_TYPES:
            rest = fields[index + 2 :]
            return " ".join(rest) if rest else None
    return None
