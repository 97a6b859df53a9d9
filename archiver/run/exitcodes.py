"""The exit codes of every command (README "Output, reports and exit codes"), what each means,
and how a run whose parts ended differently gets one."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    CONFIG = 2
    LOCKED = 3
    INTERRUPTED = 130

    @property
    def verdict(self) -> str:
        """The run's verdict in words, as the summary's last line gives it."""
        return _VERDICTS[self]


EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_LOCKED, EXIT_INTERRUPTED = ExitCode

_VERDICTS = {ExitCode.OK: "OK", ExitCode.FAILED: "PARTIAL FAILURE",
             ExitCode.CONFIG: "CONFIG ERROR", ExitCode.LOCKED: "LOCKED",
             ExitCode.INTERRUPTED: "INTERRUPTED"}

# What each code means for every command; 0 and 1 are each command's own (see `--help`).
MEANINGS = {
    ExitCode.CONFIG: "usage or configuration error (unknown site, broken config, bad option "
                     "value)",
    ExitCode.LOCKED: "another run holds the lock of a site: that site was not crawled (the "
                     "other sites were)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C): what finished is kept",
}

# Worst first: the process's exit code is the first of these that any site gives, so a config
# error (nothing runs until the file is fixed) is never hidden by another site's failure.
PRECEDENCE = (ExitCode.INTERRUPTED, ExitCode.CONFIG, ExitCode.LOCKED, ExitCode.FAILED)


def combined_exit_code(codes: Iterable[int]) -> ExitCode:
    """The exit code of a run whose parts ended differently: the worst of them."""
    found = set(codes)
    return next((code for code in PRECEDENCE if code in found), ExitCode.OK)
