"""Output files of the ``fsw`` commands, written so that an operating-system
error (read-only mount, full disk, missing folder, a path under a file) is
one clear :class:`~fsw.errors.UserError` and never leaves a partial file
that looks complete, nor harms what was already there.

* :func:`atomic_write` writes a file to a temporary sibling, flushes it to
  disk, then renames it over the target: the target is the old file or the
  whole new one, never a prefix. A symlink at the target is replaced, not
  written through.
* :func:`output_dir` makes (or checks) a folder for several outputs.
* :func:`os_error` turns an ``OSError`` into the one-line message.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from fsw.errors import UserError

_WHY = {
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder",
    errno.EEXIST: "it exists",
    errno.ENAMETOOLONG: "name too long",
    errno.ELOOP: "too many symbolic links",
    errno.EFBIG: "file too large",
}


def os_error(exc: OSError, action: str = "cannot write", path: Any = None) -> UserError:
    """A UserError of one line: what failed, on which path, why."""
    where = path if path is not None else (exc.filename or "")
    why = _WHY.get(exc.errno or 0, exc.strerror or str(exc))
    return UserError(f"{action} {where}: {why}")


def _check_parent(path: Path) -> None:
    parent = path.parent
    for p in (parent, *parent.parents):
        if p.exists() or p.is_symlink():
            if not p.is_dir():
                raise UserError(f"cannot write {path}: {p} is a file, not a folder")
            break


def output_dir(path: str | os.PathLike[str]) -> Path:
    """The folder ``path``, made with its parents if missing; UserError if
    it is a file, lies under a file or cannot be made or written."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise UserError(f"cannot write into {p}: it is a file, not a folder")
    _check_parent(p / "x")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, "cannot make the folder", p) from None
    if not os.access(p, os.W_OK | os.X_OK):
        raise UserError(f"cannot write into {p}: permission denied")
    return p


def output_file(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can be a file (its parent folder is made)."""
    p = Path(path)
    if p.is_dir():
        raise UserError(f"cannot write {p}: it is a folder")
    _check_parent(p)
    output_dir(p.parent if str(p.parent) else ".")
    return p


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kw: Any) -> Iterator[IO[Any]]:
    """A file object on a temporary sibling of ``path``; on a clean exit it is
    flushed, fsynced and renamed to ``path`` (mode 0644 unless it existed);
    on any error it is removed and ``path`` is left as it was. OS errors
    become a one-line UserError."""
    p = output_file(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".part", dir=p.parent)
    except OSError as exc:
        raise os_error(exc, "cannot write", p) from None
    ok = False
    try:
        with os.fdopen(fd, mode, **kw) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        try:
            mode_bits = os.stat(p).st_mode & 0o777 if p.exists() and not p.is_symlink() else 0o644
        except OSError:
            mode_bits = 0o644
        os.chmod(tmp, mode_bits)
        os.replace(tmp, p)
        ok = True
    except OSError as exc:
        raise os_error(exc, "cannot write", p) from None
    finally:
        if not ok:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def atomic_write(path: str | os.PathLike[str], data: bytes | str | Callable[[IO[Any]], object],
                 *, binary: bool | None = None) -> Path:
    """Write ``data`` (bytes, text, or a function given the open file) to
    ``path`` atomically; see :func:`atomic_open`."""
    if binary is None:
        binary = isinstance(data, bytes | bytearray)
    kw = {} if binary else {"encoding": "utf-8", "newline": ""}
    with atomic_open(path, "wb" if binary else "w", **kw) as f:
        if callable(data):
            data(f)
        else:
            f.write(data)
    return Path(path)
