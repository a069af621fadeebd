# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by tools/demo.sh, tools/test.sh and bench/run.sh: install Debian packages, build,
# make a busybox bundle. Sourced, never run; the caller sets `set -euo pipefail`.

# The build dependencies of ctr-launch on Debian 12.
BUILD_PACKAGES=(meson ninja-build pkg-config gcc libsystemd-dev libpam0g-dev libcap-ng-dev
                libjson-glib-dev libseccomp-dev busybox-static python3
                # the manual pages (man/): scdoc makes them; bash-completion's pkg-config says
                # where the completion goes (completion/)
                scdoc bash-completion)
# What the test suite needs on top (busybox-static and python3 are already above).
TEST_PACKAGES=(util-linux procps
               # the manual pages rendered with every groff warning on, the completion driven
               # as bash-completion drives it (tests/build/man.py, completion.sh)
               man-db groff-base
               # rootless containers with /etc/subuid ranges (tests/integration/rootless.sh)
               uidmap
               # the system tests (tests/system): a real systemd booted in systemd-nspawn,
               # with D-Bus, logind (PAM sessions) and polkitd inside
               systemd systemd-container dbus libpam-systemd polkitd
               # real clients of the runtime (tests/clients): podman 4.3 with conmon, and
               # containerd 1.6 with its ctr and runc shim
               podman conmon containerd
               # which way create went on the test host's kernel (tests/system/kernel-paths.sh)
               strace
               # an OCI image made at test time and turned into a ctr@ bundle by the recipe of
               # docs/images.md (tests/system/image-bundle.sh): umoci builds and unpacks it,
               # skopeo exports and copies it, jq edits its config.json
               umoci skopeo jq
               # the same in a VM on Debian's own kernel (tests/system/host-vm.sh; the kernel
               # itself is fetched by tools/vm-kernel.sh): qemu, and cpio for its initramfs
               qemu-system-x86 cpio
               # AppArmor's userspace (apparmor_parser, Debian's profiles) for the VM, whose
               # Debian kernel enables the module (tests/system/lsm.sh); podman there then puts
               # its default profile in every config, as on a stock Debian host
               apparmor
               # SELinux's reference policy for the VM booted with security=selinux
               # (tests/system/vm-selinux.sh); inert on a host whose kernel runs no SELinux
               selinux-policy-default
               # the Debian package (debian/, tests/system/package.sh): dpkg-buildpackage, dh with
               # its meson and systemd helpers, build-essential (dpkg-checkbuilddeps wants it
               # besides Build-Depends), lintian on the result; git lists the tree to build
               dpkg-dev debhelper build-essential lintian git)

log_step() {
        printf '\n==> %s\n' "$*"
}

# Prints a command, then runs it: the demo and the scripts show what they do.
run() {
        printf '+ %s\n' "$*"
        "$@"
}

need_root() {
        if [ "$(id -u)" -ne 0 ]; then
                echo "$0: run this as root (containers need it; apt-get too)" >&2
                exit 1
        fi
}

# apt-get installs only what is missing, so a second run needs no network. The package lists
# are fetched first when some package is missing: a fresh machine may have none.
install_packages() {
        local missing=() p
        for p in "$@"; do
                if [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" != "ii " ]; then
                        missing+=("$p")
                fi
        done
        if [ ${#missing[@]} -eq 0 ]; then
                echo "packages already installed: $*"
                return 0
        fi
        export DEBIAN_FRONTEND=noninteractive
        run apt-get update
        run apt-get install -y --no-install-recommends "${missing[@]}"
}

# Configures the build directory once (reusing it after), then builds. $1: the directory.
build_ctr_launch() {
        local dir=${1:-build}
        if [ ! -f "$dir/build.ninja" ]; then
                # Our builds are warning-free (-Dwerror=true); distributions may build without it.
                if [ -d "$dir/meson-private" ]; then
                        run meson setup --wipe -Dwerror=true "$dir"
                else
                        run meson setup -Dwerror=true "$dir"
                fi
        fi
        run ninja -C "$dir"
}

# Makes an OCI bundle's root filesystem at $1 from the host's static busybox: the binary, a
# symlink per applet, /etc/passwd and /etc/group, and empty mount points.
make_busybox_rootfs() {
        local rootfs=$1 busybox=${BUSYBOX:-/bin/busybox} applet
        if [ ! -x "$busybox" ]; then
                echo "no $busybox: install busybox-static" >&2
                return 1
        fi
        # A dynamic busybox would find no libc inside the container.
        if ldd "$busybox" >/dev/null 2>&1; then
                echo "$busybox is not statically linked: install busybox-static" >&2
                return 1
        fi
        mkdir -p "$rootfs"/{bin,etc,proc,sys,dev,tmp,root,run}
        chmod 1777 "$rootfs/tmp"
        cp "$busybox" "$rootfs/bin/busybox"
        for applet in $("$busybox" --list); do
                [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
        done
        printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
                >"$rootfs/etc/passwd"
        printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
}

# Edits a bundle's config.json in place: root.path, process.args (the rest of the arguments),
# terminal off (these scripts have no console socket), and the hostname.
# $1: config.json, $2: hostname, $3...: process.args.
set_config() {
        python3 - "$@" <<'PY'
import json, sys
path, hostname, args = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(path) as f:
    config = json.load(f)
config["root"] = dict(config.get("root", {}), path="rootfs")
config["process"]["args"] = args
config["process"]["terminal"] = False
config["hostname"] = hostname
with open(path + ".tmp", "w") as f:
    json.dump(config, f, indent=2)
    f.write("\n")
PY
        mv "$1.tmp" "$1"
}
