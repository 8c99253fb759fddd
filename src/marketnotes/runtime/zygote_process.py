"""The kernel zygote's own process: `python -m marketnotes.runtime.zygote_process`.

It imports what every note's kernel needs, fills the caches that are the same for every note,
freezes all of it out of the garbage collector's reach, and then only forks: one child per
request, which becomes a brand-new ipykernel. The protocol and the host's side (who starts
it, who asks it for kernels) are in zygote.py.
"""

from __future__ import annotations

import gc
import os
import selectors
import signal
import socket
import sys

from marketnotes.runtime.zygote import die_with_parent, kill_kernel


def serve(parent: int, listening: int | None, kernel_args: list[str]) -> None:  # pragma: no cover - runs in the zygote process, exercised by the batch tests
    """`listening`: the descriptor of a Unix socket the owner bound for other clients, if any."""
    die_with_parent(parent)
    requests = _Requests(listening)  # clients may connect while we import: they wait for their answer
    import ipykernel.kernelapp  # noqa: F401  (the heavy part of a kernel's start)

    import marketnotes.notebook  # noqa: F401  (what a note's first cell imports)
    from marketnotes.warmup import warm

    warm()
    first_use()

    # Move everything imported so far out of the garbage collector's reach: a child's
    # collections then never walk (and so never copy-on-write) the zygote's pages.
    gc.collect()
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle; it closes us
    for line, client in requests:
        if not line.endswith("\n"):  # half a request: its client went away while writing it
            requests.drop(client)
            continue
        connection_file, _, cwd = line.rstrip("\n").partition("\t")
        if not connection_file:
            continue
        zygote = os.getpid()
        pid = os.fork()
        if pid == 0:
            die_with_parent(zygote)  # and so with the batch: the zygote dies with it
            requests.close()  # the kernel keeps no client's socket open, nor its siblings' pidfds
            # Detach from the protocol pipe: ipykernel echoes fd-level output to the original
            # stdout, which here is the owner's line protocol. Kernel death is reported by
            # nbclient (heartbeat), so nothing is lost by silencing these.
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.setsid()
            if cwd:
                os.chdir(cwd)
            from ipykernel.kernelapp import IPKernelApp

            IPKernelApp.launch_instance(argv=["-f", connection_file, *kernel_args])
            os._exit(0)
        _KERNELS[pid] = client
        requests.watch(pid)
        if not client.answer(pid):
            requests.drop(client)  # and with it the kernel just forked for it


# Each live kernel and the client it was forked for; a kernel leaves when it is reaped.
_KERNELS: dict[int, _Client] = {}


_EXITED = object()  # the selector's mark for a kernel's pidfd: readable once that kernel has exited


class _Client:  # pragma: no cover - runs in the zygote process
    """A source of requests: the owner's pipe, or a connection on the socket. A client that
    goes away (a batch's worker killed mid-note) takes its kernels along, as a zygote of its
    own would have: they would otherwise run on, unwatched, until the batch ends."""

    def __init__(self, reader, writer, sock: socket.socket | None = None) -> None:
        self.reader, self.writer, self.sock = reader, writer, sock

    def readline(self) -> str:
        try:
            return self.reader.readline()
        except OSError:  # reset by a client that died with an answer unread
            return ""

    def answer(self, pid: int) -> bool:
        try:
            self.writer.write(f"{pid}\n")
            self.writer.flush()
            return True
        except OSError:  # the client went away while we forked
            return False

    def end(self) -> None:
        """Kill this client's kernels that are still running (and what they started), then let
        go of its socket. Kernels are reaped only by the request loop, which is here, so no
        pid in _KERNELS can have been reaped and reused by another process."""
        for pid in [pid for pid, owner in _KERNELS.items() if owner is self]:
            kill_kernel(pid)
        self.close()

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.reader.close()  # a socket's descriptor closes with its last file
            except OSError:  # its unsent answer: the client is gone anyway
                pass
            self.sock.close()


