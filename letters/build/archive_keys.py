"""The archive's signing key and the office's settings for it, kept outside the archive.

The settings file (TOML, top-level keys only) is `$LETTERS_ARCHIVE_SETTINGS`, else
`$XDG_CONFIG_HOME/letters/archive.toml` (`~/.config/letters/archive.toml`):

    public_key = "<base64 of the Ed25519 public key>"   # what --verify checks rows against
    private_key = "/path/to/archive-key.pem"            # what filing signs with
    head_log = "/path/to/archive-heads.log"             # each filing's new head is added here

`$LETTERS_ARCHIVE_KEY` names the private key instead of the settings. None of the three may
lie inside the archive: whoever can write the archive could replace them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..source.errors import ArchiveError
from .output import write_new

if TYPE_CHECKING:  # cryptography is imported only by the commands that sign or check
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SETTINGS_VARIABLE, KEY_VARIABLE = "LETTERS_ARCHIVE_SETTINGS", "LETTERS_ARCHIVE_KEY"
#: The copy of the public key kept in the archive: for reference only, never trusted.
PUBLIC_COPY = "signing-key.pub"


@dataclass(frozen=True)
class Settings:
    """The office's archive settings: where they were read from, and what they say."""

    path: Path
    public_key: bytes | None
    private_key: Path
    head_log: Path


@dataclass(frozen=True)
class Signer:
    """A private key that signs rows, and the id of its public key."""

    key: Ed25519PrivateKey
    key_id: str

    def sign(self, message: bytes) -> str:
        """Sign a message; return the signature in base64."""
        return base64.b64encode(self.key.sign(message)).decode("ascii")


def settings_path() -> Path:
    """Return where the office's archive settings are read from."""
    given = os.environ.get(SETTINGS_VARIABLE)
    if given:  # a key's path written in the settings must not depend on the working folder
        return Path(given).expanduser().absolute()
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "letters" / "archive.toml"


def load_settings() -> Settings:
    """Read the office's archive settings (defaults beside the file where it names none)."""
    path = settings_path()
    tree: dict[str, Any] = {}
    if path.is_file():
        try:
            tree = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ArchiveError(f"{path}: not archive settings ({exc})") from None
    for name in ("public_key", "private_key", "head_log"):
        if name in tree and not isinstance(tree[name], str):
            raise ArchiveError(f"{path}: {name} is not a string")
    public = _public_bytes(tree["public_key"], str(path)) if "public_key" in tree else None
    private = os.environ.get(KEY_VARIABLE) or tree.get("private_key") or "archive-key.pem"
    head_log = tree.get("head_log") or "archive-heads.log"
    return Settings(path, public, path.parent / Path(private).expanduser(), path.parent / head_log)


def key_id(public: bytes) -> str:
    """Name a public key by the start of its SHA-256."""
    return hashlib.sha256(public).hexdigest()[:16]


def refuse_inside(root: Path, path: Path, what: str) -> None:
    """Refuse a key, settings or head log kept inside the archive's folder."""
    if path.resolve().is_relative_to(root.resolve()):
        raise ArchiveError(
            f"{path}: the {what} must not be kept inside the archive ({root}): whoever can "
            f"write the archive could replace it; set {SETTINGS_VARIABLE} or {KEY_VARIABLE}"
        )


