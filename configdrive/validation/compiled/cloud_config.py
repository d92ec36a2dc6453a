"""Generated from schemas/cloud-config.schema.json by scripts/compile_schemas.py.

Do not edit: change the schema, then run `python scripts/compile_schemas.py`.

"""

from typing import Any

from configdrive.validation.compiled import equal, in_enum, is_integer, is_number, searcher, unique

search = searcher(
    '^.*\\Z',
    '^.+:.+\\Z',
    '^(([Ss][Uu][Nn]|[Mm][Oo][Nn]|[Tt][Uu][Ee]|[Ww][Ee][Dd]|[Tt][Hh][Uu]|[Ff][Rr][Ii]|[Ss][Aa][Tt]) )?0*([0-9]|1[0-9]|2[0-3]):0*([0-9]|[1-5][0-9])\\Z',
    '^[-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+\\Z',
    '^[-_0-9a-zA-Z]+(,[-_0-9a-zA-Z]+)*\\Z',
    '^.+$',
    '^all\\Z',
    '^\\+?[0-9]+\\Z',
    '^(now|\\+?[0-9]+)\\Z',
    '^(dsa|ecdsa|ed25519|rsa)_(public|private|certificate)$',
    '^(auto|([0-9]+)?\\.?[0-9]+[BKMGT])\\Z',
    '^([0-9]+)?\\.?[0-9]+[BKMGT]\\Z',
    '^(0?[0-7]{3,4}|0o[0-7]{3,4})\\Z',
)
_C0 = frozenset(['distro', 'pip'])
_C1 = frozenset(['path', 'source'])
_C2 = frozenset(['repositories', 'run_ansible'])
_C3 = frozenset(['actions'])
_C4 = frozenset(['accept_host_key', 'checkout', 'clean', 'connection', 'diff', 'full', 'module_name', 'module_path', 'playbook_name', 'private_key', 'scp_extra_args', 'sftp_extra_args', 'skip_tags', 'sleep', 'ssh_common_args', 'tags', 'timeout', 'url', 'vault_id', 'vault_password_file'])
_C5 = frozenset(['ansible_config', 'galaxy', 'install_method', 'package_name', 'pull', 'run_user', 'setup_controller'])
_C6 = frozenset(['base_url', 'community_enabled', 'testing_enabled', 'version'])
_C7 = frozenset(['alpine_repo', 'local_repo_base_url', 'preserve_repositories'])
_C8 = frozenset(['arches', 'key', 'keyid', 'keyserver', 'search', 'search_dns', 'uri'])
_C9 = frozenset[str]()
_C10 = frozenset(['append', 'filename', 'key', 'keyid', 'keyserver', 'source'])
_C11 = frozenset(['add_apt_repo_match', 'conf', 'debconf_selections', 'disable_suites', 'ftp_proxy', 'generate_mirrorlists', 'http_proxy', 'https_proxy', 'preserve_sources_list', 'primary', 'proxy', 'security', 'sources', 'sources_list'])
_C12 = frozenset(['none', 'os', 'unchanged'])
_C13 = frozenset(['disable', 'disable-system', 'disable-user', 'enable', 'enable-system', 'enable-user', 'system', 'user'])
_C14 = frozenset(['remove-defaults', 'remove_defaults', 'trusted'])
_C15 = frozenset(['gems', 'omnibus', 'packages'])
_C16 = frozenset(['chef_license', 'client_key', 'directories', 'encrypted_data_bag_secret', 'environment', 'exec', 'file_backup_path', 'file_cache_path', 'firstboot_path', 'force_install', 'initial_attributes', 'install_type', 'json_attribs', 'log_level', 'log_location', 'node_name', 'omnibus_url', 'omnibus_url_retries', 'omnibus_version', 'pid_file', 'run_list', 'server_url', 'show_time', 'ssl_verify_mode', 'validation_cert', 'validation_key', 'validation_name'])
_C17 = frozenset(['RANDOM', 'hash', 'text'])
_C18 = frozenset(['name', 'password', 'type'])
_C19 = frozenset(['expire', 'list', 'users'])
_C20 = frozenset(['ansible', 'apk-configure', 'apk_configure', 'apt-configure', 'apt-pipelining', 'apt_configure', 'apt_pipelining', 'bootcmd', 'byobu', 'ca-certs', 'ca_certs', 'chef', 'disable-ec2-metadata', 'disable_ec2_metadata', 'disk-setup', 'disk_setup', 'fan', 'final-message', 'final_message', 'growpart', 'grub-dpkg', 'grub_dpkg', 'install-hotplug', 'install_hotplug', 'keyboard', 'keys-to-console', 'keys_to_console', 'landscape', 'locale', 'lxd', 'mcollective', 'migrator', 'mounts', 'ntp', 'package-update-upgrade-install', 'package_update_upgrade_install', 'phone-home', 'phone_home', 'power-state-change', 'power_state_change', 'puppet', 'refresh-rmc-and-interface', 'refresh_rmc_and_interface', 'reset-rmc', 'reset_rmc', 'resizefs', 'resolv-conf', 'resolv_conf', 'rh-subscription', 'rh_subscription', 'rightscale-userdata', 'rightscale_userdata', 'rsyslog', 'runcmd', 'salt-minion', 'salt_minion', 'scripts-per-boot', 'scripts-per-instance', 'scripts-per-once', 'scripts-user', 'scripts-vendor', 'scripts_per_boot', 'scripts_per_instance', 'scripts_per_once', 'scripts_user', 'scripts_vendor', 'seed-random', 'seed_random', 'set-hostname', 'set-passwords', 'set_hostname', 'set_passwords', 'snap', 'spacewalk', 'ssh', 'ssh-authkey-fingerprints', 'ssh-import-id', 'ssh_authkey_fingerprints', 'ssh_import_id', 'timezone', 'ubuntu-advantage', 'ubuntu-autoinstall', 'ubuntu-drivers', 'ubuntu_advantage', 'ubuntu_autoinstall', 'ubuntu_drivers', 'update-etc-hosts', 'update-hostname', 'update_etc_hosts', 'update_hostname', 'users-groups', 'users_groups', 'wireguard', 'write-files', 'write-files-deferred', 'write_files', 'write_files_deferred', 'yum-add-repo', 'yum_add_repo', 'zypper-add-repo', 'zypper_add_repo'])
_C21 = ('on', 'off', 'readonly', True, False)
_C22 = frozenset(['etcd-cafile', 'etcd-certfile', 'etcd-endpoints', 'etcd-keyfile', 'etcd-password', 'etcd-prefix', 'etcd-username', 'etcd_cafile', 'etcd_certfile', 'etcd_endpoints', 'etcd_keyfile', 'etcd_password', 'etcd_prefix', 'etcd_username', 'interface', 'ip-masq', 'ip_masq', 'public-ip', 'public_ip', 'subnet-file', 'subnet_file'])
_C23 = frozenset(['endpoint', 'etcd-cafile', 'etcd-certfile', 'etcd-keyfile', 'etcd_cafile', 'etcd_certfile', 'etcd_keyfile', 'group', 'window-length', 'window-start', 'window_length', 'window_start'])
_C24 = frozenset(['bug-report-url', 'bug_report_url', 'home-url', 'home_url', 'id', 'name', 'version-id', 'version_id'])
_C25 = ('etcd-lock', 'reboot', 'off', 'best-effort', False)
_C26 = frozenset(['group', 'reboot-strategy', 'reboot_strategy', 'server'])
_C27 = frozenset(['reload', 'reload-or-restart', 'reload-or-try-restart', 'restart', 'start', 'stop', 'try-restart'])
_C28 = frozenset(['content', 'name'])
_C29 = frozenset(['command', 'content', 'drop-ins', 'drop_ins', 'enable', 'mask', 'name', 'runtime'])
_C30 = frozenset(['etcd', 'etcd2', 'flannel', 'fleet', 'locksmith', 'oem', 'units', 'update'])
_C31 = frozenset(['gpt', 'mbr'])
_C32 = frozenset(['layout', 'overwrite', 'table_type'])
_C33 = frozenset(['license-accepted', 'version'])
_C34 = frozenset(['nvidia'])
_C35 = frozenset(['config', 'config_path'])
_C36 = frozenset(['cmd', 'device', 'extra_opts', 'filesystem', 'label', 'overwrite', 'partition', 'replace_fs'])
_C37 = ('auto', 'growpart', 'gpart', 'off', False)
_C38 = frozenset(['devices', 'ignore_growroot_disabled', 'mode'])
_C39 = frozenset(['enabled', 'grub-pc/install_devices', 'grub-pc/install_devices_empty'])
_C40 = frozenset(['layout', 'model', 'options', 'variant'])
_C41 = frozenset(['critical', 'debug', 'error', 'info', 'warning'])
_C42 = frozenset(['client'])
_C43 = frozenset(['btrfs', 'dir', 'lvm', 'zfs'])
_C44 = frozenset(['network_address', 'network_port', 'storage_backend', 'storage_create_device', 'storage_create_loop', 'storage_pool', 'trust_password'])
_C45 = frozenset(['existing', 'new', 'none'])
_C46 = frozenset(['domain', 'ipv4_address', 'ipv4_dhcp_first', 'ipv4_dhcp_last', 'ipv4_dhcp_leases', 'ipv4_nat', 'ipv4_netmask', 'ipv6_address', 'ipv6_nat', 'ipv6_netmask', 'mode', 'mtu', 'name'])
_C47 = frozenset(['bridge', 'init', 'preseed'])
_C48 = (True, False, 'localhost', 'template')
_C49 = frozenset(['private-cert', 'public-cert'])
_C50 = frozenset(['conf'])
_C51 = frozenset(['check_exe', 'confpath', 'packages', 'service_name', 'template'])
_C52 = frozenset(['allow', 'config', 'enabled', 'ntp_client', 'peers', 'pools', 'servers'])
_C53 = frozenset(['fqdn', 'hostname', 'instance_id', 'pub_key_dsa', 'pub_key_ecdsa', 'pub_key_ed25519', 'pub_key_rsa'])
_C54 = frozenset(['post', 'tries', 'url'])
_C55 = frozenset(['halt', 'poweroff', 'reboot'])
_C56 = frozenset(['condition', 'delay', 'message', 'mode', 'timeout'])
_C57 = frozenset(['aio', 'packages'])
_C58 = frozenset(['agent', 'ca_cert', 'main', 'server', 'user'])
_C59 = frozenset(['custom_attributes', 'extension_requests'])
_C60 = frozenset(['aio_install_url', 'cleanup', 'collection', 'conf', 'conf_file', 'csr_attributes', 'csr_attributes_path', 'exec', 'exec_args', 'install', 'install_type', 'package_name', 'ssl_dir', 'start_service', 'version'])
_C61 = frozenset(['b64', 'base64', 'gz', 'gzip', 'raw'])
_C62 = frozenset(['command', 'command_required', 'data', 'encoding', 'file'])
_C63 = frozenset(['log'])
_C64 = frozenset(['DEBUG', 'ERROR', 'FATAL', 'INFO', 'WARN'])
_C65 = frozenset(['level', 'type'])
_C66 = frozenset(['print'])
_C67 = frozenset(['type'])
_C68 = frozenset(['webhook'])
_C69 = frozenset(['consumer_key', 'consumer_secret', 'endpoint', 'retries', 'timeout', 'token_key', 'token_secret', 'type'])
_C70 = frozenset(['hyperv'])
_C71 = frozenset(['event_types', 'kvp_file_path', 'type'])
_C72 = (True, False, 'noblock')
_C73 = frozenset(['domain', 'nameservers', 'options', 'searchdomains', 'sortlist'])
_C74 = frozenset(['activation-key', 'add-pool', 'auto-attach', 'disable-repo', 'enable-repo', 'org', 'password', 'rhsm-baseurl', 'server-hostname', 'service-level', 'username'])
_C75 = frozenset(['content', 'filename'])
_C76 = frozenset(['auto'])
_C77 = frozenset(['config_dir', 'config_filename', 'configs', 'remotes', 'service_reload_command'])
_C78 = frozenset(['conf', 'config_dir', 'grains', 'pkg_name', 'pki_dir', 'private_key', 'public_key', 'service_name'])
_C79 = frozenset(['assertions', 'commands'])
_C80 = frozenset(['activation_key', 'proxy', 'server'])
_C81 = frozenset(['emit_keys_to_console'])
_C82 = frozenset(['dsa', 'ecdsa', 'ed25519', 'rsa'])
_C83 = frozenset(['blacklist', 'enabled'])
_C84 = frozenset(['filename', 'maxsize', 'size'])
_C85 = frozenset(['disable_auto_attach'])
_C86 = frozenset(['config', 'enable', 'enable_beta', 'features', 'token'])
_C87 = frozenset(['boot', 'boot-legacy', 'boot-new-instance', 'hotplug'])
_C88 = frozenset(['when'])
_C89 = frozenset(['network'])
_C90 = False
_C91 = frozenset(['coreos-ssh-import-github', 'coreos-ssh-import-github-users', 'coreos-ssh-import-url', 'coreos_ssh_import_github', 'coreos_ssh_import_github_users', 'coreos_ssh_import_url', 'create-groups', 'create_groups', 'doas', 'expiredate', 'gecos', 'groups', 'hashed-passwd', 'hashed_passwd', 'homedir', 'inactive', 'lock-passwd', 'lock_passwd', 'name', 'no-create-home', 'no-log-init', 'no-user-group', 'no_create_home', 'no_log_init', 'no_user_group', 'passwd', 'plain-text-passwd', 'plain_text_passwd', 'primary-group', 'primary_group', 'selinux-user', 'selinux_user', 'shell', 'snapuser', 'ssh-authorized-keys', 'ssh-import-id', 'ssh-redirect-user', 'ssh_authorized_keys', 'ssh_import_id', 'ssh_redirect_user', 'sudo', 'system', 'uid'])
_C92 = frozenset(['enabled', 'prefix'])
_C93 = frozenset(['config_path', 'content', 'name'])
_C94 = frozenset(['interfaces', 'readinessprobe'])
_C95 = frozenset(['b64', 'base64', 'gz', 'gz+b64', 'gz+base64', 'gzip', 'gzip+b64', 'gzip+base64', 'text/plain'])
_C96 = frozenset(['append', 'content', 'defer', 'encoding', 'owner', 'path', 'permissions', 'source'])
_C97 = frozenset(['baseurl', 'enabled', 'metalink', 'mirrorlist', 'name'])
_C98 = frozenset(['add_apt_repo_match', 'allow_public_ssh_keys', 'ansible', 'apk_repos', 'apt', 'apt_custom_sources_list', 'apt_ftp_proxy', 'apt_http_proxy', 'apt_https_proxy', 'apt_mirror', 'apt_mirror_search', 'apt_mirror_search_dns', 'apt_pipelining', 'apt_preserve_sources_list', 'apt_proxy', 'apt_reboot_if_required', 'apt_sources', 'apt_update', 'apt_upgrade', 'authkey_hash', 'autoinstall', 'bootcmd', 'byobu_by_default', 'ca-certs', 'ca_certs', 'chef', 'chpasswd', 'cloud_config_modules', 'cloud_final_modules', 'cloud_init_modules', 'coreos', 'create_hostname_file', 'device_aliases', 'disable_ec2_metadata', 'disable_piwiz', 'disable_root', 'disable_root_opts', 'disk_setup', 'drivers', 'enable_rpi_connect', 'fan', 'final_message', 'fqdn', 'fs_setup', 'groups', 'growpart', 'grub-dpkg', 'grub_dpkg', 'hostname', 'keyboard', 'landscape', 'launch-index', 'locale', 'locale_configfile', 'lxd', 'manage-etc-hosts', 'manage_etc_hosts', 'manage_resolv_conf', 'mcollective', 'merge_how', 'merge_type', 'migrate', 'mount_default_fields', 'mounts', 'no_ssh_fingerprints', 'ntp', 'output', 'package_reboot_if_required', 'package_update', 'package_upgrade', 'packages', 'password', 'phone_home', 'power_state', 'prefer_fqdn_over_hostname', 'preserve_hostname', 'puppet', 'random_seed', 'reporting', 'resize_rootfs', 'resolv_conf', 'rh_subscription', 'rpi_interfaces', 'rpi_userconf', 'rsyslog', 'runcmd', 'salt_minion', 'snap', 'spacewalk', 'ssh', 'ssh-authorized-keys', 'ssh_authorized_keys', 'ssh_deletekeys', 'ssh_fp_console_blacklist', 'ssh_genkeytypes', 'ssh_import_id', 'ssh_key_console_blacklist', 'ssh_keys', 'ssh_publish_hostkeys', 'ssh_pwauth', 'ssh_quiet_keygen', 'swap', 'system_info', 'timezone', 'ubuntu_advantage', 'ubuntu_pro', 'updates', 'user', 'users', 'vendor_data', 'version', 'wireguard', 'write-files', 'write_files', 'yum_repo_dir', 'yum_repos', 'zypper'])
TYPOS: dict[str, Any] = {'additionalProperties': False,
 'properties': {'ansible': {'additionalProperties': False,
                            'properties': {'setup_controller': {'additionalProperties': False,
                                                                'properties': {'run_ansible': {'items': {'properties': {'playbook_name': {},
                                                                                                                        'playbook_dir': {},
                                                                                                                        'become_password_file': {},
                                                                                                                        'connection_password_file': {},
                                                                                                                        'list_hosts': {},
                                                                                                                        'syntax_check': {},
                                                                                                                        'timeout': {},
                                                                                                                        'vault_id': {},
                                                                                                                        'vault_password_file': {},
                                                                                                                        'background': {},
                                                                                                                        'check': {},
                                                                                                                        'diff': {},
                                                                                                                        'module_path': {},
                                                                                                                        'poll': {},
                                                                                                                        'args': {},
                                                                                                                        'extra_vars': {},
                                                                                                                        'forks': {},
                                                                                                                        'inventory': {},
                                                                                                                        'scp_extra_args': {},
                                                                                                                        'sftp_extra_args': {},
                                                                                                                        'private_key': {},
                                                                                                                        'connection': {},
                                                                                                                        'module_name': {},
                                                                                                                        'sleep': {},
                                                                                                                        'tags': {},
                                                                                                                        'skip_tags': {}}}}}}}},
                'autoinstall': {'properties': {'version': {}}},
                'coreos': {'additionalProperties': False,
                           'properties': {'etcd2': {'properties': {'proxy': {}}}}},
                'landscape': {'additionalProperties': False,
                              'properties': {'client': {'properties': {'url': {},
                                                                       'ping_url': {},
                                                                       'data_path': {},
                                                                       'log_level': {},
                                                                       'computer_title': {},
                                                                       'account_name': {},
                                                                       'registration_key': {},
                                                                       'tags': {},
                                                                       'http_proxy': {},
                                                                       'https_proxy': {}}}}},
                'ubuntu_advantage': {'additionalProperties': False,
                                     'properties': {'config': {'properties': {'http_proxy': {},
                                                                              'https_proxy': {},
                                                                              'global_apt_http_proxy': {},
                                                                              'global_apt_https_proxy': {},
                                                                              'ua_apt_http_proxy': {},
                                                                              'ua_apt_https_proxy': {}}}}},
                'zypper': {'properties': {'repos': {'items': {'properties': {'id': {},
                                                                             'baseurl': {}}}},
                                          'config': {}}}}}


