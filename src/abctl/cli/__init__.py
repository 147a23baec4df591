"""The command line: Typer only. Parses options, calls one service function, hands the result to output."""
