"""The read side: open any drive safely (drive, fat), say what each reader will make of it
(verdicts), and the commands on drives: inspect (inspection), extract and diff. Internal:
the public API is `configdrive`.
"""
