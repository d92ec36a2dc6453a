"""Stage 1: what the user gives. Files and bytes read with positions (documents), what kind
each input is (kinds), machine files (machine_file) and fleets (fleet, which also builds a
fleet's drives in parallel through the API). Internal: the public API is `configdrive`.
"""
