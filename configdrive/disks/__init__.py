"""Disk images: reading, copying and writing them (inject)."""
