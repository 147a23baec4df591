"""The console script `abctl` and `python -m abctl`.

`abctl --version` is answered here, before typer and rich are imported (they are most of a start-up's time).
Then abctl's command line is imported with `subprocess` deferred: typer's modules import it at start but use it
only to launch a program (`typer.launch`) or install shell completion; it is loaded when that happens.
"""

import sys

from abctl import __version__

DEFERRED = ("subprocess",)


def _place_stand_in(name: str) -> object:
    """Put in `sys.modules` a module object that imports the module `name` on its first attribute access, and
    then reads from it; return it."""
    import importlib
    import types

    class Deferred(types.ModuleType):
        def __getattr__(self, attribute: str) -> object:
            if attribute.startswith("__"):  # the import system's own questions (`__path__`...): not the module's
                raise AttributeError(attribute)
            if sys.modules.get(name) is self:
                del sys.modules[name]
            return getattr(importlib.import_module(name), attribute)

    stand_in = sys.modules[name] = Deferred(name)
    return stand_in


def import_deferring(module: str, deferred: tuple[str, ...] = DEFERRED) -> None:
    """Import `module` while an `import NAME` of a module in `deferred` not loaded yet gets a stand-in that loads
    it on first use. The stand-ins leave `sys.modules` right after: later importers get the real module."""
    import importlib

    placed = {name: _place_stand_in(name) for name in deferred if name not in sys.modules}
    try:
        importlib.import_module(module)
    finally:
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(f"abctl {__version__}\n")
        return
    try:
        import_deferring("abctl.cli.app")
        from abctl.cli.app import main as run  # loaded above

        run()
    except KeyboardInterrupt:  # Ctrl-C before any command started (while Python loads abctl): nothing was done
        sys.stderr.write("Interrupted before anything was done.\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
