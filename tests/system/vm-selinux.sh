#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The vm suite's second boot (`meson test vm-selinux`): the VM test host with SELinux as its
# major LSM instead of AppArmor. Debian 12's kernel has SELinux built in and boots it when the
# command line says security=selinux; systemd 252 then loads the policy of this machine's /etc,
# which the VM's root shares: Debian's selinux-policy-default (the reference policy, MLS).
# Permissive (enforcing=0, as the package's /etc/selinux/config says too): the VM's files, on
# 9p, carry no labels, and an enforcing policy would deny the system its own boot. Permissive
# still labels: processes transition, mounts take context=, and the kernel refuses a context
# the policy does not define; that is what lsm.sh's selinux-* cases test here (its AppArmor
# cases skip: AppArmor is off). docs/vm-test-host.md has what was found by hand.
# Usage: vm-selinux.sh MESON-BUILD-ROOT [PATH-TO-ctr-launch] (root; TAP; skipped otherwise).
# Environment: as vm-suite.sh's (CTR_VM_SCRIPTS: lsm by default).

policy=/etc/selinux/default/policy
if [ "$(id -u)" = 0 ] && ! compgen -G "$policy/policy.*" >/dev/null; then
        echo "Bail out! no SELinux policy in $policy: install selinux-policy-default" \
                "(tools/lib.sh TEST_PACKAGES)"
        exit 1
fi
export CTR_VM_APPEND="security=selinux enforcing=0${CTR_VM_APPEND:+ $CTR_VM_APPEND}"
export CTR_VM_SCRIPTS=${CTR_VM_SCRIPTS:-lsm} CTR_EXPECT_LSM=selinux
exec bash "$(dirname "$0")/vm-suite.sh" "$@"
