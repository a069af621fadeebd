/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One entry point per command; each lives in its own verb-*.c. */

#include "cli.h"

int verb_create(int argc, char **argv, const GlobalOptions *g);
int verb_run(int argc, char **argv, const GlobalOptions *g);
int verb_start(int argc, char **argv, const GlobalOptions *g);
int verb_exec(int argc, char **argv, const GlobalOptions *g);
int verb_state(int argc, char **argv, const GlobalOptions *g);
int verb_kill(int argc, char **argv, const GlobalOptions *g);
int verb_delete(int argc, char **argv, const GlobalOptions *g);
int verb_list(int argc, char **argv, const GlobalOptions *g);
int verb_spec(int argc, char **argv, const GlobalOptions *g);
int verb_ps(int argc, char **argv, const GlobalOptions *g);
int verb_pause(int argc, char **argv, const GlobalOptions *g);
int verb_resume(int argc, char **argv, const GlobalOptions *g);
int verb_update(int argc, char **argv, const GlobalOptions *g);
int verb_events(int argc, char **argv, const GlobalOptions *g);
int verb_serve(int argc, char **argv, const GlobalOptions *g);
int verb_features(int argc, char **argv, const GlobalOptions *g);
int verb_checkpoint(int argc, char **argv, const GlobalOptions *g);
int verb_restore(int argc, char **argv, const GlobalOptions *g);