class _Requests:  # pragma: no cover - runs in the zygote process
    """The zygote's requests, as (line, client) pairs: lines on stdin from the owner, and lines
    from each client connected to the listening socket. Ends when the owner closes stdin.
    Each client waits for its answer before it asks again, so a ready source holds one line.

    The same wait reaps each kernel as it exits, through a pidfd per kernel: no zombies, and
    a wait that adds the kernel's CPU time to the zygote's children's, and so to the batch's
    (`scripts/bench.py` counts a batch's core-seconds from its children's). A SIGCHLD handler
    did this before: in a zygote with threads of its own (the imports start OpenBLAS's and
    Arrow's), a kernel killed as the next was forked sometimes stayed a zombie until the
    next request, in about one batch in five under load, and a wake-up pipe for the signal
    did not cure it. A pidfd needs no signal and no thread to land on."""

    def __init__(self, listening: int | None) -> None:
        self.selector = selectors.DefaultSelector()
        self.selector.register(sys.stdin, selectors.EVENT_READ, _Client(sys.stdin, sys.stdout))
        if listening is not None:
            self.selector.register(socket.socket(fileno=listening), selectors.EVENT_READ, None)
        self.polling = False  # a Linux before 5.3 has no pidfds: then reap every second

    def watch(self, pid: int) -> None:
        try:
            self.selector.register(os.pidfd_open(pid), selectors.EVENT_READ, _EXITED)
        except OSError:
            self.polling = True

    def __iter__(self):
        while True:
            ready = self.selector.select(timeout=1.0 if self.polling else None)
            if self.polling:
                _reap()
            for key, _ in ready:
                client = key.data
                if client is _EXITED:
                    self.selector.unregister(key.fd)
                    os.close(key.fd)
                    _reap()
                elif client is None:  # the listening socket
                    sock, _ = key.fileobj.accept()
                    stream = sock.makefile("rw", encoding="utf-8")
                    self.selector.register(sock, selectors.EVENT_READ, _Client(stream, stream, sock))
                elif line := client.readline():
                    yield line, client
                elif key.fileobj is sys.stdin:
                    return  # the owner closed the pipe: the batch is over
                else:
                    self.drop(client)

    def drop(self, client: _Client) -> None:
        """A client that is gone: its kernels killed, its socket closed."""
        if client.sock is None:
            return  # the owner's pipe: only EOF ends it
        self.selector.unregister(client.sock)
        client.end()

    def close(self) -> None:
        """In a forked kernel: let go of the clients' sockets, the listening one and the
        other kernels' pidfds."""
        for key in list(self.selector.get_map().values()):
            if key.data is _EXITED:
                os.close(key.fd)
            elif key.fileobj is not sys.stdin:
                if key.data is not None:
                    key.data.close()
                else:
                    key.fileobj.close()
        self.selector.close()


def first_use() -> None:
    """The imports a kernel's start and a note's first parquet read and first chart pull in,
    done once here for every kernel forked after. Modules only: nothing here depends on a
    note, and no kernel or shell is made.

    - The kernel's start, beyond ipykernel.kernelapp: its kernel class, its debugger
      (ipykernel.debugger brings debugpy and pydevd, ~110 modules, which ask `platform` for
      the processor and so run `uname -p`), IPython's debugger and store magic, tornado's
      queues: ~150 modules and ~0.1 core-s that each note's kernel paid again.
    - The note's: pyarrow's dataset layer (pyarrow.parquet reads through it), matplotlib's
      SVG backend, PIL's format plugins (loaded on the first PNG save): ~20 ms.
    """
    # pydevd would warn, on the batch's terminal, that frozen modules can hide breakpoints from
    # a debugger: no one debugs a batch's kernels (the kernels inherit the setting).
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    import platform

    import IPython.core.completerlib  # noqa: F401
    import IPython.core.debugger  # noqa: F401
    import IPython.core.oinspect  # noqa: F401
    import IPython.extensions.storemagic  # noqa: F401
    import ipykernel.debugger  # noqa: F401
    import ipykernel.ipkernel  # noqa: F401
    import matplotlib.backends.backend_svg  # noqa: F401
    import pyarrow.dataset  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    import tornado.platform.asyncio  # noqa: F401
    import tornado.queues  # noqa: F401
    from PIL import Image

    Image.preinit()
    platform.uname().processor  # cached for the kernels (debugpy asks; it is a subprocess)


def _reap() -> None:  # pragma: no cover - runs in the zygote process
    """Wait for every kernel that has exited, without blocking for one that has not."""
    while _KERNELS:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _KERNELS.pop(pid, None)


if __name__ == "__main__":  # pragma: no cover
    serve(int(sys.argv[1]), int(sys.argv[2]) if sys.argv[2] != "-" else None, sys.argv[3:])
