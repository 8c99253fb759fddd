"""Stopping on a signal: the stop is never lost, even where the interpreter swallows it."""

import sys
import textwrap

from conftest import run

SWALLOWED = textwrap.dedent(
    """
    import sys, time, weakref
    from marketnotes import stopping
    if sys.argv[1] == "stopping":
        sys.unraisablehook = stopping.raise_again_if_swallowed
    class Resource:
        pass
    def on_collect(ref):  # where a signal handler's SystemExit lands when it fires in a weakref callback
        raise SystemExit(143)
    resource = Resource()
    watch = weakref.ref(resource, on_collect)
    try:
        del resource
        deadline = time.monotonic() + float(sys.argv[2])
        while time.monotonic() < deadline:
            pass
        print("ran on")
    finally:
        print("cleaned up")
    """
)


def test_a_stop_swallowed_in_a_weakref_callback_is_raised_again_and_unwinds():
    # the interpreter's own behaviour, for contrast: the stop is printed and lost
    lost = run([sys.executable, "-c", SWALLOWED, "default", "1"], capture_output=True, text=True, timeout=120)
    assert lost.returncode == 0 and "ran on" in lost.stdout and "Exception ignored" in lost.stderr
    kept = run([sys.executable, "-c", SWALLOWED, "stopping", "60"], capture_output=True, text=True, timeout=120)
    assert kept.returncode == 143 and kept.stdout.split() == ["cleaned", "up"] and "ran on" not in kept.stdout
