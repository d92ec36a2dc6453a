"""`python -m configdrive` runs the command line."""

from configdrive.cli import main

main()
