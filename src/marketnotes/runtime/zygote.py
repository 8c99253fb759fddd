"""Fresh kernels in milliseconds: fork them from a warm, never-used "zygote" process.

A cold IPython kernel spends ~1.5 s of CPU booting and importing pandas, matplotlib and
marketnotes before a note's first cell runs. The zygote pays that once per batch: it imports
everything and fills the caches that are identical for every note, then forks one child per
note (zygote_process.py). Each child becomes a brand-new ipykernel (new IPython shell, new
namespace) whose modules are in the zygote's pristine state, because the zygote itself never
runs note code. So notes stay isolated exactly as with a cold kernel, at the cost of a fork.

Protocol (stdin/stdout of `python -m marketnotes.runtime.zygote_process`): the owner writes,
per line, the path of a connection file and the kernel's working directory (tab-separated);
the zygote answers with the forked kernel's pid. The same lines come over a Unix socket from
the processes the owner shares it with (a local batch's workers, a local Dask cluster's:
`ZygoteConnection`), each on a connection of its own, so a worker that dies takes the kernels
forked for it along. One request at a time per client: each waits for its answer before the
next. The zygote and every kernel it forks die with their owner, even on SIGKILL
(`die_with_parent`). Linux only (fork after importing these libraries is not safe on macOS);
elsewhere workers fall back to pre-started cold kernels (engines.WarmKernels).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from contextlib import suppress
from functools import cache
from pathlib import Path

from marketnotes.errors import RenderError


PR_SET_PDEATHSIG = 1
RUNTIME_PREFIX = "marketnotes-kernels-"  # then the owner's pid: a folder of a dead batch is removed


def kill_kernel(pid: int) -> None:
    """SIGKILL a forked kernel, then anything it started, in its session's group. The kernel
    itself first: one killed right after its fork may not have called setsid() yet, and then
    it has no process group of its own for killpg to reach."""
    for kill in (os.kill, os.killpg):
        try:
            kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies, however it dies (SIGKILL, OOM):
    kernels must not outlive the batch that wanted them. If the parent is already gone (it
    died before this call), exit now."""
    import ctypes

    if not sys.platform.startswith("linux"):
        return
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


class ForkedKernel:
    """The slice of a KernelManager that nbclient uses, for a kernel forked by the zygote."""

    has_kernel = True
    ipykernel = True

    def __init__(self, pid: int, connection_file: str, info: dict):
        self.pid, self.connection_file, self.info = pid, connection_file, info
        self.kernel_id = Path(connection_file).stem
        self._clients: list = []

    def client(self):
        kc = _forked_client_class()(pid=self.pid)
        kc.load_connection_info(self.info)
        self._clients.append(kc)
        return kc

    def is_alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
            return True
        except ProcessLookupError:
            return False

    def interrupt_kernel(self) -> None:
        os.kill(self.pid, signal.SIGINT)

    def shutdown_kernel(self, now: bool = True, restart: bool = False) -> None:
        """Close our client sockets (nbclient leaves them open when it does not own the kernel),
        then kill the kernel, whatever closing them raised."""
        try:
            clients, self._clients = self._clients, []
            for kc in clients:
                kc.stop_channels()
        finally:
            self._kill()

    def _kill(self) -> None:
        kill_kernel(self.pid)
        Path(self.connection_file).unlink(missing_ok=True)
        for channel in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"):
            Path(f"{self.info['ip']}-{self.info[channel]}").unlink(missing_ok=True)  # its IPC sockets

    def cleanup_resources(self, restart: bool = False) -> None:
        self.shutdown_kernel()


@cache
def _forked_client_class():
    """A QuickReadyClient (kernel_client.py) whose liveness check is a pid check: the kernel is a
    just-forked process with no KernelManager behind it. Built on first use (the zygote
    process itself never needs it), then reused."""
    from traitlets import Int

    from marketnotes.runtime.kernel_client import QuickReadyClient

    class ForkedKernelClient(QuickReadyClient):
        pid = Int(0)

        async def is_alive(self) -> bool:
            try:
                os.kill(self.pid, 0)
                return True
            except ProcessLookupError:
                return False

    return ForkedKernelClient


class _KernelSource:
    """`take()` returns a fresh kernel; `discard()` ends it and forks the next one ahead.

    Each process that takes kernels holds its own spare; how a fork is asked for (`_ask`) is
    the subclass's."""

    runtime: Path

    def __init__(self) -> None:
        self._spare: tuple[Path, ForkedKernel] | None = None
        self._cwd: Path | None = None  # the folder of the last note's template

    def _ask(self, request: str) -> str:
        raise NotImplementedError

    def _fork(self, cwd: Path) -> ForkedKernel:
        from jupyter_client.connect import write_connection_file

        # IPC sockets named after the kernel, not TCP ports: ports picked by one worker and
        # bound later by its kernel can be picked meanwhile by another worker; names cannot.
        name = f"kernel-{uuid.uuid4().hex}"
        try:
            fname, info = write_connection_file(str(self.runtime / f"{name}.json"), ip=str(self.runtime / name), transport="ipc")
        except OSError as exc:
            if self.runtime.is_dir():
                raise RenderError("kernel", f"cannot write a kernel's connection file in {self.runtime}: {exc.strerror}", transient=True) from None
            answer = ""  # its owner ended and took the folder along
        else:
            answer = self._ask(f"{fname}\t{cwd}\n")
        if not answer.strip():
            raise RenderError("kernel", f"the kernel zygote exited{self._exit_code()}; run the note alone with `marketnotes render` to see why", transient=True)
        return ForkedKernel(int(answer), fname, info)

    def _exit_code(self) -> str:
        return ""

    def take(self, cwd: Path) -> ForkedKernel:
        if self._spare is not None and self._spare[0] != cwd:
            self._spare[1].shutdown_kernel()
            self._spare = None
        kernel = self._spare[1] if self._spare else self._fork(cwd)
        self._spare, self._cwd = None, cwd
        return kernel

    def discard(self, kernel: ForkedKernel) -> None:
        """Shut a used kernel down and fork the next note's now: it boots while this note's
        HTML and PDF are made. Forked only once the used one is gone, so a worker never
        holds two kernels (~100 MB each once a note has run)."""
        kernel.shutdown_kernel()
        if self._spare is None and self._cwd is not None:
            self._spare = (self._cwd, self._fork(self._cwd))

    def close(self) -> None:
        if self._spare is not None:
            self._spare[1].shutdown_kernel()
            self._spare = None


