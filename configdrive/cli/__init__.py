"""The command line: Typer commands (app), the input flags they share (options), what they
print (report, drive_report) and the progress bar (progress). Every command is one call into
the public API.
"""
