"""How a run stops on a signal: SIGINT and SIGTERM become exceptions that unwind every
`finally` (kernels killed, staging folders removed, workers stopped), and the CLI's handler
turns them back into one line and the conventional exit code (130, 143)."""

from __future__ import annotations

import signal
import sys
import threading
import time
import warnings


class Terminated(KeyboardInterrupt):
    """SIGTERM (systemd, `timeout`, kill): unwinds exactly like Ctrl-C, exits 143."""


_asked: list[int] = []  # the signal that stopped this process, once one has


def _raise(signum, frame) -> None:
    """Ctrl-C or SIGTERM: from this moment, objects torn down half-built (an event loop
    interrupted in its constructor, a coroutine never awaited) are not reported: the user
    asked us to stop. Raised as KeyboardInterrupt so every `finally` runs on the way out."""
    _asked.append(signum)
    sys.unraisablehook = raise_again_if_swallowed
    warnings.simplefilter("ignore")
    # Once: a second Ctrl-C, or the SIGTERM that follows a group kill, must not cut short the
    # cleanup this one starts (kernels, workers, staging folders); every step of it is bounded.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt


_STOP_AGAIN = signal.SIGUSR2


def raise_again_if_swallowed(unraisable) -> None:
    """`sys.unraisablehook` while stopping. A signal handler runs between any two bytecodes,
    also inside a weakref callback or a `__del__`; the interpreter swallows an exception
    raised there ("Exception ignored in …") and the code simply runs on, as if no stop had
    been asked for. The stop is raised again in the interrupted code: a helper thread signals
    the main thread a moment after this hook has returned (raised from the hook itself, it
    would be swallowed the same way), and the handler's exception propagates normally.
    Anything else torn down half-built is not reported: the user asked us to stop."""
    exc = unraisable.exc_value
    if not isinstance(exc, (KeyboardInterrupt, SystemExit)):
        return

    def again(signum, frame):
        raise exc

    def signal_main_thread():
        time.sleep(0.01)
        signal.pthread_kill(threading.main_thread().ident, _STOP_AGAIN)

    signal.signal(_STOP_AGAIN, again)
    threading.Thread(target=signal_main_thread, daemon=True).start()


def reason(exc: BaseException) -> tuple[str, int] | None:
    """("interrupted", 130) or ("terminated", 143) if `exc` is a stop by signal, else None.
    typer turns KeyboardInterrupt into Exit(130), keeping the original as the cause."""
    if isinstance(exc, SystemExit) and exc.code not in (130, 143):
        return None
    seen, link = [], exc
    while link is not None and len(seen) < 10:  # typer: SystemExit <- Exit <- KeyboardInterrupt
        seen.append(link)
        link = link.__cause__ or link.__context__
    if any(isinstance(e, Terminated) for e in seen) or (isinstance(exc, SystemExit) and exc.code == 143):
        return "terminated", 143
    return "interrupted", 130


def asked(code: int | None) -> tuple[str, int] | None:
    """("interrupted", 130) or ("terminated", 143) when a run ended with typer's bare exit
    code 130 (it returns that for any KeyboardInterrupt, Terminated included, when the CLI
    runs it with standalone_mode=False): the signal we recorded tells which stop it was."""
    if code != 130:
        return None
    return ("terminated", 143) if signal.SIGTERM in _asked[:1] else ("interrupted", 130)


def install() -> None:
    signal.signal(signal.SIGINT, _raise)
    signal.signal(signal.SIGTERM, _raise)
