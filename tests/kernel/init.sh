#!/bin/busybox sh
# /init of the initramfs tests/kernel/guest.py builds: load the modules, mount each drive
# the way /views.txt says with the kernel's own file system drivers, list what the kernel
# shows, and power off. Every line meant for the host starts with "@@ "; everything else
# on the console (kernel messages) is ignored by the host.
#
# /modules.txt: module files to insmod, in dependency order (one a line).
# /views.txt:   NAME DEVICE-ID FSTYPE OPTIONS, one a line, where DEVICE-ID is
#               scsi:CHANNEL:TARGET:LUN (a CD on the virtio-scsi bus) or
#               serial:SERIAL (a virtio disk with that serial).
/bin/busybox mkdir -p /proc /sys /dev /mnt /tmp
/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

say() { echo "@@ $*"; }
failed=""

# The console may hold the firmware's escape sequences without a newline: start afresh.
echo

say kernel "$(uname -r)"
while read -r module; do
    insmod "/lib/modules/$module" || { say error "insmod $module failed"; failed=yes; }
done </modules.txt

# The block device (sr0, vda, ...) with this identity, or nothing yet.
device_of() {
    case "$1" in
    scsi:*)
        for block in /sys/block/sr*; do
            [ -e "$block/device" ] || continue
            address="$(basename "$(readlink "$block/device")")" # HOST:CHANNEL:TARGET:LUN
            if [ "scsi:${address#*:}" = "$1" ]; then basename "$block"; fi
        done
        ;;
    serial:*)
        for block in /sys/block/vd*; do
            [ -e "$block/serial" ] || continue
            if [ "serial:$(cat "$block/serial")" = "$1" ]; then basename "$block"; fi
        done
        ;;
    esac
}

# Devices are probed asynchronously (and slowly under emulation): wait for all of them.
waited=0
while :; do
    absent=""
    while read -r name id fstype options; do
        [ -n "$(device_of "$id")" ] || absent="$absent $id"
    done </views.txt
    [ -z "$absent" ] && break
    if [ "$waited" -ge 120 ]; then
        say error "no device appeared for:$absent"
        failed=yes
        break
    fi
    sleep 1
    waited=$((waited + 1))
done

while read -r name id fstype options; do
    device="$(device_of "$id")"
    [ -n "$device" ] || continue
    mountpoint="/mnt/$name"
    mkdir -p "$mountpoint"
    if ! mount -t "$fstype" -o "$options" "/dev/$device" "$mountpoint"; then
        say "$name" error "mount -t $fstype -o $options /dev/$device failed"
        failed=yes
        continue
    fi
    say "$name" mount "$(grep " $mountpoint " /proc/mounts)"
    # Relative paths ("./openstack/..."), one entry a line: type|mode|size|mtime|path.
    (cd "$mountpoint" && find . -mindepth 1 -exec stat -c '%F|%a|%s|%Y|%n' {} +) |
        while read -r line; do say "$name" entry "$line"; done
    (cd "$mountpoint" && find . -type f -exec sha256sum {} +) |
        while read -r line; do say "$name" sha256 "$line"; done
    umount "$mountpoint" || { say "$name" error "umount failed"; failed=yes; }
done </views.txt

if [ -n "$failed" ]; then
    # What the kernel said about it (the console shows only critical messages).
    dmesg | while read -r line; do say dmesg "$line"; done
fi
say done
sync
poweroff -f
