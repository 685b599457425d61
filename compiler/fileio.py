"""Writing output files so that a failure or an interrupt never leaves half a file."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType


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


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write to a temporary file beside the target, then rename it into place.

    Readers see the old file or the whole new one, never a part; on an error or an
    interrupt (SIGINT, SIGTERM) the temporary file is removed. Only SIGKILL or a crash
    of the machine can leave it (`.NAME.*.tmp`), and even then the target is whole.
    """
    target = Path(path)
    with _term_as_exit():
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
        try:
            with os.fdopen(fd, "wb") as f:  # text as UTF-8, line ends as they are; bytes (xlsx) as given
                f.write(text.encode("utf-8") if isinstance(text, str) else text)
                f.flush()
                os.fsync(f.fileno())  # the data is on disk before the name points at it
            # mkstemp creates 0600; give the file the permissions a plain open() would.
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
