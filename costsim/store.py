"""Writing results without ever losing a user's files: temporary folder, then an atomic rename.

- A target folder that exists is never replaced without ``force``; even with ``force`` only a
  folder costsim wrote (it holds a costsim manifest) or an empty one is replaced.
- Everything is written into a hidden sibling ``.<name>.tmp-*`` and renamed into place, so an
  interrupted or failed write leaves the previous results intact.
- A full disk or a permission problem is reported as an OutputError naming the path.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from costsim.errors import OutputError

MANIFEST = "manifest.json"
MARKERS = (MANIFEST, "index.html")


def is_costsim_folder(path: Path) -> bool:
    """True for a folder costsim wrote (results or report), judged by its manifest."""
    for marker in MARKERS:
        f = path / marker
        if f.is_file():
            if marker == "index.html":
                return (path / "report.json").is_file()
            try:
                return "costsim_version" in json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return False
    return False


def check_target(target: str | Path, force: bool) -> Path:
    """Refuse early (before any work) a target that would be overwritten unasked."""
    target = Path(target)
    if target.exists():
        if not target.is_dir():
            raise OutputError(f"{target}: exists and is not a folder; expected a new folder name for the results")
        if not force:
            raise OutputError(f"{target}: folder exists; expected a new folder, or --force to replace it "
                              "(the old results stay intact until the new ones are complete)")
        if any(target.iterdir()) and not is_costsim_folder(target):
            raise OutputError(f"{target}: folder exists and was not written by costsim; refusing to replace it "
                              "even with --force. Choose another -o folder.")
    return target


@contextmanager
def atomic_folder(target: str | Path, force: bool = False):
    """Yield a temporary folder; on success it replaces ``target`` atomically."""
    target = check_target(target, force)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    except OSError as exc:
        raise OutputError(f"{parent}: cannot create the output folder: {exc.strerror}") from None
    try:
        yield tmp
        _fsync_dir(tmp)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
            os.rmdir(old)
            os.rename(target, old)
            os.rename(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if exc.errno == errno.ENOSPC:
            raise OutputError(f"{target}: disk full while writing; previous results (if any) are untouched") from None
        raise OutputError(f"{target}: could not write results: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _fsync_dir(folder: Path) -> None:
    for f in folder.rglob("*"):
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())


def atomic_write(path: str | Path, write: Callable[[Path], None], force: bool = False) -> Path:
    """Write one file through a temporary sibling and rename it into place."""
    path = Path(path)
    if path.exists() and not force:
        raise OutputError(f"{path}: file exists; expected a new file name, or --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise OutputError(f"{path}: disk full while writing") from None
        raise OutputError(f"{path}: could not write: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
