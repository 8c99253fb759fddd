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

from marketnotes.runtime.zygote import die_with_parent


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
    # Each kernel is reaped as it exits (no zombies), by a wait that adds its CPU time to the
    # zygote's children's, and so to the batch's: `scripts/bench.py` counts a batch's
    # core-seconds from its own children's, which SIG_IGN's automatic reaping would drop.
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle; it closes us
    for line, answer in requests:
        connection_file, _, cwd = line.rstrip("\n").partition("\t")
        if not connection_file:
            continue
        zygote = os.getpid()
        pid = os.fork()
        if pid == 0:
            die_with_parent(zygote)  # and so with the batch: the zygote dies with it
            requests.close()  # the kernel keeps no client's socket open
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the kernel's own subprocesses need waitpid
            # Detach from the protocol pipe: ipykernel echoes fd-level output to the original
            # stdout, which here is the worker's line protocol. Kernel death is reported by
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
        answer(pid)


class _Requests:  # pragma: no cover - runs in the zygote process
    """The zygote's requests, as (line, answer) pairs: lines on stdin from the owner, and lines
    from each client connected to the listening socket. Ends when the owner closes stdin.
    Each client waits for its answer before it asks again, so a ready source holds one line."""

    def __init__(self, listening: int | None) -> None:
        self.selector = selectors.DefaultSelector()
        self.selector.register(sys.stdin, selectors.EVENT_READ, None)
        if listening is not None:
            self.selector.register(socket.socket(fileno=listening), selectors.EVENT_READ, "listening")

    def __iter__(self):
        while True:
            for key, _ in self.selector.select():
                if key.fileobj is sys.stdin:
                    line = sys.stdin.readline()
                    if not line:
                        return
                    yield line, _answer(sys.stdout)
                elif key.data == "listening":
                    client, _ = key.fileobj.accept()
                    self.selector.register(client, selectors.EVENT_READ, client.makefile("rw", encoding="utf-8"))
                elif line := key.data.readline():
                    yield line, _answer(key.data)
                else:  # the client is gone
                    self.selector.unregister(key.fileobj)
                    key.data.close()
                    key.fileobj.close()

    def close(self) -> None:
        """In a forked kernel: let go of the clients' sockets and the listening one."""
        for key in list(self.selector.get_map().values()):
            if key.fileobj is not sys.stdin:
                if hasattr(key.data, "close"):
                    key.data.close()  # a socket's descriptor closes with its last file
                key.fileobj.close()
        self.selector.close()


def _answer(stream):  # pragma: no cover - runs in the zygote process
    def answer(pid: int) -> None:
        stream.write(f"{pid}\n")
        stream.flush()

    return answer


def first_use() -> None:
    """The imports a note's first parquet read and first chart pull in, done once here for
    every kernel forked after: pyarrow's dataset layer (pyarrow.parquet reads through it),
    matplotlib's SVG backend, PIL's format plugins (loaded on the first PNG save): ~20 ms
    that each note's kernel paid again. Modules only: nothing here depends on a note."""
    import matplotlib.backends.backend_svg  # noqa: F401
    import pyarrow.dataset  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    from PIL import Image

    Image.preinit()


def _reap(signum, frame) -> None:  # pragma: no cover - runs in the zygote process
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


if __name__ == "__main__":  # pragma: no cover
    serve(int(sys.argv[1]), int(sys.argv[2]) if sys.argv[2] != "-" else None, sys.argv[3:])
