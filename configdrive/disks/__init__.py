"""Stage 5 (beside formats): the validated inputs written into a disk image's own file systems.

partition_table reads an image's GPT or MBR (and checks a qcow2) on the host, before any
launch; busy finds processes that hold an image open for writing; copy makes the sparse
copy that `-o OUT` edits; appliance drives libguestfs's appliance VM through
guestfs_worker (run under the interpreter that has python3-guestfs); targets tells the OS
on an image from its labels and files and says where each reader looks; inject runs the
whole job for many images with one launch; inspection is `inspect IMAGE`.
Internal: the public API is `configdrive`.
"""
