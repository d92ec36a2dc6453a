"""Stage 5b: delivery onto disk images (libguestfs)."""
