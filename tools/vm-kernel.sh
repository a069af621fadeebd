#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian 12's own kernel for the VM test host (tests/system/host-vm.sh): the version that
# linux-image-amd64 depends on, fetched with `apt-get download` and taken apart with
# `dpkg-deb -x`; nothing is installed. Keeps the kernel, its config and the modules the VM's
# initramfs loads (with their load order, modules.order) in a cache directory, one per package
# version, and prints that directory. A second run finds it there and needs no network.
# Run by tools/test.sh when it installs the test dependencies, and by the VM test host.
#
# Environment: CTR_VM_CACHE (default /var/cache/ctr-launch-test).
set -euo pipefail

# What the initramfs loads, in this order: virtio over PCI, then 9p over virtio, then
# virtio-serial (the port that wakes the test agent).
MODULES=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
         9pnet 9pnet_virtio netfs fscache 9p virtio_console)

cache=${CTR_VM_CACHE:-/var/cache/ctr-launch-test}

die() {
        echo "vm-kernel: $*" >&2
        exit 1
}

for tool in apt-cache apt-get dpkg-deb flock; do
        command -v "$tool" >/dev/null || die "$tool not found: this needs a Debian system"
done

# Sets pkg, version, release and dir from apt's lists; fails if apt knows no such kernel.
lookup() {
        pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
                sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
        [ -n "$pkg" ] || return 1
        version=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
        [ -n "$version" ] && [ "$version" != "(none)" ] || return 1
        release=${pkg#linux-image-}
        dir=$cache/${pkg}_$version
}

# A machine whose packages were all there may never have fetched apt's lists: fetch them once.
updated=""
if ! lookup; then
        [ "$(id -u)" = 0 ] || die "apt knows no linux-image-amd64: run apt-get update as root"
        echo "vm-kernel: apt knows no linux-image-amd64: apt-get update" >&2
        apt-get update -q >&2 || die "apt-get update failed"
        updated=1
        lookup || die "apt knows no linux-image-amd64 and what it depends on, even after apt-get update"
fi

# A cache made before a module joined MODULES lacks it: made again.
complete() {
        local m
        [ -f "$dir/complete" ] || return 1
        for m in "${MODULES[@]}"; do
                [ -f "$dir/modules/$m.ko" ] || return 1
        done
}

if ! complete; then
        mkdir -p "$cache"
        exec 9>"$cache/.lock"
        flock -w 600 9 || die "$cache/.lock held for 10 minutes"
fi
if ! complete; then
        tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
        trap 'rm -rf "$tmp"' EXIT
        echo "vm-kernel: fetching $pkg $version into $dir" >&2
        # apt's download sandbox user must be able to write there.
        chmod 0755 "$tmp"
        if id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
        # Stale lists name a version the archive no longer has: update them once and retry.
        if ! (cd "$tmp" && apt-get download -q "$pkg=$version") >"$tmp/download.log" 2>&1; then
                cat "$tmp/download.log" >&2
                [ -z "$updated" ] && [ "$(id -u)" = 0 ] || die "apt-get download $pkg=$version failed"
                echo "vm-kernel: apt-get update, then again" >&2
                apt-get update -q >&2 || die "apt-get update failed"
                lookup || die "apt knows no linux-image-amd64 after apt-get update"
                ! complete || { echo "$dir"; exit 0; }
                (cd "$tmp" && apt-get download -q "$pkg=$version") >"$tmp/download.log" 2>&1 || {
                        cat "$tmp/download.log" >&2
                        die "apt-get download $pkg=$version failed"
                }
        fi
        dpkg-deb -x "$tmp"/"${pkg}"_*.deb "$tmp/x" || die "dpkg-deb -x of $pkg failed"
        mkdir "$tmp/out" "$tmp/out/modules"
        cp "$tmp/x/boot/vmlinuz-$release" "$tmp/out/vmlinuz"
        cp "$tmp/x/boot/config-$release" "$tmp/out/config"
        for m in "${MODULES[@]}"; do
                ko=$(find "$tmp/x/lib/modules/$release/kernel" -name "$m.ko" | head -n 1)
                [ -n "$ko" ] || die "$pkg has no module $m.ko"
                cp "$ko" "$tmp/out/modules/"
                echo "$m" >>"$tmp/out/modules.order"
        done
        echo "$release" >"$tmp/out/release"
        echo "$pkg $version" >"$tmp/out/package"
        rm -rf "$dir"
        mv "$tmp/out" "$dir"
        touch "$dir/complete"
fi
echo "$dir"
