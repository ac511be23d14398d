# SPDX-License-Identifier: GPL-2.0-or-later
# Packaging: the files beyond the binaries that `make install` puts in place (bash
# completion, ptboot(7), the kernel-install plugin, the grub.d script, data/reset-quirks),
# and `make deb` / `make rpm`, which build the packages from a copy of the tree in
# $(B)/pkg/. Included from the Makefile; uses its variables. See packaging/README.md.

SYSCONFDIR ?= /etc
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
KERNELINSTALLDIR ?= $(PREFIX)/lib/kernel/install.d
GRUBDDIR ?= $(SYSCONFDIR)/grub.d
# ptctl reads /usr/share/ptboot/reset-quirks (under --root), else its built-in copy
PTBOOTDATADIR ?= $(PREFIX)/share/ptboot

.PHONY: install-extra deb rpm

install: install-extra

install-extra:
	install -d $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(KERNELINSTALLDIR) \
		$(DESTDIR)$(GRUBDDIR) $(DESTDIR)$(PTBOOTDATADIR)
	install -m 0644 man/ptboot.7 $(DESTDIR)$(MANDIR)/man7/ptboot.7
	install -m 0644 completion/ptctl.bash $(DESTDIR)$(BASHCOMPDIR)/ptctl
	install -m 0755 kernel-cmdline/kernel-install/91-ptboot.install $(DESTDIR)$(KERNELINSTALLDIR)/
	install -m 0755 kernel-cmdline/grub.d/42_ptboot $(DESTDIR)$(GRUBDDIR)/
	install -m 0644 data/reset-quirks $(DESTDIR)$(PTBOOTDATADIR)/reset-quirks

# The packages are built from the tracked and new (not ignored) files of the work tree,
# copied to $(B)/pkg/src: never from build/ itself.
deb:
	$(Q)packaging/build-pkg deb $(B) $(VERSION)

rpm:
	$(Q)packaging/build-pkg rpm $(B) $(VERSION)
