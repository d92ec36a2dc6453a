"""The real-kernel test: Debian's kernel under QEMU mounts our drives with its own drivers."""
