"""The kernel zygote shared over its socket (a batch's workers, local or Dask): a client that goes
away, however it goes, neither stops the zygote serving the others nor leaves kernels running."""

import asyncio
import socket
import time
from pathlib import Path

import pytest

from marketnotes.runtime import zygote
from test_cost import _children

pytestmark = pytest.mark.skipif(not zygote.available(), reason="kernels are forked from a zygote on Linux only")


@pytest.fixture(scope="module")
def shared():
    kernels = zygote.Zygote(listen=True)
    yield kernels
    kernels.close()


def kernels_of(shared, zombies: bool = False) -> set[int]:
    """The zygote's children still running, and with `zombies` those exited but not yet reaped."""
    return {pid for pid, state in _children(shared.proc.pid) if zombies or state != "Z"}


def settle(shared, expected: set[int], seconds: float = 30, zombies: bool = False) -> set[int]:
    deadline = time.monotonic() + seconds
    while (found := kernels_of(shared, zombies)) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def request(shared, folder: Path) -> socket.socket:
    """A raw client that asks for one kernel, as a worker would, and holds its connection."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(shared.address)
    client.sendall(f"{folder / 'kernel.json'}\t{folder}\n".encode())
    return client


def test_clients_that_hang_up_mid_request_leave_no_kernel_and_the_others_are_served(shared, tmp_path):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as half:  # half a request, then gone
        half.connect(shared.address)
        half.sendall(f"{tmp_path / 'half'}".encode())
    request(shared, tmp_path).close()  # a whole request, gone before its answer
    worker = zygote.ZygoteConnection(shared.address)
    try:
        kernel = worker.take(tmp_path)
        assert kernel.is_alive()
        assert settle(shared, {kernel.pid}) == {kernel.pid}  # the hung-up client's kernel was killed
        kernel.shutdown_kernel()
    finally:
        worker.close()
    assert settle(shared, set()) == set()


def test_a_client_that_dies_holding_a_kernel_takes_it_along(shared, tmp_path):
    """A worker killed mid-note: its kernel would otherwise run on until the batch ends."""
    client = request(shared, tmp_path)
    pid = int(client.makefile().readline())
    assert pid in kernels_of(shared)
    client.close()
    assert settle(shared, set()) == set()


def test_a_worker_whose_zygote_is_gone_gets_one_error_line_and_another_zygote_is_untouched(shared, tmp_path):
    """Two zygotes in one process (a program running a local and a Dask batch) keep folders
    of their own: the one closed takes only its own along."""
    owner = zygote.Zygote(listen=True)
    assert owner.runtime != shared.runtime and owner.runtime.stat().st_mode & 0o777 == 0o700
    worker = zygote.ZygoteConnection(owner.address)
    owner.close()
    with pytest.raises(zygote.RenderError, match="the kernel zygote exited") as failure:
        worker.take(tmp_path)
    assert failure.value.transient
    worker.close()  # and closing it afterwards is quiet
    other = zygote.ZygoteConnection(shared.address)
    try:
        other.take(tmp_path).shutdown_kernel()
    finally:
        other.close()


def run_a_cell(kernel) -> None:
    """Run a cell in a forked kernel through its own client, as nbclient would."""

    async def run() -> None:
        client = kernel.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            reply = await client.execute_interactive("import pandas; pandas.DataFrame({'a': range(10_000)}).sum()", timeout=60, output_hook=lambda msg: None)
            assert reply["content"]["status"] == "ok"
        finally:
            client.stop_channels()

    asyncio.run(run())


def test_a_kernel_killed_as_the_next_is_forked_is_reaped_without_another_request(shared, tmp_path):
    """A worker kills its note's kernel and at once asks for the next note's (zygote.discard).
    The killed one must not stay a zombie until the worker's next request: a batch's last
    note's kernel would otherwise linger until the batch ends, and a count of the zygote's
    children (the tests', an operator's `ps`) would see one kernel too many."""
    worker = zygote.ZygoteConnection(shared.address)
    try:
        kernel = worker.take(tmp_path)
        for _ in range(30):
            run_a_cell(kernel)  # a kernel that has run a note's cell exits more slowly than a new one
            kernel.shutdown_kernel()
            kernel = worker.take(tmp_path)  # forked while the killed one exits
            assert settle(shared, {kernel.pid}, zombies=True) == {kernel.pid}
        kernel.shutdown_kernel()
    finally:
        worker.close()
