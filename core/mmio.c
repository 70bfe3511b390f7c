/* The MMIO bus. Devices are registered while a VM is built and never removed while it
 * runs, so lookups take no lock. */
#include <stdbool.h>
#include <stddef.h>

#include "core/mem.h"
#include "core/mmio.h"
#include "hal/err.h"

void mmio_bus_init(struct mmio_bus *bus)
{
	bus->n = 0;
}

int mmio_bus_add(struct mmio_bus *bus, gpa_t base, uint64_t size, const struct mmio_ops *ops,
		 void *ctx)
{
	uint64_t lo = gpa_bits(base);

	if (!bus || !ops || !ops->read || !ops->write || size == 0 || lo + size < lo)
		return -EINVAL;
	if (bus->n == MMIO_MAX_DEVICES)
		return -ENOSPC;
	unsigned pos = 0;
	while (pos < bus->n && gpa_bits(bus->devs[pos].base) < lo)
		pos++;
	if (pos > 0 && gpa_bits(bus->devs[pos - 1].base) + bus->devs[pos - 1].size > lo)
		return -EEXIST;
	if (pos < bus->n && lo + size > gpa_bits(bus->devs[pos].base))
		return -EEXIST;
	memmove(&bus->devs[pos + 1], &bus->devs[pos], (bus->n - pos) * sizeof(bus->devs[0]));
	bus->devs[pos] = (struct mmio_device){ base, size, ops, ctx };
	bus->n++;
	return 0;
}

int mmio_bus_read(const struct mmio_bus *bus, gpa_t addr, unsigned width, uint64_t *value)
{
	return mmio_device_read(mmio_bus_find(bus, addr, width), addr, width, value);
}

int mmio_bus_write(const struct mmio_bus *bus, gpa_t addr, unsigned width, uint64_t value)
{
	return mmio_device_write(mmio_bus_find(bus, addr, width), addr, width, value);
}