def init_key(root: Path) -> tuple[Settings, str]:
    """Make a key pair: the private key and the settings outside the archive, a copy inside.

    Refuse to replace a key the settings already name. Return the settings and the key's id.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    settings = load_settings()
    for path, what in ((settings.path, "settings"), (settings.private_key, "private key")):
        refuse_inside(root, path, what)
    refuse_inside(root, settings.head_log, "head log")
    if settings.public_key is not None:
        raise ArchiveError(
            f"{settings.path}: already names a public key ({key_id(settings.public_key)}); "
            "letters never replaces a key (rows signed with it could no longer be checked)"
        )
    if settings.path.is_symlink():
        raise ArchiveError(
            f"{settings.path}: a link; name the settings file itself (letters writes it new)"
        )
    if settings.path.exists():  # a file of the user's: letters writes only a new one
        raise ArchiveError(
            f"{settings.path}: exists; letters writes the settings only as a new file. Move it "
            f"aside (or point {SETTINGS_VARIABLE} at a new file), run --init-key, then merge "
            "the two by hand"
        )
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    shown = base64.b64encode(public).decode("ascii")
    settings.private_key.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_new(settings.private_key, pem, 0o400)
    except FileExistsError:
        raise ArchiveError(
            f"{settings.private_key}: already exists; letters never overwrites a key"
        ) from None
    added = {"public_key": shown}
    if not os.environ.get(KEY_VARIABLE):
        added["private_key"] = str(settings.private_key)
    added["head_log"] = str(settings.head_log)
    _add_settings(settings.path, added)
    root.mkdir(parents=True, exist_ok=True)
    copy = root / PUBLIC_COPY  # for reference only: a new key's copy replaces an old one
    if copy.is_symlink() or not copy.exists():
        copy.unlink(missing_ok=True)
        write_new(copy, (shown + "\n").encode("ascii"))
    elif copy.read_bytes() != (shown + "\n").encode("ascii"):
        copy.unlink()
        write_new(copy, (shown + "\n").encode("ascii"))
    return load_settings(), key_id(public)


def _add_settings(path: Path, values: dict[str, str]) -> None:
    """Write a new settings file holding these keys, all at once; never one that exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{name} = {json.dumps(value)}\n" for name, value in values.items())
    try:
        write_new(path, text.encode("utf-8"), 0o600)
    except FileExistsError:
        raise ArchiveError(f"{path}: appeared while the key was made; nothing was added") from None


def signer(settings: Settings, root: Path) -> Signer | None:
    """Load the private key the settings name, checked against their public key; None if none.

    Refused: a private key inside the archive, one missing where the settings name a public
    key, and one that does not match it.
    """
    if settings.public_key is None:
        return None
    refuse_inside(root, settings.private_key, "private key")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(settings.private_key.read_bytes(), None)
    except OSError as exc:
        raise ArchiveError(
            f"{settings.private_key}: cannot read the archive's private key ({exc.strerror}); "
            f"{settings.path} names a public key, so every row must be signed"
        ) from None
    except ValueError:
        raise ArchiveError(f"{settings.private_key}: not a private key in PEM") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ArchiveError(f"{settings.private_key}: not an Ed25519 key")
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    if public != settings.public_key:
        raise ArchiveError(
            f"{settings.private_key}: does not match the public key in {settings.path}"
        )
    return Signer(key, key_id(public))


def read_public_key(path: Path) -> bytes:
    """Read a public key given with --key: its base64 line (as in the settings) or PEM."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read the key ({exc.strerror})") from None
    if b"-----BEGIN" not in data:
        return _public_bytes(data.decode("ascii", "replace").strip(), str(path))
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise ArchiveError(f"{path}: not a public key in PEM") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ArchiveError(f"{path}: not an Ed25519 public key")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _public_bytes(text: str, where: str) -> bytes:
    """Decode a public key written in base64, checking it is 32 bytes."""
    try:
        public = base64.b64decode(text, validate=True)
    except ValueError:
        public = b""
    if len(public) != 32:
        raise ArchiveError(f"{where}: the public key is not an Ed25519 key in base64")
    return public


def signature_holds(public: bytes, signature: object, message: bytes) -> bool:
    """Say whether a base64 signature over a message was made with the public key's pair."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not isinstance(signature, str):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(base64.b64decode(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def log_head(log: Path, root: Path, head: str, now: dt.datetime | None = None) -> None:
    """Add a filing's new head to the head log (outside the archive), one line each."""
    refuse_inside(root, log, "head log")
    when = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"{when} {root.resolve()} {head}\n")


def for_filing(root: Path) -> tuple[Signer | None, Path | None]:
    """Return what filing signs with and where it logs each head; (None, None) with no settings.

    With settings, each head is logged; with a public key in them, every row is signed.
    """
    if not settings_path().is_file():
        return None, None
    settings = load_settings()
    refuse_inside(root, settings.head_log, "head log")
    return signer(settings, root), settings.head_log
