"""Stage 2: every rule each reader applies, checked before anything is written.

JSON Schemas (schemas/, json_schemas; compiled/: each compiled to Python), checks no
schema can express (checks, ssh_keys), user data and what cloud-init, coreos-cloudinit
and Ignition do with it (user_data, coreos_cloudinit with the structs it decodes into in
coreos_structs, ignition), NoCloud's meta-data (nocloud_meta), network documents
(network; converting them is layouts/network_config's), and the whole machine
(machine: MachineInputs -> Machine; files: the `validate` command). Internal: the
public API is `configdrive`.
"""
