"""Stage 3: where each piece of a Machine goes on a drive: a DriveLayout of paths to contents.

openstack (config-2) and nocloud (cidata) are the two layouts; network_config converts
OpenStack network_data into the network-config a NoCloud seed needs; drive_layout is the
type every format writes. Internal: the public API is `configdrive`.
"""
