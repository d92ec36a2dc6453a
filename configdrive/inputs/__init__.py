"""Stage 1: what the user gives. Files and bytes read with positions (documents), what kind
each input is (kinds), machine files and fleets. Internal: the public API is `configdrive`.
"""
