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
    process is killed, and reaches the disk with the kernel's writeback or the next sync (the
    crawl's archive files and images: see WritePipeline.close_spider)."""
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
