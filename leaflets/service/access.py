"""Who may call the service (bearer tokens), and the audit trail of what each caller asked for.

Tokens come from a file (`--token-file`) or the environment (LEAFLETS_SERVICE_TOKENS), one `NAME:TOKEN`
a line (in the environment, commas may separate them); without one the service does not start. A request's
token is compared with every token in constant time (hmac.compare_digest), and the audit names the caller
by the token's NAME, never the token.

The audit is one JSON line per request: time, caller, route, status, and for a handout the record id
hashed with a secret (HMAC-SHA256 of its record key: NFKC, case folded), the leaflets, the content version
and the PDF's sha256. No patient value: the clinic can find a record's requests by hashing its id, in lower
case, with the same secret.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from leaflets.discharge.patients import record_key
from leaflets.errors import UsageError

TOKENS_ENV = "LEAFLETS_SERVICE_TOKENS"
AUDIT_SECRET_ENV = "LEAFLETS_AUDIT_SECRET"
#: RFC 6750's b64token, at least 32 characters: `secrets.token_urlsafe(32)` makes one of 43.
TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]{32,}=*")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MIN_SECRET = 32  # bytes of audit secret


@dataclass(frozen=True)
class Token:
    """One caller's token: NAME is what the audit records."""

    name: str
    secret: bytes


def read_tokens(path: Path | None, environ: dict[str, str]) -> list[Token]:
    """The tokens of `path`, else of the environment; UsageError (naming the line, never a token) if there are
    none or one is malformed."""
    if path is not None:
        try:
            text, where = path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as error:
            why = getattr(error, "strerror", None) or "not UTF-8 text"
            raise UsageError(f"cannot read the token file {path}: {why}") from None
    else:
        # No token or name holds a comma: one may separate them where a variable cannot hold line breaks.
        text, where = environ.get(TOKENS_ENV, "").replace(",", "\n"), TOKENS_ENV
    tokens = [_token(line, number, where) for number, line in _lines(text)]
    if not tokens:
        raise UsageError(
            f"no token: give --token-file FILE or set {TOKENS_ENV}, one NAME:TOKEN a line, e.g. "
            "epic:$(python -c 'import secrets; print(secrets.token_urlsafe(32))') (docs/service.md, 'Tokens')"
        )
    names = [t.name for t in tokens]
    repeated = next((name for name in names if names.count(name) > 1), None)
    if repeated:
        raise UsageError(f"{where}: the name {repeated} is given to two tokens; give each caller its own name")
    return tokens


def _lines(text: str) -> list[tuple[int, str]]:
    """(number, text) of each line that is not blank or a # comment."""
    lines = enumerate(text.splitlines(), start=1)
    return [(number, line.strip()) for number, line in lines if line.strip() and not line.strip().startswith("#")]


def _token(line: str, number: int, where: str) -> Token:
    name, colon, token = line.partition(":")
    if not colon or not NAME.fullmatch(name.strip()):
        raise UsageError(f"{where}: line {number}: write NAME:TOKEN (NAME in letters, digits, '.', '_', '-')")
    if not TOKEN.fullmatch(token.strip()):
        raise UsageError(
            f"{where}: line {number}: the token of {name.strip()} must be at least 32 characters of letters, "
            "digits and - . _ ~ + /"
        )
    return Token(name.strip(), token.strip().encode())


def caller(tokens: list[Token], authorization: str | None) -> str | None:
    """The NAME of the token in an `Authorization: Bearer TOKEN` header, or None. Every token is compared, in
    constant time, whichever matches."""
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return None
    offered = given.strip().encode("utf-8", errors="replace")
    found = None
    for token in tokens:
        if hmac.compare_digest(token.secret, offered):
            found = token.name
    return found


def audit_secret(path: Path | None, environ: dict[str, str]) -> tuple[bytes, bool]:
    """The secret record ids are hashed with in the audit, and whether it was given (else one made for this
    run: its hashes cannot be matched with another run's or another instance's)."""
    if path is not None:
        try:
            secret = path.read_bytes().strip()
        except OSError as error:
            raise UsageError(f"cannot read the audit secret {path}: {error.strerror}") from None
    else:
        secret = environ.get(AUDIT_SECRET_ENV, "").strip().encode()
    if not secret:
        return secrets.token_bytes(MIN_SECRET), False
    if len(secret) < MIN_SECRET:
        where = str(path) if path is not None else AUDIT_SECRET_ENV
        raise UsageError(f"{where}: the audit secret must be at least {MIN_SECRET} characters")
    return secret, True


class Audit:
    """Writes the audit lines: to a file (appended, owner-only) or to standard error."""

    def __init__(self, secret: bytes, path: Path | None = None):
        self.secret = secret
        self.stream: TextIO = sys.stderr
        if path is not None:
            try:
                handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            except OSError as error:
                raise UsageError(f"cannot write the audit log {path}: {error.strerror}") from None
            self.stream = os.fdopen(handle, "a", encoding="utf-8")

    def record(self, record_id: str) -> str:
        """A record id as the audit shows it: HMAC-SHA256 with the secret, hex, of its record key (ids are
        compared without case, so one record is one hash: `EXS-1` and `exs-1` are the same)."""
        return hmac.new(self.secret, record_key(record_id).encode(), hashlib.sha256).hexdigest()

    def write(self, **fields: Any) -> None:
        """One line: the time (UTC) first, then `fields`."""
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
        self.stream.write(json.dumps({"time": now, **fields}, ensure_ascii=False) + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Close the audit file (standard error stays open)."""
        if self.stream is not sys.stderr:
            self.stream.close()
