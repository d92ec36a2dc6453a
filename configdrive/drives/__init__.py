"""The read side: open any drive safely (drive, fat), say what each reader will make of it
(verdicts), and inspect, extract and diff drives. Internal: the public API is `configdrive`.
"""
