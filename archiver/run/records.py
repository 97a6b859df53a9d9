"""Reading back the small JSON records a run leaves beside the archive (.state.json, .gone.json,
.last-run.json): untrusted input like any page.

A record that cannot be read, does not parse, is larger than MAX_RECORD_BYTES (checked before
reading), or whose content has the wrong shape or impossible values raises BadRecord naming the
file. Its owner treats it as absent (a full walk, no dead links, due now) and the run reports it
once, with the code `bad_record`; the run then writes a good record in its place.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

# The largest record read: a site's records are a few KB (a .gone.json of 10,000 URLs is about
# 1.5 MB). Anything bigger is not ours, or was damaged, and would cost time and memory to read.
MAX_RECORD_BYTES = 4 * 1024 * 1024
BAD_RECORD = "bad_record"  # the code of a record that was ignored, in the summary and report
# A time later than the clock by more than this is impossible in a record of past runs (a
# little is allowed for a clock set back by NTP).
FUTURE_SLACK = timedelta(minutes=10)


class BadRecord(ValueError):
    """A run record that cannot be used; its owner starts from nothing."""

    def __init__(self, path: Path, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


def read_record(path: Path, max_bytes: int = MAX_RECORD_BYTES) -> Any:
    """The parsed JSON of a record, or None when there is no record file. Raises BadRecord."""
    try:
        # Non-blocking: a FIFO in a record's place must not hang the run.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise BadRecord(path, f"cannot read it: {error.strerror or error}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise BadRecord(path, "not a regular file")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > max_bytes:
            raise BadRecord(path, f"{info.st_size} bytes, larger than the {max_bytes} a record "
                                  "may have")
        try:
            data = handle.read(max_bytes + 1)  # a file still growing stops here all the same
        except OSError as error:
            raise BadRecord(path, f"cannot read it: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise BadRecord(path, f"larger than the {max_bytes} bytes a record may have")
    try:
        record = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, nested too deep
        raise BadRecord(path, f"not a JSON record ({type(error).__name__}: "
                              f"{str(error)[:120]})") from None
    if record is None:  # None means "no record" to the caller; a record is never null
        raise BadRecord(path, "the record should be an object, not null")
    return record


def expect(path: Path, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    """`value` when it has the type the record needs, else BadRecord naming `what`."""
    # bool is an int to Python, never to a record.
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _tuple(kind)):
        raise BadRecord(path, f"{what} should be {_names(kind)}, not {_shown(value)}")
    return value


def expect_time(path: Path, value: Any, what: str, clock: datetime | None = None) -> datetime:
    """A local time written by a run (ISO 8601, no zone, not in the future), else BadRecord."""
    text = expect(path, value, str, what)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise BadRecord(path, f"{what} is not a time: {_shown(text)}") from None
    if when.tzinfo is not None:
        raise BadRecord(path, f"{what} has a time zone ({text}); records hold local time")
    if when > (clock or datetime.now()) + FUTURE_SLACK:
        raise BadRecord(path, f"{what} is in the future ({text})")
    return when


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _names(kind: type | tuple[type, ...]) -> str:
    words = {dict: "an object", list: "a list", str: "a string", int: "a whole number"}
    return " or ".join(words.get(k, k.__name__) for k in _tuple(kind))


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."
