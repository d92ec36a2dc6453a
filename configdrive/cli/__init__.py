"""The command line. app is the `mkconfigdrive` group, which imports only the module of the
command being run: build_commands (build, build-many, validate, inject), read_commands
(inspect, extract, diff), distro_commands (image, oem), serve_commands (serve,
load-machines), trial_commands (try) and completion (shell completion). running holds what
they share (the Click class, common options, turning failures into exit codes); options the
input flags; report (TextReporter and JsonReporter) and drive_report (validate, inspect,
extract and diff's lines) what they print; progress the progress bar, drawn by rich. Every
command is one call into the public API.
"""
