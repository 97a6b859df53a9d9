"""Writing into the archive safely: atomic files with the user's umask, nothing followed out.

Every file is created with mode 0666 minus the umask (0644 under the usual 022), like any other
program's files, and never through a symbolic link: temporary and lock files are opened with
O_NOFOLLOW, and a site folder, its `images` folder or its lock that is a link pointing out of
the archive is refused before anything is crawled.
"""

from __future__ import annotations

import errno
import os
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import IO

from archiver.archive.layout import IMAGES, LOCK_NAME, site_dir

# Created files: read-write for everyone, narrowed by the umask (the kernel applies it).
_FILE_MODE = 0o666
_CREATE = os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC


class OutputProblem(OSError):
    """The archive folder cannot be written safely: not a folder, read-only, no permission, or
    a symbolic link out of the archive. The message is one line naming the path."""


def _temporary(folder: Path, name: str) -> tuple[int, Path]:
    """A new `.<name>.<random>.part` file in folder, opened for writing without following a
    link (a leftover is removed by the next run that takes the site's lock)."""
    while True:
        tmp = folder / f".{name}.{secrets.token_hex(4)}.part"
        try:
            return os.open(tmp, _CREATE, _FILE_MODE), tmp
        except FileExistsError:
            continue


def write_atomic(path: Path, data: bytes | str, *, durable: bool = True) -> None:
    """Write via a temporary file in the same folder and rename it into place, so a reader (or a
    crash) never sees a partial file. The rename replaces a link at `path`, never its target.
    durable=False skips the fsync: the file is still whole for every reader and when the
    process is killed, and reaches the disk with the kernel's writeback or when its writer
    syncs what it wrote (the crawl's archive files and images: see WrittenFiles)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = _temporary(path.parent, path.name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def reserve_new(path: Path) -> Path:
    """A file name of its own for one run: `path` itself, else `<stem>-2<suffix>`, `-3`, ...,
    created empty (O_EXCL) so that a second run naming the same second takes the next one. The
    caller then replaces the empty file with write_atomic."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        candidate = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                             _FILE_MODE))
            return candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"no free name beside {path}")


# fsyncs issued side by side: the file system commits them together (one journal commit for
# many files), so 4,000 files take about 0.3 s here instead of 2 s one after the other.
_SYNC_THREADS = 16
_SYNC_BATCH = 1000  # files handed to the threads at a time: the memory of a batch, not a crawl
# A file's timestamp comes from the kernel's coarse clock, which may lag time.time_ns() by a
# few milliseconds: files changed this long before the crawl began count as its own.
_CLOCK_SLACK_NS = 1_000_000_000


class WrittenFiles:
    """The files a crawl wrote with `durable=False`, made durable together when it closes:
    every file changed since the crawl began in each folder it wrote into, then each of those
    folders (the folder entry of the rename), is fsynced. Only these: syncing the whole machine
    (os.sync) would wait for every other program's writes. The folders are all it keeps (a
    list of every file would cost a crawl of 20,000 articles 13 MB)."""

    def __init__(self) -> None:
        self.since = time.time_ns() - _CLOCK_SLACK_NS
        self.folders: set[Path] = set()

    def add(self, path: Path) -> None:
        self.folders.add(path.parent)

    def sync(self) -> list[str]:
        """fsync the files, then the folders; returns what could not be synced, and why."""
        folders, self.folders = sorted(self.folders), set()
        problems: list[str] = []
        changed = (Path(entry.path) for folder in folders
                   for entry in changed_files(folder, self.since))
        with ThreadPoolExecutor(_SYNC_THREADS, thread_name_prefix="fsync") as pool:
            while batch := list(islice(changed, _SYNC_BATCH)):
                problems += [p for p in pool.map(_fsync, batch) if p]
        return problems + [p for p in map(_fsync, folders) if p]


def changed_files(folder: Path, since_ns: int) -> Iterator[os.DirEntry]:
    """The regular files of a folder changed at or after `since_ns` (hidden ones, the lock,
    run records and temporary files, are left out: they are written with their own fsync or
    are not the archive's)."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    if not entry.name.startswith(".") and entry.is_file(follow_symlinks=False) \
                            and entry.stat(follow_symlinks=False).st_mtime_ns >= since_ns:
                        yield entry
                except OSError:
                    continue  # removed meanwhile
    except OSError:
        return  # the folder went away: nothing of it to keep


def _fsync(path: Path) -> str | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None  # replaced or removed since (by a later write, or `check`): nothing to keep
    except OSError as error:
        return f"cannot sync {path}: {error.strerror or error}"
    try:
        os.fsync(fd)
    except OSError as error:
        return f"cannot sync {path}: {error.strerror or error}"
    finally:
        os.close(fd)
    return None


def _linked_lock(path: Path) -> OutputProblem:
    return OutputProblem(f"{path} is a symbolic link; refusing to follow it (remove it: the "
                         "archiver creates its own)")


def open_lock_file(path: Path) -> IO[bytes]:
    """The lock file, opened read-write (created when missing) without following a link.
    Unbuffered: nothing is left to flush (and fail) at close on a full disk."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, _FILE_MODE)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _linked_lock(path) from None
        raise OutputProblem(f"cannot open {path}: {error.strerror}") from None
    return os.fdopen(fd, "r+b", buffering=0)


def _inside(path: Path, root: Path) -> bool:
    return path.resolve() == root or root in path.resolve().parents


def _refuse_link_out(path: Path, root: Path) -> None:
    if path.is_symlink() and not _inside(path, root):
        raise OutputProblem(f"{path} is a symbolic link to {os.readlink(path)}, outside "
                            f"{root}; refusing to write through it")


def _make_folder(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputProblem(f"{path} is not a folder") from None
    except OSError as error:
        raise OutputProblem(f"cannot create the folder {path}: {error.strerror}") from None


def prepare_site_folder(output: Path | str, site: str) -> Path:
    """The site's folder, made ready and checked before a crawl starts: raises OutputProblem
    when the archive cannot be written there, or only through a link out of it."""
    root = Path(output)
    if root.exists() and not root.is_dir():
        raise OutputProblem(f"the archive folder {root} is not a folder")
    _make_folder(root)
    folder = site_dir(root, site)
    _refuse_link_out(folder, root.resolve())
    _make_folder(folder)
    images = folder / IMAGES
    _refuse_link_out(images, folder.resolve())
    if images.exists():
        _make_folder(images)  # only to refuse a file of that name; it is made when needed
    lock = folder / LOCK_NAME
    if lock.is_symlink():
        raise _linked_lock(lock)
    try:  # the one sure test of "can write here", whoever runs it and however it is mounted
        fd, probe = _temporary(folder, "write-test")
        os.close(fd)
        probe.unlink(missing_ok=True)  # a lock holder may have swept it as a partial file
    except OSError as error:
        raise OutputProblem(f"cannot write in {folder}: {error.strerror}") from None
    return folder
