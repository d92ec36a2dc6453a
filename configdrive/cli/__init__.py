"""The command line: Typer commands (app), the input flags they share (options), what they
print (report: TextReporter and JsonReporter; drive_report: the text lines of validate,
inspect, extract and diff), the progress bar (progress, drawn by rich) and shell completion
(completion). Every command is one call into the public API.
"""
