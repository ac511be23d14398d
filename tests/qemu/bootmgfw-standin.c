/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A stand-in for Windows' EFI/Microsoft/Boot/bootmgfw.efi in tests/qemu/bootloader: an EFI
 * application that prints a marker on the firmware's console (OVMF copies it to the serial
 * port) and powers the machine off. Built with clang and lld-link, no EFI headers:
 *   clang --target=x86_64-unknown-windows -ffreestanding -fshort-wchar -mno-red-zone -nostdlib
 *         -fuse-ld=lld-link -Wl,-subsystem:efi_application -Wl,-entry:efi_main
 * The structures are the UEFI specification's, cut after the members used.
 */
typedef unsigned long long u64;
typedef unsigned short c16;
#define EFIAPI __attribute__((ms_abi))

struct text_out { /* EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL */
	void *reset;
	u64(EFIAPI *output_string)(struct text_out *self, const c16 *s);
};

struct runtime { /* EFI_RUNTIME_SERVICES */
	char hdr[24];
	void *before[10]; /* GetTime ... GetNextHighMonotonicCount */
	void(EFIAPI *reset_system)(int type, u64 status, u64 size, void *data);
};

struct system_table { /* EFI_SYSTEM_TABLE */
	char hdr[24];
	void *vendor;
	unsigned revision;
	void *con_in_handle, *con_in, *con_out_handle;
	struct text_out *con_out;
	void *stderr_handle, *std_err;
	struct runtime *runtime;
};

EFIAPI u64 efi_main(void *image, struct system_table *st)
{
	static const c16 msg[] = u"\r\nPTBOOT-WINDOWS-STANDIN: chainloaded\r\n";

	(void)image;
	st->con_out->output_string(st->con_out, msg);
	st->runtime->reset_system(2 /* EfiResetShutdown */, 0, 0, 0);
	return 0;
}
