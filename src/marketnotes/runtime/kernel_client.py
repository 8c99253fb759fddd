"""The kernel client for kernels marketnotes started itself (pre-started or forked), and the
manager of a pre-started one, which closes the clients made for it."""

from __future__ import annotations

import time
from queue import Empty

from jupyter_client import AsyncKernelManager
from jupyter_client.asynchronous import AsyncKernelClient


class QuickReadyClient(AsyncKernelClient):
    """A kernel client for kernels we started ourselves and know to be fresh.

    jupyter_client's `wait_for_ready` is written for kernels of unknown state: once the kernel
    answers kernel_info it waits for 0.2 s of IOPub silence (and, without a KernelManager,
    polls the heartbeat in 0.2 s steps). Here IOPub is drained of what has already arrived,
    without waiting: nbclient ignores IOPub messages that answer no cell of its own. The
    kernel_info round trip that proves both channels connected is kept as upstream does it.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else 60)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=0.5)
            except Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.5)  # IOPub is subscribed
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(msg)
                    break
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:  # drain, without waiting for silence
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                break


class NoteKernelManager(AsyncKernelManager):
    """A kernel manager that closes the clients it made when it shuts its kernel down.

    nbclient closes its client only for a kernel it started itself (`setup_kernel` cleans up
    when it owns the manager); for a manager handed to it, as ours are, the client stays
    open: its heartbeat thread, sockets and zmq context (an I/O thread and descriptors)
    would outlive every note, one set a note, in a process that renders many, and a worker
    forked later would inherit the lot. zygote.ForkedKernel does the same for forked kernels.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._clients: list[AsyncKernelClient] = []

    def client(self, **kwargs) -> AsyncKernelClient:
        kc = super().client(**kwargs)
        self._clients.append(kc)
        return kc

    def close_clients(self) -> None:
        """On the thread that used them (their sockets belong to its event loop), before the
        kernel is shut down on another."""
        clients, self._clients = self._clients, []
        for kc in clients:
            kc.stop_channels()

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        try:
            self.close_clients()  # any left: none, when discarded through WarmKernels
        finally:
            await super().shutdown_kernel(now=now, restart=restart)
