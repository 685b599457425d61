"""Reading inputs and writing outputs so that nothing a user has is lost, and nothing hangs.

Reads: only regular files, opened without blocking and read up to a size limit, so a
FIFO, /dev/zero or a gigabyte file is refused at once instead of hanging or filling
memory. Writes: to a temporary file beside the target, then renamed into place, so a
failure or an interrupt never leaves half a file; never onto an input, a FIFO, a device
or a directory; through a symbolic link to its target (the link stays a link); keeping
the target's permissions and, where it has other hard links, its identity.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType

from compiler.messages import FILE_KINDS, FILE_MESSAGES, Text

Signature = tuple[int, int, int]  # inode, size, modification time (ns): "is it still the file we read?"


class FileRefused(Exception):
    """A path pool will not read or write, with the reason in both languages."""

    def __init__(self, path: str, key: str, **args: str | Text) -> None:
        self.path, self.key, self.args_ = path, key, args
        super().__init__(self.render("en"))

    def reason(self) -> Text:
        """The reason alone, in both languages (for a diagnostic that shows the path itself)."""
        return Text(*(FILE_MESSAGES[self.key].render(lang, self.args_) for lang in ("zh", "en")))

    def render(self, lang: str) -> str:
        return f"{self.path}: {FILE_MESSAGES[self.key].render(lang, self.args_)}"


def _kind(mode: int) -> Text | None:
    """None for a regular file, else which kind of special file."""
    if stat.S_ISREG(mode):
        return None
    for test, kind in (
        (stat.S_ISFIFO, "fifo"),
        (stat.S_ISCHR, "char"),
        (stat.S_ISBLK, "block"),
        (stat.S_ISDIR, "dir"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return FILE_KINDS[kind]
    return FILE_KINDS["other"]


def read_limited(path: str | Path, limit: int, what: Text) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; FileRefused or OSError otherwise.
    `what` names what the file should be, for the too-large message (一份政策 / a policy)."""
    shown = str(path)
    kind = _kind(os.stat(path).st_mode)  # stat never blocks, open() on a FIFO would
    if kind is not None:
        raise FileRefused(shown, "not-regular", kind=kind)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        kind = _kind(os.fstat(f.fileno()).st_mode)  # replaced between stat and open
        if kind is not None:
            raise FileRefused(shown, "not-regular", kind=kind)
        data = f.read(limit + 1)
    if len(data) > limit:
        size = max(os.stat(path).st_size, len(data))
        raise FileRefused(shown, "too-large", size=f"{size / 2**20:.1f}", limit=str(limit // 2**20), what=what)
    return data


def signature(path: str | Path) -> Signature | None:
    """What identifies the file's current content cheaply; None if it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _term_as_exit() -> Iterator[None]:
    """SIGTERM (kill's default) ends Python without unwinding; make it an exception while
    writing, so the temporary file is removed. SIGINT is KeyboardInterrupt already."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def output_target(path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """Where writing `path` lands: a symlink's final target. FileRefused for an empty
    name, a target that is not a regular file, or one of the command's inputs."""
    shown = str(path)
    if shown == "":
        raise FileRefused("-o", "output-empty")
    target = Path(os.path.realpath(path))
    if target.exists():
        kind = _kind(os.stat(target).st_mode)
        if kind is not None:
            raise FileRefused(shown, "not-regular", kind=kind)
        for given in inputs:
            with contextlib.suppress(OSError):
                if os.path.samefile(target, given):
                    raise FileRefused(shown, "output-is-input", input=str(given))
    return target


def write_atomic(
    path: str | Path, text: str | bytes, inputs: Iterable[str | Path] = (), expect: Signature | None = None
) -> None:
    """Write `text` (UTF-8; bytes, such as an xlsx workbook, as given) to `path` whole or not at all.

    `inputs` are files the command read: writing over one is refused. `expect` is the
    signature of the file when it was read (pool fmt -w): if it has changed since, the
    write is refused rather than discard an edit saved in between. An existing file
    keeps its permission bits (and owner, where allowed); one with other hard links is
    rewritten in place after the new text is safely on disk, so every link sees it.
    Readers see the old file or the whole new one, never a part (except, for a file with
    several hard links, during the final copy); on an error or an interrupt (SIGINT,
    SIGTERM) the temporary file is removed. Only SIGKILL or a crash of the machine can
    leave it (`.NAME.*.tmp`), and even then the target is whole.
    """
    target = output_target(path, inputs)
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    data = text.encode("utf-8") if isinstance(text, str) else text
    with _term_as_exit():
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())  # the data is on disk before the name points at it
            if existing is not None:
                os.chmod(tmp, stat.S_IMODE(existing.st_mode))
                with contextlib.suppress(OSError):
                    os.chown(tmp, existing.st_uid, existing.st_gid)
            else:  # mkstemp creates 0600; give the file the permissions a plain open() would.
                os.chmod(tmp, 0o666 & ~_umask())
            if expect is not None and signature(target) != expect:
                raise FileRefused(str(path), "changed-meanwhile")
            if existing is not None and existing.st_nlink > 1:
                with open(target, "r+b") as out:  # the same inode: every hard link sees the new text
                    out.write(data)
                    out.truncate()
                    out.flush()
                    os.fsync(out.fileno())
                Path(tmp).unlink()
            else:
                os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
