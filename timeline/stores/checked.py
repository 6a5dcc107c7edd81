"""Checked prefixes: what a full read of a log file proved, so that the next read need not.

A full read of a JSON Lines log checks every entry: UTF-8, canonical bytes, hash,
chain, every record rule, transitions, idempotency keys. That costs about five
times parsing the JSON. When a read from the start ends having checked at least
one block (:data:`BLOCK`, 1 MiB), the store keeps a small record of it, the
*checked prefix*: its length in bytes and the SHA-256 of each block of it.

The next read from the start hashes each block as it reads it (hashing runs at
about 1 GB/s, some 50 times faster than checking) and compares. The entries that
lie wholly within the blocks that match, from the start up to the first that
does not, hold exactly the bytes already checked, so they are rebuilt without
the checks (:meth:`timeline.Entry.from_checked_line`). From the first block that
differs (a byte changed, the file replaced) and after the prefix (entries
appended since), every entry is checked in full, as always. The rules that need
the whole log (transitions, unique keys, record times) run on every entry.
:meth:`timeline.Log.verify` never uses a checked prefix.

Where: one JSON file per log, named by the SHA-256 of the log's real path, in
``TIMELINE_CACHE_DIR`` if set, else the user's cache folder
(``platformdirs.user_cache_dir("diplomatic-timeline")``, e.g.
``~/.cache/diplomatic-timeline/checked/``). ``TIMELINE_CACHE_DIR=`` (empty)
turns it off. The record is a cache: a missing, unreadable or stale one means a
full check, never an error, and writing it never fails a read (it is written to
a temporary file and renamed into place). It is trusted as far as the folder
it lives in: whoever can write your cache folder can already write your files.
The record names the library version and rules that checked the prefix; another
version checks in full. A line the record covers that cannot be rebuilt as the entry
continuing the chain at its position (a record written by hand over a malformed line) is
checked in full, so it gives the full check's error naming its position, never another. Records are small (about 70 bytes per MiB of log) and are
not removed when a log is: delete the folder at any time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from ..__about__ import __version__
from ..entries import FORMAT_VERSION

__all__ = ["BLOCK", "ENV_CACHE_DIR", "CheckedPrefix", "cache_folder", "record_path"]

#: Bytes per hashed block; reads from the start go block by block.
BLOCK = 1 << 20
#: Environment variable naming the cache folder ("" turns checked prefixes off).
ENV_CACHE_DIR = "TIMELINE_CACHE_DIR"
# Bump when a record rule changes: a prefix checked under other rules is checked again.
_RULES = 1
_KIND = "diplomatic-timeline checked prefix"


def cache_folder(kind: str = "checked") -> Path | None:
    """The folder for one kind of per-log cache (``checked``: checked-prefix records;
    ``readmodel``: the file store's read models), or ``None`` if turned off."""
    value = os.environ.get(ENV_CACHE_DIR)
    if value is None:
        import platformdirs

        return Path(platformdirs.user_cache_dir("diplomatic-timeline")) / kind
    return Path(value) / kind if value else None


class CheckedPrefix:
    """One read from the start of one log file: what it may trust, and what it checked.

    Feed it each block as read (:meth:`feed`, from offset 0, in order, each
    :data:`BLOCK` bytes but the last); :attr:`trusted` is then the end of the
    bytes known to be checked before (0 when nothing is). After the read,
    :meth:`save` records the new checked prefix.
    """

    __slots__ = ("_record", "_known", "_read", "_last", "trusted", "_matching")

    def __init__(self, log: Path) -> None:
        self._record = record_path(log)
        self._known = _load(self._record) if self._record is not None else None
        self._read: list[str] = []  # SHA-256 of each block read, as read
        self._last = b""  # the latest block read (the final one may be partial)
        self.trusted = 0
        self._matching = self._known is not None

    def feed(self, offset: int, block: bytes) -> None:
        """Take in the block that starts at ``offset`` (the next multiple of :data:`BLOCK`)."""
        if self._record is None:  # the cache is off: nothing to compare or record
            return
        digest = hashlib.sha256(block).hexdigest()
        self._read.append(digest)
        self._last = block
        if not self._matching:
            return
        size, hashes = self._known  # type: ignore[misc]
        index, end = offset // BLOCK, size - offset
        if end < len(block) and end > 0:  # the known prefix ends inside this block
            digest = hashlib.sha256(block[:end]).hexdigest()
        # A block shorter than the record's (a truncated file) has another hash.
        if end <= 0 or index >= len(hashes) or digest != hashes[index]:
            self._matching = False
            return
        self.trusted = offset + min(end, len(block))

    def save(self, checked: int) -> None:
        """Record that ``[0, checked)`` is now checked (a read from the start ended there).

        Does nothing for less than one block, when nothing new was checked, or when
        the cache is off; never raises for a cache it cannot write.
        """
        if self._record is None or checked < BLOCK or self.trusted >= checked:
            return  # off, too small, or nothing checked beyond what the record says
        whole, rest = divmod(checked, BLOCK)
        if rest:  # the prefix ends inside the last block read
            if len(self._read) != whole + 1:
                return
            hashes = [*self._read[:whole], hashlib.sha256(self._last[:rest]).hexdigest()]
        else:
            if len(self._read) < whole:
                return
            hashes = self._read[:whole]
        _store(self._record, {"kind": _KIND, "library": __version__, "rules": _RULES,
                              "format": FORMAT_VERSION, "block": BLOCK, "size": checked,
                              "blocks": hashes})


def record_path(log: Path, kind: str = "checked", suffix: str = ".json") -> Path | None:
    """Where the checked-prefix record (or another ``kind`` of cache, see
    :func:`cache_folder`) of the log file ``log`` is (``None``: turned off): named by
    the SHA-256 of the log's real path."""
    folder = cache_folder(kind)
    if folder is None:
        return None
    name = hashlib.sha256(os.fsencode(os.path.realpath(log))).hexdigest()
    return folder / f"{name}{suffix}"


def _load(record: Path) -> tuple[int, list[str]] | None:
    try:
        if not record.is_file():  # absent, or a folder or FIFO where it should be
            return None
        data = json.loads(record.read_bytes())
        if (data["kind"], data["library"], data["rules"], data["format"], data["block"]) != (
                _KIND, __version__, _RULES, FORMAT_VERSION, BLOCK):
            return None
        size, hashes = data["size"], data["blocks"]
        if type(size) is not int or not isinstance(hashes, list) or len(hashes) != -(
                -size // BLOCK):
            return None
        return size, [str(h) for h in hashes]
    except Exception:  # noqa: BLE001 - whatever is wrong with a cache, read in full
        return None


def _store(record: Path, data: dict[str, object]) -> None:
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=record.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f)
            os.replace(tmp, record)  # readers see the old record or the new, never half
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a cache that cannot be written costs the next read its speed, nothing else
