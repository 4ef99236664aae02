"""The evidence log's entry: fixed canonical UTF-8 text, LF line ends, exactly these lines:

    ecourt-evidence/v1
    sha256 <64 lowercase hex>
    size <bytes, decimal>
    type <media type>
    depositor <depositor id>
    time <RFC 3339 UTC, second precision, Z>

No file content and no personal data: the depositor is an opaque id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

HEADER = "ecourt-evidence/v1"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SIZE = re.compile(r"0|[1-9]\d{0,18}")
# type/subtype with RFC 6838 restricted-name characters, lowercase; no parameters.
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
_DEPOSITOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


class EntryError(ValueError):
    """Text that is not a canonical evidence entry."""


@dataclass(frozen=True)
class Entry:
    sha256: str
    size: int
    media_type: str
    depositor: str
    time: datetime

    def __post_init__(self) -> None:
        if not _SHA256.fullmatch(self.sha256):
            raise EntryError("sha256 is 64 lowercase hex digits")
        if not 0 <= self.size < 10**19:
            raise EntryError("size is a non-negative number of bytes")
        if not _MEDIA_TYPE.fullmatch(self.media_type):
            raise EntryError("type is a lowercase media type without parameters")
        if not _DEPOSITOR.fullmatch(self.depositor):
            raise EntryError("depositor is an id of letters, digits and . _ : -")
        if self.time.tzinfo is None:
            raise EntryError("time has a time zone")

    @property
    def time_text(self) -> str:
        return self.time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def text(self) -> str:
        return (
            f"{HEADER}\nsha256 {self.sha256}\nsize {self.size}\ntype {self.media_type}\n"
            f"depositor {self.depositor}\ntime {self.time_text}\n"
        )

    @property
    def data(self) -> bytes:
        return self.text.encode()


def parse_entry(text: str) -> Entry:
    """The entry the text is, only if the text is exactly its canonical form."""
    lines = text.split("\n")
    if len(lines) != 7 or lines[-1] != "" or lines[0] != HEADER:
        raise EntryError("an entry is the header and five lines, each ending in LF")
    fields = {}
    for line, name in zip(lines[1:6], ("sha256", "size", "type", "depositor", "time"), strict=True):
        key, space, value = line.partition(" ")
        if key != name or not space:
            raise EntryError(f"line {name!r} is missing or out of order")
        fields[name] = value
    if not _SIZE.fullmatch(fields["size"]):
        raise EntryError("size is a decimal number without leading zeroes")
    if not _TIME.fullmatch(fields["time"]):
        raise EntryError("time is RFC 3339 UTC to the second, ending in Z")
    try:
        when = datetime.strptime(fields["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise EntryError("time is not a real date and time") from None
    entry = Entry(fields["sha256"], int(fields["size"]), fields["type"], fields["depositor"], when)
    if entry.text != text:
        raise EntryError("the entry is not in canonical form")
    return entry
