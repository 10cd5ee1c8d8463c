"""Every file the tool writes or reads from outside goes through here.

Writes are atomic: a temp file in the same folder, then a rename, so a reader never sees half a
file and an interrupted write leaves at most a temp file. `create_new` is the exclusive form: of
many processes creating one name at once, exactly one succeeds. Reads of outside files are capped
and refuse anything but a regular file. Filesystem failures a user can cause (a folder that cannot
be read, a name too long for the filesystem, a path too deep to resolve) become one-line
AdvisorErrors through `filesystem_error`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from pathlib import Path

from .errors import AdvisorError

# A save that takes longer than this was interrupted: its temp file is debris.
STALE_TEMP_SECONDS = 3600
MAX_READ_BYTES = 1024 * 1024
# The temp file's name carries the start of the target's, so debris says what it was; short enough
# that a target name at the filesystem's limit still leaves room for the temp name.
_TEMP_NAME_CHARS = 40


def filesystem_error(exc: BaseException, what: str) -> AdvisorError:
    """One line for an OSError (or a path too deep for Python to resolve) met while doing `what`."""
    if isinstance(exc, RecursionError):
        return AdvisorError(f"{what}: the path is too deep to resolve")
    if isinstance(exc, OSError):
        if exc.errno == errno.ENAMETOOLONG:
            return AdvisorError(f"{what}: the name is too long for the filesystem")
        if exc.errno in (errno.EACCES, errno.EPERM):
            return AdvisorError(f"{what}: permission denied")
        reason = exc.strerror or type(exc).__name__
        return AdvisorError(f"{what}: {reason}")
    return AdvisorError(f"{what}: {type(exc).__name__}")


def not_saved(exc: BaseException, home: Path, *, shown: bool = False) -> AdvisorError:
    """Why a result could not be kept in the data folder `home`, and what to do about it; `shown`: the
    result is on screen all the same (a measurement just made)."""
    reason = filesystem_error(exc, f"could not save to {shown_path(home)}")
    still = "; the result is shown but not stored" if shown else ""
    return AdvisorError(f"{reason}{still}: set COLAB_ADVISOR_HOME to a writable folder")


def not_written(exc: BaseException, path: Path, flag: str) -> AdvisorError:
    """Why the file named by `flag` (`--output`) could not be written."""
    return filesystem_error(exc, f"{flag} {shown_path(path)}: could not write it")


def shown_path(path: Path | str, limit: int = 80) -> str:
    """A path fit for a one-line message: control characters escaped, the middle of a long one cut."""
    shown = repr(str(path))[1:-1]
    return shown if len(shown) <= limit else f"{shown[:24]}...{shown[-(limit - 27):]}"


def _write_temp(path: Path, data: bytes) -> str:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:_TEMP_NAME_CHARS]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def make_folders(folder: Path) -> None:
    """`folder` and any missing parents, made one by one: a path however deep never recurses."""
    missing = []
    current = Path(folder)
    while not current.is_dir():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for each in reversed(missing):
        each.mkdir(exist_ok=True)


def atomic_write(path: Path, text: str) -> None:
    """Write to a temp file in the same folder, then rename: readers never see half a file."""
    path = Path(path)
    make_folders(path.parent)
    tmp = _write_temp(path, text.encode("utf-8"))
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def create_new(path: Path, text: str) -> bool:
    """Write `path` whole, only if nothing is there yet: True if this call created it, False if it existed.

    The temp file is linked to its name, which fails when the name exists: of any number of processes
    creating the same file at once, exactly one gets True, and none ever sees half a file.
    """
    path = Path(path)
    make_folders(path.parent)
    tmp = _write_temp(path, text.encode("utf-8"))
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError as exc:
            # A filesystem without hard links: an exclusive open is the next best (still one winner,
            # but a reader may for a moment see a short file).
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EINVAL, errno.ENOSYS):
                raise
            return _create_exclusive_open(path, text)
        return True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _create_exclusive_open(path: Path, text: str) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(text.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
    return True


def remove_stale_temp_files(folder: Path, now: float | None = None) -> list[str]:
    """Delete temp files of saves that never finished (older than an hour); the names removed."""
    now = time.time() if now is None else now
    removed = []
    with contextlib.suppress(OSError), os.scandir(folder) as listing:
        for item in listing:
            if not (item.name.startswith(".") and item.name.endswith(".tmp")):
                continue
            with contextlib.suppress(OSError):
                info = item.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_TEMP_SECONDS:
                    os.unlink(item.path)
                    removed.append(item.name)
    return removed


def read_regular_file(path: Path, limit: int = MAX_READ_BYTES, what: str = "a result") -> bytes:
    """A regular file's bytes, at most `limit`; a folder, FIFO or device is refused without waiting on it."""
    # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise AdvisorError("not a regular file (a folder, FIFO or device): refused")
        if info.st_size > limit:
            raise AdvisorError(f"too large for {what} ({info.st_size:,} bytes): refused")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > limit:
        raise AdvisorError(f"too large for {what}: refused")
    return b"".join(chunks)


def check_new_file(path: Path, flag: str, suffixes: tuple[str, ...] = ()) -> None:
    """Refuse a file name the tool is asked to write (`--output`, `--plot`) before any work is done.

    A folder, a missing or unwritable folder, a name the filesystem cannot hold, a wrong suffix:
    each one line, naming `flag`.
    """
    path = Path(path)
    where = f"{flag} {shown_path(path)}"
    if suffixes and path.suffix.lower() not in suffixes:
        raise AdvisorError(f"{where}: give a file ending in {', '.join(suffixes)}")
    try:
        max_name = os.pathconf(path.parent if str(path.parent) else ".", "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        max_name = 255
    if len(os.fsencode(path.name)) > max_name:
        raise AdvisorError(f"{where}: the file name is too long for the filesystem (at most {max_name} bytes)")
    try:
        if path.is_dir():
            raise AdvisorError(f"{where} is a folder; give a file name")
        if path.exists() and not path.is_file():  # a device, a pipe, a socket: replacing it would destroy it
            raise AdvisorError(f"{where} is not a regular file (a device or a pipe); give a file name")
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise AdvisorError(f"{where}: folder {shown_path(parent)} does not exist")
        if not os.access(parent, os.W_OK):
            raise AdvisorError(f"{where}: folder {shown_path(parent)} is not writable")
    except (OSError, RecursionError, ValueError) as exc:
        if isinstance(exc, ValueError):  # a NUL byte in the name
            raise AdvisorError(f"{where}: not a file name") from None
        raise filesystem_error(exc, where) from None


def expand_home(text: str) -> Path:
    """The data folder named by COLAB_ADVISOR_HOME: `~` and `~user` mean a home, not a folder named `~`."""
    return Path(os.path.expanduser(text))
