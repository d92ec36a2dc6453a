"""Interoperability tests: our drives as the real readers (cloud-init, xorriso, ...) see them."""
