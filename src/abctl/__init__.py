"""abctl: manage Apple Apps and Books licenses from the command line.

This module holds only the version, so that `import abctl` stays cheap.
"""

__version__ = "0.1.0"