def clean(data: Any) -> bool:
    """Whether jsonschema, extended as json_schemas does, finds nothing in `data`."""
    return _s0(data)


def _s1(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    return True


def _s2(d: Any) -> bool:
    if not (isinstance(d, bool)):
        return False
    return True


def _s4(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C0):
        return False
    return True


def _s7(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'path' in d and not _s1(d['path']):
            return False
        if 'source' in d and not _s1(d['source']):
            return False
        for k in d:
            if k not in _C1:
                return False
        if 'path' not in d:
            return False
        if 'source' not in d:
            return False
    return True


def _s6(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s7(item):
                return False
    return True


def _s10(d: Any) -> bool:
    if not (is_number(d)):
        return False
    if is_number(d):
        if d < 0:
            return False
    return True


def _s9(d: Any) -> bool:
    if isinstance(d, dict):
        if 'playbook_name' in d and not _s1(d['playbook_name']):
            return False
        if 'playbook_dir' in d and not _s1(d['playbook_dir']):
            return False
        if 'become_password_file' in d and not _s1(d['become_password_file']):
            return False
        if 'connection_password_file' in d and not _s1(d['connection_password_file']):
            return False
        if 'list_hosts' in d and not _s2(d['list_hosts']):
            return False
        if 'syntax_check' in d and not _s2(d['syntax_check']):
            return False
        if 'timeout' in d and not _s10(d['timeout']):
            return False
        if 'vault_id' in d and not _s1(d['vault_id']):
            return False
        if 'vault_password_file' in d and not _s1(d['vault_password_file']):
            return False
        if 'background' in d and not _s10(d['background']):
            return False
        if 'check' in d and not _s2(d['check']):
            return False
        if 'diff' in d and not _s2(d['diff']):
            return False
        if 'module_path' in d and not _s1(d['module_path']):
            return False
        if 'poll' in d and not _s10(d['poll']):
            return False
        if 'args' in d and not _s1(d['args']):
            return False
        if 'extra_vars' in d and not _s1(d['extra_vars']):
            return False
        if 'forks' in d and not _s10(d['forks']):
            return False
        if 'inventory' in d and not _s1(d['inventory']):
            return False
        if 'scp_extra_args' in d and not _s1(d['scp_extra_args']):
            return False
        if 'sftp_extra_args' in d and not _s1(d['sftp_extra_args']):
            return False
        if 'private_key' in d and not _s1(d['private_key']):
            return False
        if 'connection' in d and not _s1(d['connection']):
            return False
        if 'module_name' in d and not _s1(d['module_name']):
            return False
        if 'sleep' in d and not _s1(d['sleep']):
            return False
        if 'tags' in d and not _s1(d['tags']):
            return False
        if 'skip_tags' in d and not _s1(d['skip_tags']):
            return False
    return True


def _s8(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s9(item):
                return False
    return True


def _s5(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'repositories' in d and not _s6(d['repositories']):
            return False
        if 'run_ansible' in d and not _s8(d['run_ansible']):
            return False
        for k in d:
            if k not in _C2:
                return False
    return True


def _s14(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if isinstance(d, str):
        if not search(0, d):
            return False
    return True


def _s13(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s14(item):
                return False
    return True


def _s12(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s13(item):
                return False
    return True


def _s11(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'actions' in d and not _s12(d['actions']):
            return False
        for k in d:
            if k not in _C3:
                return False
        if 'actions' not in d:
            return False
    return True


def _s15(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'accept_host_key' in d and not _s2(d['accept_host_key']):
            return False
        if 'clean' in d and not _s2(d['clean']):
            return False
        if 'full' in d and not _s2(d['full']):
            return False
        if 'diff' in d and not _s2(d['diff']):
            return False
        if 'ssh_common_args' in d and not _s1(d['ssh_common_args']):
            return False
        if 'scp_extra_args' in d and not _s1(d['scp_extra_args']):
            return False
        if 'sftp_extra_args' in d and not _s1(d['sftp_extra_args']):
            return False
        if 'private_key' in d and not _s1(d['private_key']):
            return False
        if 'checkout' in d and not _s1(d['checkout']):
            return False
        if 'module_path' in d and not _s1(d['module_path']):
            return False
        if 'timeout' in d and not _s1(d['timeout']):
            return False
        if 'url' in d and not _s1(d['url']):
            return False
        if 'connection' in d and not _s1(d['connection']):
            return False
        if 'vault_id' in d and not _s1(d['vault_id']):
            return False
        if 'vault_password_file' in d and not _s1(d['vault_password_file']):
            return False
        if 'module_name' in d and not _s1(d['module_name']):
            return False
        if 'sleep' in d and not _s1(d['sleep']):
            return False
        if 'tags' in d and not _s1(d['tags']):
            return False
        if 'skip_tags' in d and not _s1(d['skip_tags']):
            return False
        if 'playbook_name' in d and not _s1(d['playbook_name']):
            return False
        for k in d:
            if k not in _C4:
                return False
        if 'url' not in d:
            return False
        if 'playbook_name' not in d:
            return False
    return True


def _s3(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'install_method' in d and not _s4(d['install_method']):
            return False
        if 'run_user' in d and not _s1(d['run_user']):
            return False
        if 'ansible_config' in d and not _s1(d['ansible_config']):
            return False
        if 'setup_controller' in d and not _s5(d['setup_controller']):
            return False
        if 'galaxy' in d and not _s11(d['galaxy']):
            return False
        if 'package_name' in d and not _s1(d['package_name']):
            return False
        if 'pull' in d and not _s15(d['pull']):
            return False
        for k in d:
            if k not in _C5:
                return False
    return True


def _s17(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'base_url' in d and not _s1(d['base_url']):
            return False
        if 'community_enabled' in d and not _s2(d['community_enabled']):
            return False
        if 'testing_enabled' in d and not _s2(d['testing_enabled']):
            return False
        if 'version' in d and not _s1(d['version']):
            return False
        for k in d:
            if k not in _C6:
                return False
        if 'version' not in d:
            return False
        if len(d) < 1:
            return False
    return True


def _s16(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'preserve_repositories' in d and not _s2(d['preserve_repositories']):
            return False
        if 'alpine_repo' in d and not _s17(d['alpine_repo']):
            return False
        if 'local_repo_base_url' in d and not _s1(d['local_repo_base_url']):
            return False
        for k in d:
            if k not in _C7:
                return False
        if len(d) < 1:
            return False
    return True


def _s20(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s1(item):
                return False
    return True


def _s22(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'arches' in d and not _s20(d['arches']):
            return False
        if 'uri' in d and not _s1(d['uri']):
            return False
        if 'search' in d and not _s20(d['search']):
            return False
        if 'search_dns' in d and not _s2(d['search_dns']):
            return False
        if 'keyid' in d and not _s1(d['keyid']):
            return False
        if 'key' in d and not _s1(d['key']):
            return False
        if 'keyserver' in d and not _s1(d['keyserver']):
            return False
        for k in d:
            if k not in _C8:
                return False
        if 'arches' not in d:
            return False
    return True


def _s21(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s22(item):
                return False
    return True


def _s23(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C9 and not _s1(d[k]):
                return False
    return True


def _s25(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'source' in d and not _s1(d['source']):
            return False
        if 'keyid' in d and not _s1(d['keyid']):
            return False
        if 'key' in d and not _s1(d['key']):
            return False
        if 'keyserver' in d and not _s1(d['keyserver']):
            return False
        if 'filename' in d and not _s1(d['filename']):
            return False
        if 'append' in d and not _s2(d['append']):
            return False
        for k in d:
            if k not in _C10:
                return False
    return True


def _s24(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C9 and not _s25(d[k]):
                return False
    return True


def _s19(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'preserve_sources_list' in d and not _s2(d['preserve_sources_list']):
            return False
        if 'generate_mirrorlists' in d and not _s2(d['generate_mirrorlists']):
            return False
        if 'disable_suites' in d and not _s20(d['disable_suites']):
            return False
        if 'primary' in d and not _s21(d['primary']):
            return False
        if 'security' in d and not _s21(d['security']):
            return False
        if 'add_apt_repo_match' in d and not _s1(d['add_apt_repo_match']):
            return False
        if 'debconf_selections' in d and not _s23(d['debconf_selections']):
            return False
        if 'sources_list' in d and not _s1(d['sources_list']):
            return False
        if 'conf' in d and not _s1(d['conf']):
            return False
        if 'proxy' in d and not _s1(d['proxy']):
            return False
        if 'http_proxy' in d and not _s1(d['http_proxy']):
            return False
        if 'https_proxy' in d and not _s1(d['https_proxy']):
            return False
        if 'ftp_proxy' in d and not _s1(d['ftp_proxy']):
            return False
        if 'sources' in d and not _s24(d['sources']):
            return False
        for k in d:
            if k not in _C11:
                return False
        if len(d) < 1:
            return False
    return True


def _s18(d: Any) -> bool:
    if not _s19(d):
        return False
    return True


def _s26(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    return True


def _s28(d: Any) -> bool:
    if not (isinstance(d, str) and d in _C12):
        return False
    return True


def _s27(d: Any) -> bool:
    if not (is_integer(d) or isinstance(d, bool) or isinstance(d, str)):
        return False
    if _s1(d) and not _s28(d):
        return False
    return True


def _s29(d: Any) -> bool:
    return False
    return True


def _s30(d: Any) -> bool:
    if not (isinstance(d, list) or isinstance(d, dict)):
        return False
    return True


def _s31(d: Any) -> bool:
    return False
    return True


def _s32(d: Any) -> bool:
    return False
    return True


def _s34(d: Any) -> bool:
    if not (is_integer(d)):
        return False
    return True


def _s33(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'version' in d and not _s34(d['version']):
            return False
        if 'version' not in d:
            return False
    return True


def _s36(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s1(item):
                return False
    return True


def _s35(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s36(item):
                return False
        if len(d) < 1:
            return False
    return True


def _s37(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C13):
        return False
    return True


def _s38(d: Any) -> bool:
    return False
    return True


def _s41(d: Any) -> bool:
    return False
    return True


def _s40(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'remove_defaults' in d and not _s2(d['remove_defaults']):
            return False
        if 'remove-defaults' in d and not _s41(d['remove-defaults']):
            return False
        if 'trusted' in d and not _s20(d['trusted']):
            return False
        for k in d:
            if k not in _C14:
                return False
        if len(d) < 1:
            return False
    return True


def _s39(d: Any) -> bool:
    if not _s40(d):
        return False
    return True


def _s43(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s1(item):
                return False
        if len(d) < 1:
            return False
        if not unique(d):
            return False
    return True


def _s44(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s1(item):
                return False
    return True


def _s45(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C15):
        return False
    return True


def _s42(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'directories' in d and not _s43(d['directories']):
            return False
        if 'validation_cert' in d and not _s1(d['validation_cert']):
            return False
        if 'validation_key' in d and not _s1(d['validation_key']):
            return False
        if 'firstboot_path' in d and not _s1(d['firstboot_path']):
            return False
        if 'exec' in d and not _s2(d['exec']):
            return False
        if 'client_key' in d and not _s1(d['client_key']):
            return False
        if 'encrypted_data_bag_secret' in d and not _s1(d['encrypted_data_bag_secret']):
            return False
        if 'environment' in d and not _s1(d['environment']):
            return False
        if 'file_backup_path' in d and not _s1(d['file_backup_path']):
            return False
        if 'file_cache_path' in d and not _s1(d['file_cache_path']):
            return False
        if 'json_attribs' in d and not _s1(d['json_attribs']):
            return False
        if 'log_level' in d and not _s1(d['log_level']):
            return False
        if 'log_location' in d and not _s1(d['log_location']):
            return False
        if 'node_name' in d and not _s1(d['node_name']):
            return False
        if 'omnibus_url' in d and not _s1(d['omnibus_url']):
            return False
        if 'omnibus_url_retries' in d and not _s34(d['omnibus_url_retries']):
            return False
        if 'omnibus_version' in d and not _s1(d['omnibus_version']):
            return False
        if 'pid_file' in d and not _s1(d['pid_file']):
            return False
        if 'server_url' in d and not _s1(d['server_url']):
            return False
        if 'show_time' in d and not _s2(d['show_time']):
            return False
        if 'ssl_verify_mode' in d and not _s1(d['ssl_verify_mode']):
            return False
        if 'validation_name' in d and not _s1(d['validation_name']):
            return False
        if 'force_install' in d and not _s2(d['force_install']):
            return False
        if 'initial_attributes' in d and not _s44(d['initial_attributes']):
            return False
        if 'install_type' in d and not _s45(d['install_type']):
            return False
        if 'run_list' in d and not _s20(d['run_list']):
            return False
        if 'chef_license' in d and not _s1(d['chef_license']):
            return False
        for k in d:
            if k not in _C16:
                return False
        if len(d) < 1:
            return False
    return True


def _s49(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if isinstance(d, str):
        if not search(1, d):
            return False
    return True


def _s48(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s49(item):
                return False
    return True


def _s53(d: Any) -> bool:
    if not d == 'RANDOM':
        return False
    return True


def _s52(d: Any) -> bool:
    if isinstance(d, dict):
        if 'type' in d and not _s53(d['type']):
            return False
        if 'type' not in d:
            return False
    return True


def _s54(d: Any) -> bool:
    if isinstance(d, dict):
        if 'password' not in d:
            return False
    return True


def _s55(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C17):
        return False
    return True


def _s51(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if not _s52(d) and not _s54(d):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s1(d['name']):
            return False
        if 'password' in d and not _s1(d['password']):
            return False
        if 'type' in d and not _s55(d['type']):
            return False
        for k in d:
            if k not in _C18:
                return False
        if 'name' not in d:
            return False
    return True


def _s50(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s51(item):
                return False
    return True


def _s47(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'expire' in d and not _s2(d['expire']):
            return False
        if 'list' in d and not _s48(d['list']):
            return False
        if 'users' in d and not _s50(d['users']):
            return False
        for k in d:
            if k not in _C19:
                return False
    return True


def _s46(d: Any) -> bool:
    if not _s47(d):
        return False
    return True


def _s59(d: Any) -> bool:
    if not (isinstance(d, str) and d in _C20):
        return False
    return True


def _s58(d: Any) -> bool:
    if (_s59(d) + _s26(d)) != 1:
        return False
    return True


def _s57(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s58(item):
                return False
    return True


def _s56(d: Any) -> bool:
    if not _s57(d):
        return False
    return True


def _s62(d: Any) -> bool:
    if not (isinstance(d, str) or is_number(d) or isinstance(d, bool)):
        return False
    return True


def _s61(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C9 and not _s62(d[k]):
                return False
    return True


def _s64(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, bool)):
        return False
    if not in_enum(d, _C21):
        return False
    return True


def _s63(d: Any) -> bool:
    if not _s61(d):
        return False
    if isinstance(d, dict):
        if 'proxy' in d and not _s64(d['proxy']):
            return False
    return True


def _s66(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, bool)):
        return False
    return True


def _s65(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'etcd_endpoints' in d and not _s1(d['etcd_endpoints']):
            return False
        if 'etcd-endpoints' in d and not _s1(d['etcd-endpoints']):
            return False
        if 'etcd_cafile' in d and not _s1(d['etcd_cafile']):
            return False
        if 'etcd-cafile' in d and not _s1(d['etcd-cafile']):
            return False
        if 'etcd_certfile' in d and not _s1(d['etcd_certfile']):
            return False
        if 'etcd-certfile' in d and not _s1(d['etcd-certfile']):
            return False
        if 'etcd_keyfile' in d and not _s1(d['etcd_keyfile']):
            return False
        if 'etcd-keyfile' in d and not _s1(d['etcd-keyfile']):
            return False
        if 'etcd_prefix' in d and not _s1(d['etcd_prefix']):
            return False
        if 'etcd-prefix' in d and not _s1(d['etcd-prefix']):
            return False
        if 'etcd_username' in d and not _s1(d['etcd_username']):
            return False
        if 'etcd-username' in d and not _s1(d['etcd-username']):
            return False
        if 'etcd_password' in d and not _s1(d['etcd_password']):
            return False
        if 'etcd-password' in d and not _s1(d['etcd-password']):
            return False
        if 'ip_masq' in d and not _s66(d['ip_masq']):
            return False
        if 'ip-masq' in d and not _s66(d['ip-masq']):
            return False
        if 'subnet_file' in d and not _s1(d['subnet_file']):
            return False
        if 'subnet-file' in d and not _s1(d['subnet-file']):
            return False
        if 'interface' in d and not _s1(d['interface']):
            return False
        if 'public_ip' in d and not _s1(d['public_ip']):
            return False
        if 'public-ip' in d and not _s1(d['public-ip']):
            return False
        for k in d:
            if k not in _C22:
                return False
    return True


def _s68(d: Any) -> bool:
    if not (isinstance(d, str) or is_integer(d)):
        return False
    if isinstance(d, str):
        if not search(2, d):
            return False
    if is_number(d):
        if d < 0:
            return False
        if d > 1439:
            return False
    return True


def _s69(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if isinstance(d, str):
        if not search(3, d):
            return False
    return True


def _s67(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'endpoint' in d and not _s1(d['endpoint']):
            return False
        if 'etcd_cafile' in d and not _s1(d['etcd_cafile']):
            return False
        if 'etcd-cafile' in d and not _s1(d['etcd-cafile']):
            return False
        if 'etcd_certfile' in d and not _s1(d['etcd_certfile']):
            return False
        if 'etcd-certfile' in d and not _s1(d['etcd-certfile']):
            return False
        if 'etcd_keyfile' in d and not _s1(d['etcd_keyfile']):
            return False
        if 'etcd-keyfile' in d and not _s1(d['etcd-keyfile']):
            return False
        if 'group' in d and not _s1(d['group']):
            return False
        if 'window_start' in d and not _s68(d['window_start']):
            return False
        if 'window-start' in d and not _s68(d['window-start']):
            return False
        if 'window_length' in d and not _s69(d['window_length']):
            return False
        if 'window-length' in d and not _s69(d['window-length']):
            return False
        for k in d:
            if k not in _C23:
                return False
    return True


def _s71(d: Any) -> bool:
    if not (isinstance(d, str) or is_number(d)):
        return False
    return True


def _s70(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'id' in d and not _s1(d['id']):
            return False
        if 'name' in d and not _s1(d['name']):
            return False
        if 'version_id' in d and not _s71(d['version_id']):
            return False
        if 'version-id' in d and not _s71(d['version-id']):
            return False
        if 'home_url' in d and not _s1(d['home_url']):
            return False
        if 'home-url' in d and not _s1(d['home-url']):
            return False
        if 'bug_report_url' in d and not _s1(d['bug_report_url']):
            return False
        if 'bug-report-url' in d and not _s1(d['bug-report-url']):
            return False
        for k in d:
            if k not in _C24:
                return False
    return True


def _s73(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, bool)):
        return False
    if not in_enum(d, _C25):
        return False
    return True


def _s72(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'reboot_strategy' in d and not _s73(d['reboot_strategy']):
            return False
        if 'reboot-strategy' in d and not _s73(d['reboot-strategy']):
            return False
        if 'group' in d and not _s1(d['group']):
            return False
        if 'server' in d and not _s1(d['server']):
            return False
        for k in d:
            if k not in _C26:
                return False
    return True


def _s76(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C27):
        return False
    return True


def _s78(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s1(d['name']):
            return False
        if 'content' in d and not _s1(d['content']):
            return False
        for k in d:
            if k not in _C28:
                return False
        if 'name' not in d:
            return False
    return True


def _s77(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s78(item):
                return False
    return True


def _s75(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s1(d['name']):
            return False
        if 'mask' in d and not _s2(d['mask']):
            return False
        if 'enable' in d and not _s2(d['enable']):
            return False
        if 'runtime' in d and not _s2(d['runtime']):
            return False
        if 'content' in d and not _s1(d['content']):
            return False
        if 'command' in d and not _s76(d['command']):
            return False
        if 'drop_ins' in d and not _s77(d['drop_ins']):
            return False
        if 'drop-ins' in d and not _s77(d['drop-ins']):
            return False
        for k in d:
            if k not in _C29:
                return False
        if 'name' not in d:
            return False
    return True


def _s74(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s75(item):
                return False
    return True


def _s60(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'etcd' in d and not _s61(d['etcd']):
            return False
        if 'etcd2' in d and not _s63(d['etcd2']):
            return False
        if 'fleet' in d and not _s61(d['fleet']):
            return False
        if 'flannel' in d and not _s65(d['flannel']):
            return False
        if 'locksmith' in d and not _s67(d['locksmith']):
            return False
        if 'oem' in d and not _s70(d['oem']):
            return False
        if 'update' in d and not _s72(d['update']):
            return False
        if 'units' in d and not _s74(d['units']):
            return False
        for k in d:
            if k not in _C30:
                return False
    return True


def _s82(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C31):
        return False
    return True


def _s85(d: Any) -> bool:
    if not (is_integer(d) or isinstance(d, str)):
        return False
    return True


def _s84(d: Any) -> bool:
    if not (is_integer(d) or isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s85(item):
                return False
        if len(d) < 2:
            return False
        if len(d) > 2:
            return False
    return True


def _s83(d: Any) -> bool:
    if not (isinstance(d, bool) or isinstance(d, str) or isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s84(item):
                return False
    return True


def _s81(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'table_type' in d and not _s82(d['table_type']):
            return False
        if 'layout' in d and not _s83(d['layout']):
            return False
        if 'overwrite' in d and not _s2(d['overwrite']):
            return False
        for k in d:
            if k not in _C32:
                return False
    return True


def _s80(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C9 and not _s81(d[k]):
                return False
    return True


def _s79(d: Any) -> bool:
    if not _s80(d):
        return False
    return True


def _s87(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'license-accepted' in d and not _s2(d['license-accepted']):
            return False
        if 'version' in d and not _s1(d['version']):
            return False
        for k in d:
            if k not in _C33:
                return False
        if 'license-accepted' not in d:
            return False
    return True


def _s86(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'nvidia' in d and not _s87(d['nvidia']):
            return False
        for k in d:
            if k not in _C34:
                return False
    return True


def _s88(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'config' in d and not _s1(d['config']):
            return False
        if 'config_path' in d and not _s1(d['config_path']):
            return False
        for k in d:
            if k not in _C35:
                return False
        if 'config' not in d:
            return False
    return True


def _s92(d: Any) -> bool:
    if not (isinstance(d, str) or is_integer(d)):
        return False
    return True


def _s91(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'label' in d and not _s1(d['label']):
            return False
        if 'filesystem' in d and not _s1(d['filesystem']):
            return False
        if 'device' in d and not _s1(d['device']):
            return False
        if 'partition' in d and not _s92(d['partition']):
            return False
        if 'overwrite' in d and not _s2(d['overwrite']):
            return False
        if 'replace_fs' in d and not _s1(d['replace_fs']):
            return False
        if 'extra_opts' in d and not _s36(d['extra_opts']):
            return False
        if 'cmd' in d and not _s36(d['cmd']):
            return False
        for k in d:
            if k not in _C36:
                return False
    return True


def _s90(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s91(item):
                return False
    return True


def _s89(d: Any) -> bool:
    if not _s90(d):
        return False
    return True


def _s96(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    return True


def _s97(d: Any) -> bool:
    if isinstance(d, dict):
        for k in d:
            if k not in _C9 and not _s36(d[k]):
                return False
    return True


def _s95(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, dict)):
        return False
    if _s96(d) and not _s97(d):
        return False
    return True


def _s94(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, list) or isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C9 and not _s36(d[k]):
                return False
    if isinstance(d, list):
        for item in d:
            if not _s95(item):
                return False
        if len(d) < 1:
            return False
    return True


def _s93(d: Any) -> bool:
    if not _s94(d):
        return False
    return True


def _s100(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, bool)):
        return False
    if not in_enum(d, _C37):
        return False
    return True


def _s99(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'mode' in d and not _s100(d['mode']):
            return False
        if 'devices' in d and not _s20(d['devices']):
            return False
        if 'ignore_growroot_disabled' in d and not _s2(d['ignore_growroot_disabled']):
            return False
        for k in d:
            if k not in _C38:
                return False
    return True


def _s98(d: Any) -> bool:
    if not _s99(d):
        return False
    return True


def _s101(d: Any) -> bool:
    return False
    return True


def _s104(d: Any) -> bool:
    return False
    return True


def _s103(d: Any) -> bool:
    if (_s2(d) + _s1(d)) != 1:
        return False
    if _s1(d) and not _s104(d):
        return False
    return True


def _s102(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'enabled' in d and not _s2(d['enabled']):
            return False
        if 'grub-pc/install_devices' in d and not _s1(d['grub-pc/install_devices']):
            return False
        if 'grub-pc/install_devices_empty' in d and not _s103(d['grub-pc/install_devices_empty']):
            return False
        for k in d:
            if k not in _C39:
                return False
    return True


def _s105(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'layout' in d and not _s1(d['layout']):
            return False
        if 'model' in d and not _s1(d['model']):
            return False
        if 'variant' in d and not _s1(d['variant']):
            return False
        if 'options' in d and not _s1(d['options']):
            return False
        for k in d:
            if k not in _C40:
                return False
        if 'layout' not in d:
            return False
    return True


def _s108(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C41):
        return False
    return True


def _s109(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if isinstance(d, str):
        if not search(4, d):
            return False
    return True


def _s107(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'url' in d and not _s1(d['url']):
            return False
        if 'ping_url' in d and not _s1(d['ping_url']):
            return False
        if 'data_path' in d and not _s1(d['data_path']):
            return False
        if 'log_level' in d and not _s108(d['log_level']):
            return False
        if 'computer_title' in d and not _s1(d['computer_title']):
            return False
        if 'account_name' in d and not _s1(d['account_name']):
            return False
        if 'registration_key' in d and not _s1(d['registration_key']):
            return False
        if 'tags' in d and not _s109(d['tags']):
            return False
        if 'http_proxy' in d and not _s1(d['http_proxy']):
            return False
        if 'https_proxy' in d and not _s1(d['https_proxy']):
            return False
    return True


def _s106(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'client' in d and not _s107(d['client']):
            return False
        for k in d:
            if k not in _C42:
                return False
        if 'client' not in d:
            return False
    return True


def _s111(d: Any) -> bool:
    return False
    return True


def _s110(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, bool)):
        return False
    if _s2(d) and not _s111(d):
        return False
    return True


def _s114(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C43):
        return False
    return True


def _s113(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'network_address' in d and not _s1(d['network_address']):
            return False
        if 'network_port' in d and not _s34(d['network_port']):
            return False
        if 'storage_backend' in d and not _s114(d['storage_backend']):
            return False
        if 'storage_create_device' in d and not _s1(d['storage_create_device']):
            return False
        if 'storage_create_loop' in d and not _s34(d['storage_create_loop']):
            return False
        if 'storage_pool' in d and not _s1(d['storage_pool']):
            return False
        if 'trust_password' in d and not _s1(d['trust_password']):
            return False
        for k in d:
            if k not in _C44:
                return False
    return True


def _s116(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C45):
        return False
    return True


def _s117(d: Any) -> bool:
    if not (is_integer(d)):
        return False
    if is_number(d):
        if d < -1:
            return False
    return True


def _s115(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'mode' in d and not _s116(d['mode']):
            return False
        if 'name' in d and not _s1(d['name']):
            return False
        if 'mtu' in d and not _s117(d['mtu']):
            return False
        if 'ipv4_address' in d and not _s1(d['ipv4_address']):
            return False
        if 'ipv4_netmask' in d and not _s34(d['ipv4_netmask']):
            return False
        if 'ipv4_dhcp_first' in d and not _s1(d['ipv4_dhcp_first']):
            return False
        if 'ipv4_dhcp_last' in d and not _s1(d['ipv4_dhcp_last']):
            return False
        if 'ipv4_dhcp_leases' in d and not _s34(d['ipv4_dhcp_leases']):
            return False
        if 'ipv4_nat' in d and not _s2(d['ipv4_nat']):
            return False
        if 'ipv6_address' in d and not _s1(d['ipv6_address']):
            return False
        if 'ipv6_netmask' in d and not _s34(d['ipv6_netmask']):
            return False
        if 'ipv6_nat' in d and not _s2(d['ipv6_nat']):
            return False
        if 'domain' in d and not _s1(d['domain']):
            return False
        for k in d:
            if k not in _C46:
                return False
        if 'mode' not in d:
            return False
    return True


def _s112(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'init' in d and not _s113(d['init']):
            return False
        if 'bridge' in d and not _s115(d['bridge']):
            return False
        if 'preseed' in d and not _s1(d['preseed']):
            return False
        for k in d:
            if k not in _C47:
                return False
        if len(d) < 1:
            return False
    return True


def _s118(d: Any) -> bool:
    if not (isinstance(d, bool) or isinstance(d, str)):
        return False
    if not in_enum(d, _C48):
        return False
    return True


def _s121(d: Any) -> bool:
    if (_s2(d) + _s34(d) + _s1(d)) != 1:
        return False
    return True


def _s120(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'public-cert' in d and not _s1(d['public-cert']):
            return False
        if 'private-cert' in d and not _s1(d['private-cert']):
            return False
        for k, v in d.items():
            if search(5, k) and not _s121(v):
                return False
        for k in d:
            if k not in _C49 and not search(5, k):
                return False
    return True


def _s119(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'conf' in d and not _s120(d['conf']):
            return False
        for k in d:
            if k not in _C50:
                return False
    return True


def _s123(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s96(item):
                return False
    return True


def _s122(d: Any) -> bool:
    if not _s123(d):
        return False
    return True


def _s125(d: Any) -> bool:
    if not (isinstance(d, str) or d is None):
        return False
    return True


def _s124(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s125(item):
                return False
        if len(d) < 6:
            return False
        if len(d) > 6:
            return False
    return True


def _s129(d: Any) -> bool:
    if not (isinstance(d, str) or is_integer(d) or d is None):
        return False
    return True


def _s128(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s129(item):
                return False
        if len(d) < 1:
            return False
        if len(d) > 6:
            return False
    return True


def _s127(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s128(item):
                return False
        if len(d) < 1:
            return False
    return True


def _s126(d: Any) -> bool:
    if not _s127(d):
        return False
    return True


def _s132(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'confpath' in d and not _s1(d['confpath']):
            return False
        if 'check_exe' in d and not _s1(d['check_exe']):
            return False
        if 'packages' in d and not _s20(d['packages']):
            return False
        if 'service_name' in d and not _s1(d['service_name']):
            return False
        if 'template' in d and not _s1(d['template']):
            return False
        for k in d:
            if k not in _C51:
                return False
    return True


def _s131(d: Any) -> bool:
    if not (isinstance(d, dict) or d is None):
        return False
    if isinstance(d, dict):
        if 'pools' in d and not _s20(d['pools']):
            return False
        if 'servers' in d and not _s20(d['servers']):
            return False
        if 'peers' in d and not _s20(d['peers']):
            return False
        if 'allow' in d and not _s20(d['allow']):
            return False
        if 'ntp_client' in d and not _s1(d['ntp_client']):
            return False
        if 'enabled' in d and not _s2(d['enabled']):
            return False
        if 'config' in d and not _s132(d['config']):
            return False
        for k in d:
            if k not in _C52:
                return False
    return True


def _s130(d: Any) -> bool:
    if not _s131(d):
        return False
    return True


def _s135(d: Any) -> bool:
    return False
    return True


def _s138(d: Any) -> bool:
    if isinstance(d, list):
        for item in d:
            if not _s1(item):
                return False
        if len(d) < 2:
            return False
    return True


def _s137(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if _s138(d):
        return False
    return True


def _s139(d: Any) -> bool:
    return False
    return True


def _s140(d: Any) -> bool:
    if not (isinstance(d, str) or is_number(d) or d is None):
        return False
    return True


def _s136(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, list)):
        return False
    if _s137(d) and not _s139(d):
        return False
    if isinstance(d, list):
        if len(d) > 0 and not _s1(d[0]):
            return False
        if len(d) > 1 and not _s140(d[1]):
            return False
        if len(d) < 1:
            return False
        if len(d) > 2:
            return False
    return True


def _s134(d: Any) -> bool:
    if _s96(d):
        if not _s135(d):
            return False
    elif not _s136(d):
        return False
    return True


def _s133(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s134(item):
                return False
        if len(d) < 1:
            return False
    return True


def _s144(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C53):
        return False
    return True


def _s143(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s144(item):
                return False
    if isinstance(d, str):
        if not search(6, d):
            return False
    return True


def _s142(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'url' in d and not _s1(d['url']):
            return False
        if 'post' in d and not _s143(d['post']):
            return False
        if 'tries' in d and not _s34(d['tries']):
            return False
        for k in d:
            if k not in _C54:
                return False
        if 'url' not in d:
            return False
    return True


def _s141(d: Any) -> bool:
    if not _s142(d):
        return False
    return True


def _s148(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if isinstance(d, str):
        if not search(7, d):
            return False
    return True


def _s149(d: Any) -> bool:
    return False
    return True


def _s147(d: Any) -> bool:
    if not (is_integer(d) or isinstance(d, str)):
        return False
    if _s148(d) and not _s149(d):
        return False
    if isinstance(d, str):
        if not search(8, d):
            return False
    if is_number(d):
        if d < 0:
            return False
    return True


def _s150(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C55):
        return False
    return True


def _s152(d: Any) -> bool:
    if not (is_number(d)):
        return False
    if _s34(d):
        return False
    return True


def _s153(d: Any) -> bool:
    return False
    return True


def _s151(d: Any) -> bool:
    if not (is_integer(d) or is_number(d)):
        return False
    if _s152(d) and not _s153(d):
        return False
    return True


def _s154(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, bool) or isinstance(d, list)):
        return False
    return True


def _s146(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'delay' in d and not _s147(d['delay']):
            return False
        if 'mode' in d and not _s150(d['mode']):
            return False
        if 'message' in d and not _s1(d['message']):
            return False
        if 'timeout' in d and not _s151(d['timeout']):
            return False
        if 'condition' in d and not _s154(d['condition']):
            return False
        for k in d:
            if k not in _C56:
                return False
        if 'mode' not in d:
            return False
    return True


def _s145(d: Any) -> bool:
    if not _s146(d):
        return False
    return True


def _s156(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C57):
        return False
    return True


def _s157(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'main' in d and not _s96(d['main']):
            return False
        if 'server' in d and not _s96(d['server']):
            return False
        if 'agent' in d and not _s96(d['agent']):
            return False
        if 'user' in d and not _s96(d['user']):
            return False
        if 'ca_cert' in d and not _s1(d['ca_cert']):
            return False
        for k in d:
            if k not in _C58:
                return False
    return True


def _s158(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'custom_attributes' in d and not _s96(d['custom_attributes']):
            return False
        if 'extension_requests' in d and not _s96(d['extension_requests']):
            return False
        for k in d:
            if k not in _C59:
                return False
    return True


def _s155(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'install' in d and not _s2(d['install']):
            return False
        if 'version' in d and not _s1(d['version']):
            return False
        if 'install_type' in d and not _s156(d['install_type']):
            return False
        if 'collection' in d and not _s1(d['collection']):
            return False
        if 'aio_install_url' in d and not _s1(d['aio_install_url']):
            return False
        if 'cleanup' in d and not _s2(d['cleanup']):
            return False
        if 'conf_file' in d and not _s1(d['conf_file']):
            return False
        if 'ssl_dir' in d and not _s1(d['ssl_dir']):
            return False
        if 'csr_attributes_path' in d and not _s1(d['csr_attributes_path']):
            return False
        if 'package_name' in d and not _s1(d['package_name']):
            return False
        if 'exec' in d and not _s2(d['exec']):
            return False
        if 'exec_args' in d and not _s20(d['exec_args']):
            return False
        if 'start_service' in d and not _s2(d['start_service']):
            return False
        if 'conf' in d and not _s157(d['conf']):
            return False
        if 'csr_attributes' in d and not _s158(d['csr_attributes']):
            return False
        for k in d:
            if k not in _C60:
                return False
    return True


def _s160(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C61):
        return False
    return True


def _s159(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'file' in d and not _s1(d['file']):
            return False
        if 'data' in d and not _s1(d['data']):
            return False
        if 'encoding' in d and not _s160(d['encoding']):
            return False
        if 'command' in d and not _s20(d['command']):
            return False
        if 'command_required' in d and not _s2(d['command_required']):
            return False
        for k in d:
            if k not in _C62:
                return False
    return True


def _s164(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C63):
        return False
    return True


def _s165(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C64):
        return False
    return True


def _s163(d: Any) -> bool:
    if isinstance(d, dict):
        if 'type' in d and not _s164(d['type']):
            return False
        if 'level' in d and not _s165(d['level']):
            return False
        for k in d:
            if k not in _C65:
                return False
        if 'type' not in d:
            return False
    return True


def _s167(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C66):
        return False
    return True


def _s166(d: Any) -> bool:
    if isinstance(d, dict):
        if 'type' in d and not _s167(d['type']):
            return False
        for k in d:
            if k not in _C67:
                return False
        if 'type' not in d:
            return False
    return True


def _s169(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C68):
        return False
    return True


def _s170(d: Any) -> bool:
    if not (is_integer(d)):
        return False
    if is_number(d):
        if d < 0:
            return False
    return True


def _s168(d: Any) -> bool:
    if isinstance(d, dict):
        if 'type' in d and not _s169(d['type']):
            return False
        if 'endpoint' in d and not _s1(d['endpoint']):
            return False
        if 'consumer_key' in d and not _s1(d['consumer_key']):
            return False
        if 'token_key' in d and not _s1(d['token_key']):
            return False
        if 'token_secret' in d and not _s1(d['token_secret']):
            return False
        if 'consumer_secret' in d and not _s1(d['consumer_secret']):
            return False
        if 'timeout' in d and not _s10(d['timeout']):
            return False
        if 'retries' in d and not _s170(d['retries']):
            return False
        for k in d:
            if k not in _C69:
                return False
        if 'type' not in d:
            return False
        if 'endpoint' not in d:
            return False
    return True


def _s172(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C70):
        return False
    return True


def _s171(d: Any) -> bool:
    if isinstance(d, dict):
        if 'type' in d and not _s172(d['type']):
            return False
        if 'kvp_file_path' in d and not _s1(d['kvp_file_path']):
            return False
        if 'event_types' in d and not _s20(d['event_types']):
            return False
        for k in d:
            if k not in _C71:
                return False
        if 'type' not in d:
            return False
    return True


def _s162(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if (_s163(d) + _s166(d) + _s168(d) + _s171(d)) != 1:
        return False
    return True


def _s161(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k, v in d.items():
            if search(5, k) and not _s162(v):
                return False
        for k in d:
            if k not in _C9 and not search(5, k):
                return False
    return True


def _s173(d: Any) -> bool:
    if not (isinstance(d, bool) or isinstance(d, str)):
        return False
    if not in_enum(d, _C72):
        return False
    return True


def _s174(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'nameservers' in d and not _s26(d['nameservers']):
            return False
        if 'searchdomains' in d and not _s26(d['searchdomains']):
            return False
        if 'domain' in d and not _s1(d['domain']):
            return False
        if 'sortlist' in d and not _s26(d['sortlist']):
            return False
        if 'options' in d and not _s96(d['options']):
            return False
        for k in d:
            if k not in _C73:
                return False
    return True


def _s175(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'username' in d and not _s1(d['username']):
            return False
        if 'password' in d and not _s1(d['password']):
            return False
        if 'activation-key' in d and not _s1(d['activation-key']):
            return False
        if 'org' in d and not _s34(d['org']):
            return False
        if 'auto-attach' in d and not _s2(d['auto-attach']):
            return False
        if 'service-level' in d and not _s1(d['service-level']):
            return False
        if 'add-pool' in d and not _s20(d['add-pool']):
            return False
        if 'enable-repo' in d and not _s20(d['enable-repo']):
            return False
        if 'disable-repo' in d and not _s20(d['disable-repo']):
            return False
        if 'rhsm-baseurl' in d and not _s1(d['rhsm-baseurl']):
            return False
        if 'server-hostname' in d and not _s1(d['server-hostname']):
            return False
        for k in d:
            if k not in _C74:
                return False
    return True


def _s179(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'filename' in d and not _s1(d['filename']):
            return False
        if 'content' in d and not _s1(d['content']):
            return False
        for k in d:
            if k not in _C75:
                return False
        if 'content' not in d:
            return False
    return True


def _s178(d: Any) -> bool:
    if (_s1(d) + _s179(d)) != 1:
        return False
    return True


def _s177(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s178(item):
                return False
    return True


def _s181(d: Any) -> bool:
    if not (isinstance(d, str) and d in _C76):
        return False
    return True


def _s180(d: Any) -> bool:
    if (_s181(d) + _s20(d)) != 1:
        return False
    return True


def _s176(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'config_dir' in d and not _s1(d['config_dir']):
            return False
        if 'config_filename' in d and not _s1(d['config_filename']):
            return False
        if 'configs' in d and not _s177(d['configs']):
            return False
        if 'remotes' in d and not _s96(d['remotes']):
            return False
        if 'service_reload_command' in d and not _s180(d['service_reload_command']):
            return False
        for k in d:
            if k not in _C77:
                return False
    return True


def _s183(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, list) or d is None):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s1(item):
                return False
    return True


def _s182(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s183(item):
                return False
        if len(d) < 1:
            return False
    return True


def _s184(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'pkg_name' in d and not _s1(d['pkg_name']):
            return False
        if 'service_name' in d and not _s1(d['service_name']):
            return False
        if 'config_dir' in d and not _s1(d['config_dir']):
            return False
        if 'conf' in d and not _s96(d['conf']):
            return False
        if 'grains' in d and not _s96(d['grains']):
            return False
        if 'public_key' in d and not _s1(d['public_key']):
            return False
        if 'private_key' in d and not _s1(d['private_key']):
            return False
        if 'pki_dir' in d and not _s1(d['pki_dir']):
            return False
        for k in d:
            if k not in _C78:
                return False
    return True


def _s186(d: Any) -> bool:
    if not (isinstance(d, dict) or isinstance(d, list)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C9 and not _s1(d[k]):
                return False
        if len(d) < 1:
            return False
    if isinstance(d, list):
        for item in d:
            if not _s1(item):
                return False
        if len(d) < 1:
            return False
        if not unique(d):
            return False
    return True


def _s188(d: Any) -> bool:
    if (_s1(d) + _s20(d)) != 1:
        return False
    return True


def _s187(d: Any) -> bool:
    if not (isinstance(d, dict) or isinstance(d, list)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C9 and not _s188(d[k]):
                return False
        if len(d) < 1:
            return False
    if isinstance(d, list):
        for item in d:
            if not _s188(item):
                return False
        if len(d) < 1:
            return False
    return True


def _s185(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'assertions' in d and not _s186(d['assertions']):
            return False
        if 'commands' in d and not _s187(d['commands']):
            return False
        for k in d:
            if k not in _C79:
                return False
        if len(d) < 1:
            return False
    return True


def _s189(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'server' in d and not _s1(d['server']):
            return False
        if 'proxy' in d and not _s1(d['proxy']):
            return False
        if 'activation_key' in d and not _s1(d['activation_key']):
            return False
        for k in d:
            if k not in _C80:
                return False
    return True


def _s190(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'emit_keys_to_console' in d and not _s2(d['emit_keys_to_console']):
            return False
        for k in d:
            if k not in _C81:
                return False
        if 'emit_keys_to_console' not in d:
            return False
    return True


def _s191(d: Any) -> bool:
    if not _s20(d):
        return False
    return True


def _s193(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C82):
        return False
    return True


def _s192(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s193(item):
                return False
        if len(d) < 1:
            return False
    return True


def _s195(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k, v in d.items():
            if search(9, k) and not _s1(v):
                return False
        for k in d:
            if k not in _C9 and not search(9, k):
                return False
    return True


def _s194(d: Any) -> bool:
    if not _s195(d):
        return False
    return True


def _s196(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'enabled' in d and not _s2(d['enabled']):
            return False
        if 'blacklist' in d and not _s20(d['blacklist']):
            return False
        for k in d:
            if k not in _C83:
                return False
    return True


def _s198(d: Any) -> bool:
    return False
    return True


def _s197(d: Any) -> bool:
    if not (isinstance(d, bool) or isinstance(d, str)):
        return False
    if _s1(d) and not _s198(d):
        return False
    return True


def _s201(d: Any) -> bool:
    if not (is_integer(d) or isinstance(d, str)):
        return False
    if isinstance(d, str):
        if not search(10, d):
            return False
    return True


def _s202(d: Any) -> bool:
    if not (is_integer(d) or isinstance(d, str)):
        return False
    if isinstance(d, str):
        if not search(11, d):
            return False
    return True


def _s200(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'filename' in d and not _s1(d['filename']):
            return False
        if 'size' in d and not _s201(d['size']):
            return False
        if 'maxsize' in d and not _s202(d['maxsize']):
            return False
        for k in d:
            if k not in _C84:
                return False
    return True


def _s199(d: Any) -> bool:
    if not _s200(d):
        return False
    return True


def _s204(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'disable_auto_attach' in d and not _s2(d['disable_auto_attach']):
            return False
        for k in d:
            if k not in _C85:
                return False
    return True


def _s205(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'http_proxy' in d and not _s125(d['http_proxy']):
            return False
        if 'https_proxy' in d and not _s125(d['https_proxy']):
            return False
        if 'global_apt_http_proxy' in d and not _s125(d['global_apt_http_proxy']):
            return False
        if 'global_apt_https_proxy' in d and not _s125(d['global_apt_https_proxy']):
            return False
        if 'ua_apt_http_proxy' in d and not _s125(d['ua_apt_http_proxy']):
            return False
        if 'ua_apt_https_proxy' in d and not _s125(d['ua_apt_https_proxy']):
            return False
    return True


def _s203(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'enable' in d and not _s20(d['enable']):
            return False
        if 'enable_beta' in d and not _s20(d['enable_beta']):
            return False
        if 'token' in d and not _s1(d['token']):
            return False
        if 'features' in d and not _s204(d['features']):
            return False
        if 'config' in d and not _s205(d['config']):
            return False
        for k in d:
            if k not in _C86:
                return False
    return True


def _s209(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C87):
        return False
    return True


def _s208(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s209(item):
                return False
    return True


def _s207(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'when' in d and not _s208(d['when']):
            return False
        for k in d:
            if k not in _C88:
                return False
        if 'when' not in d:
            return False
    return True


def _s206(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'network' in d and not _s207(d['network']):
            return False
        for k in d:
            if k not in _C89:
                return False
    return True


def _s212(d: Any) -> bool:
    if isinstance(d, dict):
        if 'snapuser' not in d:
            return False
    return True


def _s213(d: Any) -> bool:
    if isinstance(d, dict):
        if 'name' not in d:
            return False
    return True


def _s215(d: Any) -> bool:
    if not (d is None):
        return False
    return True


def _s214(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, list) or isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C9 and not _s215(d[k]):
                return False
    if isinstance(d, list):
        for item in d:
            if not _s1(item):
                return False
    return True


def _s217(d: Any) -> bool:
    if not equal(d, _C90):
        return False
    return True


def _s216(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, list) or d is None or isinstance(d, bool)):
        return False
    if _s2(d) and not _s217(d):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s125(item):
                return False
    return True


def _s211(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if not _s212(d) and not _s213(d):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s1(d['name']):
            return False
        if 'passwd' in d and not _s1(d['passwd']):
            return False
        if 'hashed_passwd' in d and not _s1(d['hashed_passwd']):
            return False
        if 'hashed-passwd' in d and not _s1(d['hashed-passwd']):
            return False
        if 'plain_text_passwd' in d and not _s1(d['plain_text_passwd']):
            return False
        if 'plain-text-passwd' in d and not _s1(d['plain-text-passwd']):
            return False
        if 'lock_passwd' in d and not _s2(d['lock_passwd']):
            return False
        if 'lock-passwd' in d and not _s2(d['lock-passwd']):
            return False
        if 'gecos' in d and not _s1(d['gecos']):
            return False
        if 'homedir' in d and not _s1(d['homedir']):
            return False
        if 'no_create_home' in d and not _s2(d['no_create_home']):
            return False
        if 'no-create-home' in d and not _s2(d['no-create-home']):
            return False
        if 'primary_group' in d and not _s1(d['primary_group']):
            return False
        if 'primary-group' in d and not _s1(d['primary-group']):
            return False
        if 'groups' in d and not _s214(d['groups']):
            return False
        if 'create_groups' in d and not _s2(d['create_groups']):
            return False
        if 'create-groups' in d and not _s2(d['create-groups']):
            return False
        if 'no_user_group' in d and not _s2(d['no_user_group']):
            return False
        if 'no-user-group' in d and not _s2(d['no-user-group']):
            return False
        if 'system' in d and not _s2(d['system']):
            return False
        if 'no_log_init' in d and not _s2(d['no_log_init']):
            return False
        if 'no-log-init' in d and not _s2(d['no-log-init']):
            return False
        if 'shell' in d and not _s1(d['shell']):
            return False
        if 'ssh_authorized_keys' in d and not _s20(d['ssh_authorized_keys']):
            return False
        if 'ssh-authorized-keys' in d and not _s20(d['ssh-authorized-keys']):
            return False
        if 'ssh_import_id' in d and not _s20(d['ssh_import_id']):
            return False
        if 'ssh-import-id' in d and not _s20(d['ssh-import-id']):
            return False
        if 'ssh_redirect_user' in d and not _s2(d['ssh_redirect_user']):
            return False
        if 'ssh-redirect-user' in d and not _s2(d['ssh-redirect-user']):
            return False
        if 'coreos_ssh_import_github' in d and not _s1(d['coreos_ssh_import_github']):
            return False
        if 'coreos-ssh-import-github' in d and not _s1(d['coreos-ssh-import-github']):
            return False
        if 'coreos_ssh_import_github_users' in d and not _s20(d['coreos_ssh_import_github_users']):
            return False
        if 'coreos-ssh-import-github-users' in d and not _s20(d['coreos-ssh-import-github-users']):
            return False
        if 'coreos_ssh_import_url' in d and not _s1(d['coreos_ssh_import_url']):
            return False
        if 'coreos-ssh-import-url' in d and not _s1(d['coreos-ssh-import-url']):
            return False
        if 'inactive' in d and not _s1(d['inactive']):
            return False
        if 'expiredate' in d and not _s1(d['expiredate']):
            return False
        if 'selinux_user' in d and not _s1(d['selinux_user']):
            return False
        if 'selinux-user' in d and not _s1(d['selinux-user']):
            return False
        if 'snapuser' in d and not _s1(d['snapuser']):
            return False
        if 'sudo' in d and not _s216(d['sudo']):
            return False
        if 'doas' in d and not _s20(d['doas']):
            return False
        if 'uid' in d and not _s85(d['uid']):
            return False
        for k in d:
            if k not in _C91:
                return False
    return True


def _s210(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, dict)):
        return False
    if _s96(d) and not _s211(d):
        return False
    return True


def _s220(d: Any) -> bool:
    if isinstance(d, list):
        for item in d:
            if not _s1(item):
                return False
    return True


def _s219(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, list) or isinstance(d, dict)):
        return False
    if _s96(d):
        if not _s211(d):
            return False
    elif not _s220(d):
        return False
    return True


def _s218(d: Any) -> bool:
    if not (isinstance(d, str) or isinstance(d, list) or isinstance(d, dict)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s219(item):
                return False
    return True


def _s223(d: Any) -> bool:
    return False
    return True


def _s222(d: Any) -> bool:
    if (_s2(d) + _s1(d)) != 1:
        return False
    if _s1(d) and not _s223(d):
        return False
    return True


def _s224(d: Any) -> bool:
    if not (isinstance(d, list) or isinstance(d, str)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s92(item):
                return False
    return True


def _s221(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'enabled' in d and not _s222(d['enabled']):
            return False
        if 'prefix' in d and not _s224(d['prefix']):
            return False
        for k in d:
            if k not in _C92:
                return False
    return True


def _s225(d: Any) -> bool:
    return True


def _s228(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'name' in d and not _s1(d['name']):
            return False
        if 'config_path' in d and not _s1(d['config_path']):
            return False
        if 'content' in d and not _s1(d['content']):
            return False
        for k in d:
            if k not in _C93:
                return False
    return True


def _s227(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s228(item):
                return False
        if len(d) < 1:
            return False
    return True


def _s229(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s1(item):
                return False
        if not unique(d):
            return False
    return True


def _s226(d: Any) -> bool:
    if not (d is None or isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'interfaces' in d and not _s227(d['interfaces']):
            return False
        if 'readinessprobe' in d and not _s229(d['readinessprobe']):
            return False
        for k in d:
            if k not in _C94:
                return False
        if 'interfaces' not in d:
            return False
        if len(d) < 1:
            return False
    return True


def _s233(d: Any) -> bool:
    if not (isinstance(d, list) or isinstance(d, dict) or is_number(d) or isinstance(d, bool) or d is None):
        return False
    return True


def _s232(d: Any) -> bool:
    if _s233(d) and not _s1(d):
        return False
    return True


def _s234(d: Any) -> bool:
    return False
    return True


def _s235(d: Any) -> bool:
    if not (isinstance(d, str) or is_integer(d)):
        return False
    if isinstance(d, str):
        if not search(12, d):
            return False
    if is_number(d):
        if d < 0:
            return False
        if d > 4095:
            return False
    return True


def _s236(d: Any) -> bool:
    if not (isinstance(d, str)):
        return False
    if not (isinstance(d, str) and d in _C95):
        return False
    return True


def _s231(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'path' in d and not _s1(d['path']):
            return False
        if 'content' in d and not _s232(d['content']):
            return False
        if 'source' in d and not _s234(d['source']):
            return False
        if 'owner' in d and not _s1(d['owner']):
            return False
        if 'permissions' in d and not _s235(d['permissions']):
            return False
        if 'encoding' in d and not _s236(d['encoding']):
            return False
        if 'append' in d and not _s2(d['append']):
            return False
        if 'defer' in d and not _s2(d['defer']):
            return False
        for k in d:
            if k not in _C96:
                return False
        if 'path' not in d:
            return False
    return True


def _s230(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s231(item):
                return False
    return True


def _s240(d: Any) -> bool:
    if not (isinstance(d, str) or is_integer(d) or isinstance(d, bool)):
        return False
    return True


def _s239(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'baseurl' in d and not _s1(d['baseurl']):
            return False
        if 'metalink' in d and not _s1(d['metalink']):
            return False
        if 'mirrorlist' in d and not _s1(d['mirrorlist']):
            return False
        if 'name' in d and not _s1(d['name']):
            return False
        if 'enabled' in d and not _s2(d['enabled']):
            return False
        for k in d:
            if k not in _C97 and not _s240(d[k]):
                return False
    return True


def _s238(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        for k in d:
            if k not in _C9 and not _s239(d[k]):
                return False
        if len(d) < 1:
            return False
    return True


def _s237(d: Any) -> bool:
    if not _s238(d):
        return False
    return True


def _s243(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'id' in d and not _s1(d['id']):
            return False
        if 'baseurl' in d and not _s1(d['baseurl']):
            return False
        if 'id' not in d:
            return False
        if 'baseurl' not in d:
            return False
    return True


def _s242(d: Any) -> bool:
    if not (isinstance(d, list)):
        return False
    if isinstance(d, list):
        for item in d:
            if not _s243(item):
                return False
        if len(d) < 1:
            return False
    return True


def _s241(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'repos' in d and not _s242(d['repos']):
            return False
        if 'config' in d and not _s96(d['config']):
            return False
        if len(d) < 1:
            return False
    return True


def _s0(d: Any) -> bool:
    if not (isinstance(d, dict)):
        return False
    if isinstance(d, dict):
        if 'add_apt_repo_match' in d and not _s1(d['add_apt_repo_match']):
            return False
        if 'allow_public_ssh_keys' in d and not _s2(d['allow_public_ssh_keys']):
            return False
        if 'ansible' in d and not _s3(d['ansible']):
            return False
        if 'apk_repos' in d and not _s16(d['apk_repos']):
            return False
        if 'apt' in d and not _s18(d['apt']):
            return False
        if 'apt_custom_sources_list' in d and not _s1(d['apt_custom_sources_list']):
            return False
        if 'apt_ftp_proxy' in d and not _s1(d['apt_ftp_proxy']):
            return False
        if 'apt_http_proxy' in d and not _s1(d['apt_http_proxy']):
            return False
        if 'apt_https_proxy' in d and not _s1(d['apt_https_proxy']):
            return False
        if 'apt_mirror' in d and not _s1(d['apt_mirror']):
            return False
        if 'apt_mirror_search' in d and not _s26(d['apt_mirror_search']):
            return False
        if 'apt_mirror_search_dns' in d and not _s2(d['apt_mirror_search_dns']):
            return False
        if 'apt_pipelining' in d and not _s27(d['apt_pipelining']):
            return False
        if 'apt_preserve_sources_list' in d and not _s2(d['apt_preserve_sources_list']):
            return False
        if 'apt_proxy' in d and not _s1(d['apt_proxy']):
            return False
        if 'apt_reboot_if_required' in d and not _s29(d['apt_reboot_if_required']):
            return False
        if 'apt_sources' in d and not _s30(d['apt_sources']):
            return False
        if 'apt_update' in d and not _s31(d['apt_update']):
            return False
        if 'apt_upgrade' in d and not _s32(d['apt_upgrade']):
            return False
        if 'authkey_hash' in d and not _s1(d['authkey_hash']):
            return False
        if 'autoinstall' in d and not _s33(d['autoinstall']):
            return False
        if 'bootcmd' in d and not _s35(d['bootcmd']):
            return False
        if 'byobu_by_default' in d and not _s37(d['byobu_by_default']):
            return False
        if 'ca-certs' in d and not _s38(d['ca-certs']):
            return False
        if 'ca_certs' in d and not _s39(d['ca_certs']):
            return False
        if 'chef' in d and not _s42(d['chef']):
            return False
        if 'chpasswd' in d and not _s46(d['chpasswd']):
            return False
        if 'cloud_config_modules' in d and not _s56(d['cloud_config_modules']):
            return False
        if 'cloud_final_modules' in d and not _s56(d['cloud_final_modules']):
            return False
        if 'cloud_init_modules' in d and not _s56(d['cloud_init_modules']):
            return False
        if 'coreos' in d and not _s60(d['coreos']):
            return False
        if 'create_hostname_file' in d and not _s2(d['create_hostname_file']):
            return False
        if 'device_aliases' in d and not _s23(d['device_aliases']):
            return False
        if 'disable_ec2_metadata' in d and not _s2(d['disable_ec2_metadata']):
            return False
        if 'disable_piwiz' in d and not _s2(d['disable_piwiz']):
            return False
        if 'disable_root' in d and not _s2(d['disable_root']):
            return False
        if 'disable_root_opts' in d and not _s1(d['disable_root_opts']):
            return False
        if 'disk_setup' in d and not _s79(d['disk_setup']):
            return False
        if 'drivers' in d and not _s86(d['drivers']):
            return False
        if 'enable_rpi_connect' in d and not _s2(d['enable_rpi_connect']):
            return False
        if 'fan' in d and not _s88(d['fan']):
            return False
        if 'final_message' in d and not _s1(d['final_message']):
            return False
        if 'fqdn' in d and not _s1(d['fqdn']):
            return False
        if 'fs_setup' in d and not _s89(d['fs_setup']):
            return False
        if 'groups' in d and not _s93(d['groups']):
            return False
        if 'growpart' in d and not _s98(d['growpart']):
            return False
        if 'grub-dpkg' in d and not _s101(d['grub-dpkg']):
            return False
        if 'grub_dpkg' in d and not _s102(d['grub_dpkg']):
            return False
        if 'hostname' in d and not _s1(d['hostname']):
            return False
        if 'keyboard' in d and not _s105(d['keyboard']):
            return False
        if 'landscape' in d and not _s106(d['landscape']):
            return False
        if 'launch-index' in d and not _s34(d['launch-index']):
            return False
        if 'locale' in d and not _s110(d['locale']):
            return False
        if 'locale_configfile' in d and not _s1(d['locale_configfile']):
            return False
        if 'lxd' in d and not _s112(d['lxd']):
            return False
        if 'manage-etc-hosts' in d and not _s118(d['manage-etc-hosts']):
            return False
        if 'manage_etc_hosts' in d and not _s118(d['manage_etc_hosts']):
            return False
        if 'manage_resolv_conf' in d and not _s2(d['manage_resolv_conf']):
            return False
        if 'mcollective' in d and not _s119(d['mcollective']):
            return False
        if 'merge_how' in d and not _s122(d['merge_how']):
            return False
        if 'merge_type' in d and not _s122(d['merge_type']):
            return False
        if 'migrate' in d and not _s2(d['migrate']):
            return False
        if 'mount_default_fields' in d and not _s124(d['mount_default_fields']):
            return False
        if 'mounts' in d and not _s126(d['mounts']):
            return False
        if 'no_ssh_fingerprints' in d and not _s2(d['no_ssh_fingerprints']):
            return False
        if 'ntp' in d and not _s130(d['ntp']):
            return False
        if 'output' in d and not _s96(d['output']):
            return False
        if 'package_reboot_if_required' in d and not _s2(d['package_reboot_if_required']):
            return False
        if 'package_update' in d and not _s2(d['package_update']):
            return False
        if 'package_upgrade' in d and not _s2(d['package_upgrade']):
            return False
        if 'packages' in d and not _s133(d['packages']):
            return False
        if 'password' in d and not _s1(d['password']):
            return False
        if 'phone_home' in d and not _s141(d['phone_home']):
            return False
        if 'power_state' in d and not _s145(d['power_state']):
            return False
        if 'prefer_fqdn_over_hostname' in d and not _s2(d['prefer_fqdn_over_hostname']):
            return False
        if 'preserve_hostname' in d and not _s2(d['preserve_hostname']):
            return False
        if 'puppet' in d and not _s155(d['puppet']):
            return False
        if 'random_seed' in d and not _s159(d['random_seed']):
            return False
        if 'reporting' in d and not _s161(d['reporting']):
            return False
        if 'resize_rootfs' in d and not _s173(d['resize_rootfs']):
            return False
        if 'resolv_conf' in d and not _s174(d['resolv_conf']):
            return False
        if 'rh_subscription' in d and not _s175(d['rh_subscription']):
            return False
        if 'rpi_interfaces' in d and not _s96(d['rpi_interfaces']):
            return False
        if 'rpi_userconf' in d and not _s96(d['rpi_userconf']):
            return False
        if 'rsyslog' in d and not _s176(d['rsyslog']):
            return False
        if 'runcmd' in d and not _s182(d['runcmd']):
            return False
        if 'salt_minion' in d and not _s184(d['salt_minion']):
            return False
        if 'snap' in d and not _s185(d['snap']):
            return False
        if 'spacewalk' in d and not _s189(d['spacewalk']):
            return False
        if 'ssh' in d and not _s190(d['ssh']):
            return False
        if 'ssh-authorized-keys' in d and not _s20(d['ssh-authorized-keys']):
            return False
        if 'ssh_authorized_keys' in d and not _s20(d['ssh_authorized_keys']):
            return False
        if 'ssh_deletekeys' in d and not _s2(d['ssh_deletekeys']):
            return False
        if 'ssh_fp_console_blacklist' in d and not _s191(d['ssh_fp_console_blacklist']):
            return False
        if 'ssh_genkeytypes' in d and not _s192(d['ssh_genkeytypes']):
            return False
        if 'ssh_import_id' in d and not _s191(d['ssh_import_id']):
            return False
        if 'ssh_key_console_blacklist' in d and not _s191(d['ssh_key_console_blacklist']):
            return False
        if 'ssh_keys' in d and not _s194(d['ssh_keys']):
            return False
        if 'ssh_publish_hostkeys' in d and not _s196(d['ssh_publish_hostkeys']):
            return False
        if 'ssh_pwauth' in d and not _s197(d['ssh_pwauth']):
            return False
        if 'ssh_quiet_keygen' in d and not _s2(d['ssh_quiet_keygen']):
            return False
        if 'swap' in d and not _s199(d['swap']):
            return False
        if 'system_info' in d and not _s96(d['system_info']):
            return False
        if 'timezone' in d and not _s1(d['timezone']):
            return False
        if 'ubuntu_advantage' in d and not _s203(d['ubuntu_advantage']):
            return False
        if 'ubuntu_pro' in d and not _s96(d['ubuntu_pro']):
            return False
        if 'updates' in d and not _s206(d['updates']):
            return False
        if 'user' in d and not _s210(d['user']):
            return False
        if 'users' in d and not _s218(d['users']):
            return False
        if 'vendor_data' in d and not _s221(d['vendor_data']):
            return False
        if 'version' in d and not _s225(d['version']):
            return False
        if 'wireguard' in d and not _s226(d['wireguard']):
            return False
        if 'write-files' in d and not _s230(d['write-files']):
            return False
        if 'write_files' in d and not _s230(d['write_files']):
            return False
        if 'yum_repo_dir' in d and not _s1(d['yum_repo_dir']):
            return False
        if 'yum_repos' in d and not _s237(d['yum_repos']):
            return False
        if 'zypper' in d and not _s241(d['zypper']):
            return False
        for k in d:
            if k not in _C98:
                return False
    return True


def _anything(d: Any) -> bool:
    return True


def _nothing(d: Any) -> bool:
    return False
