"""`python -m abctl` runs the command-line tool."""

from abctl.cli.app import main

main()
