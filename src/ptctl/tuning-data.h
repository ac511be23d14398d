/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel-cmdline/tuning.conf, compiled in by ptctl.mk so the binary needs no
 * data file at run time (--tuning FILE overrides it).
 */
#ifndef PTCTL_TUNING_DATA_H
#define PTCTL_TUNING_DATA_H
extern const char pt_tuning_builtin[];
/* data/reset-quirks, likewise (ptctl check reads the installed one first) */
extern const char pt_reset_quirks_builtin[];
#endif
