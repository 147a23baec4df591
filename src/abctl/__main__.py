"""The console script `abctl` and `python -m abctl`.

`abctl --version` is answered here, before typer and rich are imported (they are most of a start-up's time).
"""

import sys

from abctl import __version__


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(f"abctl {__version__}\n")
        return
    try:
        from abctl.cli.app import main as run

        run()
    except KeyboardInterrupt:  # Ctrl-C before any command started (while Python loads abctl): nothing was done
        sys.stderr.write("Interrupted before anything was done.\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
