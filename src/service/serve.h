/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* `serve`: the privileged side of the control socket, run by ctr-launch@.service
 * (ctr-launch.socket, Accept=yes) with one connection. The verb (cli/verb-serve.c) only calls
 * this and prints what it returns; the logic, and every decision, is here. */

/* Reads one request from sock, pins the requester, asks polkit unless the requester is root,
 * acts, and sends one JSON reply. 1: the request was carried out (the reply holds the verb's
 * own status); 0: refused, with the reply saying why (and a warning in the journal); < 0 with
 * *ret_error: the service itself failed (stdin not a connection, the reply not sent). */
int serve_connection(int sock, char **ret_error);
