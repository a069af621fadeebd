/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A directory tree copied between two open directories (the "tmpcopyup" mount option). libc
 * only: runs in the init between fork and execve. */

/* Copies the entries of src_dir into dst_dir: directories, regular files, symlinks, device
 * nodes, FIFOs and sockets, with their owner, mode and times, and src_dir's own onto dst_dir.
 * Never follows a symlink. Returns 0 or -errno with *ret_error naming the entry. */
int copy_tree(int src_dir, int dst_dir, char **ret_error);
