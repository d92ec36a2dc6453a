"""`try`: boot a user's own cloud image with a drive attached and compare what cloud-init
applied with what the drive asked for.

`qemu` builds the qemu command line (KVM when usable, else TCG), reads the serial console
and powers the machine off; `expected` reads what the drive asks for with the project's read
side (drives); `applied` reads what the machine got from the copy-on-write overlay, read-only,
through libguestfs (disks.appliance) and compares the two; `run` ties them together.
With --metadata-service the drive stays out and the guest reaches a metadata service on the
host's loopback: `relay` is what qemu runs for each of the guest's connections to it.
"""