class Zygote(_KernelSource):
    """The zygote process starts (and imports) as soon as this object exists.

    With `listen`, other processes share it through `ZygoteConnection(zygote.address)`: a
    local batch's workers and a local Dask cluster's, each holding its own spare kernel, so
    the imports are paid once per batch. Each connects on its own, not over the owner's
    inherited pipe: when a worker is killed mid-note (the OOM killer, a note that kills its
    process), the zygote sees its connection close and kills the kernels it forked for it,
    rather than leaving them until the batch ends. Only the process that created the zygote
    stops it.
    """

    def __init__(self, listen: bool = False):
        super().__init__()
        self._lock, self._owner = threading.Lock(), os.getpid()
        _remove_runtimes_of_dead_batches(Path(tempfile.gettempdir()))
        # A folder of its own, made new (mode 0700: the connection files hold the kernels'
        # keys), even beside another zygote of this process (a local batch and a Dask batch
        # run by one program): each removes its folder when it closes.
        self.runtime = Path(tempfile.mkdtemp(prefix=f"{RUNTIME_PREFIX}{os.getpid()}-"))
        self.address, listening = None, None
        # Its own process group: a terminal's Ctrl-C reaches the batch, which closes the zygote
        # in order, instead of interrupting the zygote's imports with a traceback. It and its
        # kernels die with this process even when it is SIGKILLed (die_with_parent).
        try:
            if listen:  # bound here, so it exists before any client can look for it
                self.address = str(self.runtime / "zygote.sock")
                listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                listening.bind(self.address)
                listening.listen()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "marketnotes.runtime.zygote_process", str(os.getpid()), str(listening.fileno()) if listening else "-", *_kernel_args()],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                bufsize=1,
                process_group=0,
                pass_fds=(listening.fileno(),) if listening else (),
            )
        except BaseException:
            shutil.rmtree(self.runtime, ignore_errors=True)
            raise
        finally:
            if listening is not None:
                listening.close()  # the zygote holds it now

    def _ask(self, request: str) -> str:
        with self._lock:  # one request and its answer at a time on the owner's pipe, whatever its threads
            self.proc.stdin.write(request)
            self.proc.stdin.flush()
            return self.proc.stdout.readline()

    def _exit_code(self) -> str:
        return f" (code {self.proc.poll()})"

    def close(self) -> None:
        super().close()
        if os.getpid() != self._owner:
            return
        try:
            if self.proc.poll() is None:
                # EOF ends a serving zygote at once; one still importing would read it only
                # when done, so it is killed instead of waited for (its kernels die with it).
                self.proc.stdin.close()
                try:
                    self.proc.wait(timeout=0.5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=5)
        finally:
            # Connection files and IPC sockets (also when a signal cuts the wait short); a
            # kernel forked a moment ago may still be binding its sockets as it dies.
            shutil.rmtree(self.runtime, ignore_errors=True)


class ZygoteConnection(_KernelSource):
    """Kernels from a zygote another process on this host started with `listen=True` (a local
    batch or a local Dask cluster's client, for its workers): requests over its Unix socket,
    the connection files in its folder. Closing ends this process's spare and connection, not
    the zygote."""

    def __init__(self, address: str):
        super().__init__()
        self.address, self.runtime = address, Path(address).parent
        self._stream = None
        self._lock = threading.Lock()

    def _ask(self, request: str) -> str:
        with self._lock:
            try:
                if self._stream is None:
                    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                        client.connect(self.address)
                        self._stream = client.makefile("rw", encoding="utf-8")  # holds the descriptor
                self._stream.write(request)
                self._stream.flush()
                return self._stream.readline()
            except OSError:
                self._hang_up()
                return ""  # the zygote is gone (its owner ended): said as such by _fork

    def _hang_up(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with suppress(OSError):  # a request the zygote never read: it is gone anyway
                stream.close()

    def close(self) -> None:
        super().close()
        self._hang_up()


def _kernel_args() -> list[str]:
    """The kernels' command-line options (kernelspec.KERNEL_ARGS), handed to the zygote on its
    command line."""
    from marketnotes.kernelspec import KERNEL_ARGS

    return KERNEL_ARGS


def _remove_runtimes_of_dead_batches(tmp: Path) -> None:
    """A batch killed with SIGKILL runs no cleanup: its kernels die with it, but their
    connection files stay in marketnotes-kernels-<pid>-<random>. The next batch removes
    those."""
    for folder in tmp.glob(f"{RUNTIME_PREFIX}*"):
        pid = folder.name[len(RUNTIME_PREFIX) :].partition("-")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


def available() -> bool:
    from marketnotes.kernelspec import kernel_name

    return sys.platform.startswith("linux") and kernel_name() == "python3"
