/* A VM's MMIO bus: emulated devices by guest-physical range. Lookup is a binary search
 * over ranges kept sorted, so it stays fast with many devices. */
#ifndef CORE_MMIO_H
#define CORE_MMIO_H

#include <stdint.h>

#include "hal/addr.h"

#define MMIO_MAX_DEVICES 32

/* A device's registers. offset is from the device's base; width is 1, 2, 4 or 8.
 * -EAGAIN: the device cannot take the access now (a full transmit FIFO), and the
 * guest's instruction runs again later, as behind a device that stalls the bus; any
 * other non-zero return is a bus error: the guest gets an external abort. */
struct mmio_ops {
	int (*read)(void *ctx, uint64_t offset, unsigned width, uint64_t *value);
	int (*write)(void *ctx, uint64_t offset, unsigned width, uint64_t value);
};

struct mmio_device {
	gpa_t base;
	uint64_t size;
	const struct mmio_ops *ops;
	void *ctx;
};

struct mmio_bus {
	unsigned n;
	struct mmio_device devs[MMIO_MAX_DEVICES]; /* sorted by base, disjoint */
};

void mmio_bus_init(struct mmio_bus *bus);

/* -EINVAL for an empty or wrapping range or NULL ops, -EEXIST if it overlaps a device,
 * -ENOSPC when the bus is full. */
int mmio_bus_add(struct mmio_bus *bus, gpa_t base, uint64_t size, const struct mmio_ops *ops,
		 void *ctx);

/* The device that holds all of [addr, addr + width), or NULL. */
const struct mmio_device *mmio_bus_find(const struct mmio_bus *bus, gpa_t addr, unsigned width);

/* Perform an access: -ENOENT if no device holds it, -EINVAL for a bad width, -EAGAIN
 * if the device is busy (try again), -EIO if it reported an error. */
int mmio_bus_read(const struct mmio_bus *bus, gpa_t addr, unsigned width, uint64_t *value);
int mmio_bus_write(const struct mmio_bus *bus, gpa_t addr, unsigned width, uint64_t value);

/* The same on a device mmio_bus_find already found (d may be NULL: -ENOENT); addr must
 * lie in it as found for width. */
int mmio_device_read(const struct mmio_device *d, gpa_t addr, unsigned width, uint64_t *value);
int mmio_device_write(const struct mmio_device *d, gpa_t addr, unsigned width, uint64_t value);

#endif
