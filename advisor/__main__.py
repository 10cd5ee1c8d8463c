"""The entry point of `colab-advisor` and `python -m advisor`.

Ctrl-C is taken over before the command line's imports, which take a noticeable moment on a busy
machine: an interrupt then still ends as every other one does, not in a traceback.
"""

import signal
import sys


def run() -> int:
    pressed: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    except ValueError:  # not the main thread: leave Ctrl-C as it is
        previous = None
    from .cli import main, report_interrupted

    if previous is not None:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        return report_interrupted(sys.stderr)
    status = main()
    # The command is over and its status decided: an interrupt while the interpreter (and JAX)
    # shut down would only print a traceback over it.
    if previous is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return status


if __name__ == "__main__":
    sys.exit(run())
