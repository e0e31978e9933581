"""Writing results without ever losing a user's files: temporary folder, then an atomic rename.

- A target folder that exists is never replaced without ``force``; even with ``force`` only a
  folder costsim wrote (it holds a costsim manifest) or an empty one is replaced, and what a user
  added to it is kept: an entry of the old folder that the new one does not have (``notes.txt``,
  a folder of the user's) is carried into the new folder (hard-linked where possible, else
  copied) before the swap. :func:`kept_entries` tells which entries a write carried over.
- Everything is written into a hidden sibling ``.<name>.tmp-<pid>-*`` and swapped into place in
  one atomic step, so an interrupted or failed write leaves the previous results intact; what a
  killed process leaves behind is removed by the next write to the same target.
- A full disk or a permission problem is reported as an OutputError naming the path.
- SIGTERM during a write is handled like Ctrl-C (the temporary folder is removed), where no other
  handler was installed; the CLI turns SIGTERM into that interruption from its first line and
  exits 143 (Ctrl-C: 130).

Observers (:func:`observe_writes`) are told each stage of a write as it starts
(``"summary.csv"``, ``"samples.npz"``, ``"manifest.json"``, then ``"swap"``): tests use them to
interrupt a write at a known point instead of by timing.
"""

from __future__ import annotations

import ctypes
import errno
import glob
import json
import os
import secrets
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from costsim.errors import OutputError

MANIFEST = "manifest.json"
MARKERS = (MANIFEST, "index.html")
RESULTS_FILES = ("summary.csv", "samples.npz", MANIFEST)  # what `run -o` writes: never a user's
REPORT_ENTRIES = ("index.html", "report.md", "report.json", "figures", "data", ".drawing")  # `report`, `watch`
# every name costsim writes in a folder of its own, of either kind: a results folder replaced by a
# report (or the reverse) drops the other kind's files, they are never a user's
COSTSIM_ENTRIES = frozenset(RESULTS_FILES + REPORT_ENTRIES)
SWAPS = ("auto", "rename")  # auto: renameat2 exchange where available, else two renames

_OBSERVERS: list[Callable[[str, Path], None]] = []


@contextmanager
def observe_writes(observer: Callable[[str, Path], None]) -> Iterator[None]:
    """Call ``observer(stage, path)`` at each stage of every write while the context is open."""
    _OBSERVERS.append(observer)
    try:
        yield
    finally:
        _OBSERVERS.remove(observer)


def stage(name: str, path: Path) -> None:
    """Tell the observers that the write of ``name`` (at ``path``) starts now."""
    for observer in tuple(_OBSERVERS):  # a copy: an observer may leave while called
        observer(name, path)


