"""One run per site folder at a time, whatever started it (cron overlap, `scrapy crawl`, a
Scrapyd job), with stale locks taken over.

The lock is an flock on <output>/<site>/.archiver.lock: the kernel releases it when the holder
dies, however it dies (kill -9 included), so a lock left by a killed run is simply free again.
The file also records who holds it, for the message the second run prints.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import socket
import stat
import time
from pathlib import Path

from archiver.archive.fs import open_lock_file, prepare_site_folder
from archiver.archive.layout import FILES, IMAGES, LOCK_NAME
from archiver.run.records import BadRecord, read_record


class SiteLocked(RuntimeError):
    """Another process is archiving this site into this folder."""


class SiteLock:
    def __init__(self, folder: Path, site: str, command: str = "archiver"):
        self.path = Path(folder) / site / LOCK_NAME
        self.site = site
        self.command = command[:300]
        self.handle = None
        self.stale: dict | None = None  # the dead holder whose lock was taken over
        self.removed = 0  # partial files of a killed run, removed once the lock was taken

    def _holder(self) -> dict:
        """Who holds the lock, as the holder wrote it; {} for anything else in the file (it
        only names the holder in a message: a damaged one loses nothing)."""
        try:
            holder = read_record(self.path)
        except BadRecord:
            return {}
        return holder if isinstance(holder, dict) else {}

    def acquire(self) -> SiteLock:
        # Raises OutputProblem (one line) when the folder cannot be written, or only through a
        # link out of the archive; the lock file itself is never followed when it is a link.
        prepare_site_folder(self.path.parent.parent, self.site)
        handle = open_lock_file(self.path)  # held until release
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            holder = self._holder()
            by = (f"process {holder['pid']} on {holder.get('host', 'this host')} "
                  f"({holder.get('command', 'archiver')}, started {holder.get('started')})"
                  if holder.get("pid") else
                  f"a program that is not an archiver run (it locks {self.path} but left no "
                  "details in it; `fuser` names it)")
            raise SiteLocked(f"{self.site} is being archived into {self.path.parent.parent} by "
                             f"{by}; exiting without crawling it") from None
        previous = self._holder()
        if previous.get("pid"):
            self.stale = previous  # it held the file but not the flock: it died
        self.handle = handle
        try:
            handle.truncate(0)
            handle.write(json.dumps({
                "pid": os.getpid(), "host": socket.gethostname(),
                "command": self.command,
                "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            }).encode("utf-8"))
        except OSError:
            pass  # a full disk: the flock holds all the same, only the holder's name is missing
        # Only now, with the lock held, is no live writer behind a leftover temporary file.
        self.removed = remove_partial_files(self.path.parent, after_crash=bool(self.stale))
        return self

    def release(self) -> None:
        if self.handle is not None:
            self.handle.truncate(0)
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


# The only names the archiver gives files: a site folder's `<md5>.md`, `images/<sha1>.<ext>`,
# `files/<sha1>.<ext>`, and write_atomic's temporary `.<name>.<random>.part` beside them. The
# clean-up after a crash touches nothing else (a user's `.gitkeep` or `notes.txt` stays).
_OURS = {"": re.compile(r"^[0-9a-f]{32}\.md$"),
         f"{IMAGES}/": re.compile(r"^[0-9a-f]{40}(?:\.[A-Za-z0-9]{1,8})?$"),
         f"{FILES}/": re.compile(r"^[0-9a-f]{40}(?:\.[A-Za-z0-9]{1,8})?$")}
_PART = re.compile(r"^\..+\.part$")


def remove_partial_files(folder: Path, after_crash: bool = False) -> int:
    """Delete what a run that died left half-done, while the site's lock is held (so no live
    writer owns it): write_atomic's temporary files (`.<name>.<x>.part`) always; and when the
    run died holding the lock (kill -9, a crash, a power cut), archive files, images and
    attachments of zero bytes. Those are written without an fsync each (one sync when a crawl
    ends, see WritePipeline), so a power cut can leave them empty, and an empty file must not
    count as archived: the next run fetches them again. Only files named as the archiver names
    them are touched."""
    removed = 0
    if not folder.is_dir():
        return 0
    for sub, ours in _OURS.items():
        leftovers = [f for f in folder.glob(f"{sub}.*.part") if _PART.match(f.name)]
        if after_crash:
            leftovers += [f for f in folder.glob(f"{sub}*") if ours.match(f.name)
                          and _empty_file(f)]
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed


def _empty_file(path: Path) -> bool:
    try:
        info = path.lstat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size == 0


def live_holder(folder: Path, site: str) -> dict | None:
    """Who holds the site's lock, when a live process holds it (the holder's details, perhaps
    empty); None when the lock is free. For `dispatch`, deciding whether a site of a lost node
    can run elsewhere: a crawl that outlived its Scrapyd still holds the lock, a killed one
    does not. Probes with a shared lock on a read-only handle (no file is created, nothing is
    written, and NFS grants it without write access); a crawl starting in that instant finds
    the site locked and exits 3, which dispatch treats as any job's outcome."""
    path = Path(folder) / site / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None  # no lock file (never crawled), or not one we can open: nobody to wait for
    with os.fdopen(fd, "rb", buffering=0) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                return json.loads(handle.read().decode("utf-8") or "{}")
            except ValueError:
                return {}
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None
