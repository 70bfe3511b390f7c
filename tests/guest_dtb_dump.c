/* Writes a guest device tree (core/guest_dtb.h) to the file argv[1], for
 * tests/guest_dtb_dts.sh to read with dtc: two memory regions, four CPUs on two
 * clusters, PSCI over SMC, the UART, an initrd and bootargs. */
#include <stdio.h>

#include "core/guest_dtb.h"

int main(int argc, char **argv)
{
	static uint64_t buf[2048];
	struct guest_dtb d = {
		.nmem = 2,
		.mem = { { { 0x40000000 }, 0x8000000 }, { { 0x200000000ull }, 0x200000 } },
		.ncpus = 4,
		.mpidr = { 0x0, 0x1, 0x100, 0x101 },
		.psci_smc = true,
		.gicd = { 0x08000000 }, .gicd_size = 0x10000,
		.gicr = { 0x080A0000 }, .gicr_size = 0x80000,
		.timer_ppi = { 13, 14, 11, 10 },
		.has_uart = true, .uart = { 0x09000000 }, .uart_spi = 1,
		.bootargs = "console=ttyAMA0 earlycon rdinit=/init",
		.has_initrd = true, .initrd_start = { 0x48000000 }, .initrd_end = { 0x48123456 },
		.boot_count = 2,
	};
	size_t size;

	if (argc != 2 || guest_dtb_write(&d, buf, sizeof(buf), &size))
		return 1;
	FILE *f = fopen(argv[1], "wb");
	if (!f || fwrite(buf, 1, size, f) != size || fclose(f))
		return 1;
	return 0;
}