def _terminate(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises KeyboardInterrupt (so cleanup runs), unless someone else handles it."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return
    signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _costsim_manifest(path: Path) -> bool:
    """Whether ``path`` is a manifest costsim wrote (a JSON object with ``costsim_version``)."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and "costsim_version" in manifest


def is_costsim_folder(path: Path) -> bool:
    """True for a folder costsim wrote (results or report), judged by its manifest."""
    for marker in MARKERS:
        if (path / marker).is_file():
            # a report: its manifest must be costsim's, not any report.json
            return _costsim_manifest(path / ("report.json" if marker == "index.html" else marker))
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


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    global _renameat2
    if _renameat2 is None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            _renameat2 = libc.renameat2
            _renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        except (OSError, AttributeError):
            _renameat2 = False
    if not _renameat2:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # a file system without exchange
        return False
    raise OSError(err, os.strerror(err), str(b))


_renameat2 = None
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _remove_stale(parent: Path, name: str) -> None:
    """Clean up after a costsim process that was killed while writing ``name``.

    Its ``.tmp-`` folder is removed. An ``.old-`` folder (killed between the two renames of the
    fallback swap) holds the previous results: it is put back if ``name`` is missing.
    """
    for prefix in (f".{name}.tmp-", f".{name}.old-"):
        for path in sorted(parent.glob(glob.escape(prefix) + "*")):
            pid = path.name[len(prefix):].split("-", 1)[0]
            if not pid.isdigit():
                continue
            try:
                os.kill(int(pid), 0)
                continue  # the writer is still at work
            except ProcessLookupError:
                pass
            except OSError:  # alive, but another user's
                continue
            if prefix.endswith(".old-") and not (parent / name).exists():
                os.rename(path, parent / name)
            elif path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


_KEPT: list[tuple[Path, tuple[str, ...]]] = []  # (target, entries carried over) of the last write


def kept_entries(target: str | Path) -> tuple[str, ...]:
    """Names of the entries the last write to ``target`` in this process carried over from the
    folder it replaced (files and folders costsim had not written there); ``()`` if none."""
    target = Path(target)
    for where, names in reversed(_KEPT):
        if where == target:
            return names
    return ()


def _is_costsim_temporary(name: str) -> bool:
    """A page's half-written replacement (``.index.html.tmp``, written then renamed by ``watch``)."""
    return name.startswith(".") and name.endswith(".tmp") and name[1:-4] in COSTSIM_ENTRIES


def costsim_names(folder: Path) -> frozenset[str]:
    """The names costsim writes in ``folder`` as the kind of folder it is: a results folder's
    (its manifest.json is costsim's), a report's (index.html with costsim's report.json, or a
    watch folder's scratch), or both; a user's ``figures/`` in a results folder is the user's."""
    folder = Path(folder)
    return frozenset(name for marker, kind in ((MANIFEST, RESULTS_FILES), ("report.json", REPORT_ENTRIES))
                     if _costsim_manifest(folder / marker) for name in kind)


def clear_costsim_entries(folder: Path, own: tuple[str, ...] = REPORT_ENTRIES) -> tuple[str, ...]:
    """Remove from ``folder`` (one costsim wrote) the entries costsim writes there (``own``, the
    writer's, and those of the kind of folder it was); return the names of the others, a user's,
    which stay (``costsim watch`` starts over in its folder this way)."""
    kept = []
    names = frozenset(own) | costsim_names(folder)
    for entry in sorted(Path(folder).iterdir()):
        if entry.name in names or _is_costsim_temporary(entry.name):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        else:
            kept.append(entry.name)
    return tuple(kept)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _carry_over(old: Path, new: Path) -> tuple[str, ...]:
    """Put into ``new`` every top-level entry of ``old`` that ``new`` lacks and costsim did not write
    there (:func:`costsim_names` of the old folder's kind).

    Hard links where the file system allows (the old folder is deleted after the swap, the data
    stays), else copies; the old folder is not changed, so an interruption here loses nothing.
    """
    kept = []
    theirs = costsim_names(old)  # the names costsim wrote there, by the kind of folder it was
    for entry in sorted(old.iterdir()):
        dest = new / entry.name
        if entry.name in theirs or _is_costsim_temporary(entry.name) or dest.exists() or dest.is_symlink():
            continue
        if entry.is_symlink():
            os.symlink(os.readlink(entry), dest)
        elif entry.is_dir():
            shutil.copytree(entry, dest, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(entry), str(dest))
        kept.append(entry.name)
    return tuple(kept)


def _sibling(parent: Path, name: str, kind: str) -> Path:
    return parent / f".{name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def _swap_in(tmp: Path, target: Path, swap: str = "auto") -> Path:
    """Put ``tmp`` at ``target``; return the path that now holds the old results."""
    if swap == "auto" and _exchange(tmp, target):
        return tmp
    old = _sibling(target.parent, target.name, "old")
    os.rename(target, old)
    try:
        os.rename(tmp, target)
    except BaseException:
        os.rename(old, target)
        raise
    return old


@contextmanager
def atomic_folder(target: str | Path, force: bool = False, *, swap: str = "auto"):
    """Yield a temporary folder; on success it replaces ``target`` atomically.

    The temporary folder is a hidden sibling ``.<name>.tmp-<pid>-*``. An existing target is
    swapped with it in one atomic step (``renameat2`` exchange; two renames where that is not
    available, or with ``swap="rename"``), so at every moment ``target`` holds either the
    complete old results or the complete new ones. An interruption (Ctrl-C, SIGTERM, an error,
    a full disk) removes the temporary folder; one left by a killed process is removed by the
    next write to the same target.

    With ``force``, the entries of the old folder that the new one lacks are carried into it
    (they are the user's), except those costsim writes in a folder of the old one's kind
    (:func:`costsim_names`), which are never a user's and are dropped when a write no longer makes them.
    """
    if swap not in SWAPS:
        raise ValueError(f"swap must be one of {', '.join(SWAPS)}; got {swap!r}")
    with _sigterm_as_interrupt(), _atomic_folder(target, force, swap) as tmp:
        yield tmp


@contextmanager
def _atomic_folder(target: str | Path, force: bool, swap: str):
    target = check_target(target, force)
    parent = target.parent if str(target.parent) else Path(".")
    tmp = _sibling(parent, target.name, "tmp")  # named before it exists, so cleanup never misses it
    try:
        try:
            parent.mkdir(parents=True, exist_ok=True)
            _remove_stale(parent, target.name)
            os.mkdir(tmp)  # mode 0o777 less the umask: the usual permissions
        except OSError as exc:
            raise OutputError(f"{parent}: cannot create the output folder: {exc.strerror or exc}") from None
        yield tmp
        _fsync_dir(tmp)
        stage("swap", target)
        if target.exists() or target.is_symlink():
            check_target(target, force)  # it may have appeared, or changed, while we worked
            kept = _carry_over(target, tmp)
            _fsync_dir(tmp)
            tmp = _swap_in(tmp, target, swap)
            shutil.rmtree(tmp, ignore_errors=True)  # the old results
        else:
            kept = ()
            os.rename(tmp, target)
        _KEPT[:] = [(w, n) for w, n in _KEPT if w != target][-15:] + [(target, kept)]
        _fsync_path(parent)
    except OutputError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise OutputError(f"{target}: disk full while writing; previous results (if any) are untouched") from None
        raise OutputError(f"{target}: could not write results: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _fsync_path(path: Path) -> None:
    """Flush a folder's entries (the rename) to disk where the platform allows it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    for f in folder.rglob("*"):
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())


def atomic_write(path: str | Path, write: Callable[[Path], None], force: bool = False) -> Path:
    """Write one file through a temporary sibling and rename it into place.

    ``write(tmp_path)`` writes the content. The file gets the usual permissions (0o666 less the
    umask); an interruption (Ctrl-C, SIGTERM) or a full disk leaves any previous file as it was.
    """
    with _sigterm_as_interrupt():
        return _atomic_write(path, write, force)


def _atomic_write(path: str | Path, write: Callable[[Path], None], force: bool) -> Path:
    path = Path(path)
    if path.exists() and not force:
        raise OutputError(f"{path}: file exists; expected a new file name, or --force to replace it")
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; expected a file name")
    parent = path.parent if str(path.parent) else Path(".")
    tmp = parent / f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}{path.suffix}"
    try:
        try:
            parent.mkdir(parents=True, exist_ok=True)
            _remove_stale(parent, path.name)
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except OSError as exc:
            raise OutputError(f"{parent}: cannot create the output folder or file: {exc.strerror or exc}") from None
        stage(path.name, tmp)
        write(tmp)
        stage("swap", path)
        os.replace(tmp, path)
    except OutputError:
        _unlink(tmp)
        raise
    except OSError as exc:
        _unlink(tmp)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise OutputError(f"{path}: disk full while writing") from None
        raise OutputError(f"{path}: could not write: {exc.strerror or exc}") from None
    except BaseException:
        _unlink(tmp)
        raise
    return path


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # its folder is not a folder, or went away
        pass
