/* A VM's MMIO bus: emulated devices by guest-physical range. Lookup is a binary search
 * over ranges kept sorted, so it stays fast with many devices. */
#ifndef CORE_MMIO_H
#define CORE_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "hal/addr.h"
#include "hal/err.h"

#define MMIO_MAX_DEVICES 32

/* A device's registers. offset is from the device's base; width is 1, 2, 4 or 8.
 * -EAGAIN: the device cannot take the access now (a full transmit FIFO), and the
 * guest's instruction runs again later, as behind a device that stalls the bus; any
 * other non-zero return is a bus error: the guest gets an external abort. */
struct mmio_shadow;

/* shadows (may be NULL): the device's registers whose reads have no side effect and
 * whose values it keeps current in memory (arch/exit.h), at most max into out with
 * .addr an offset from the device's base; their count. Loads of those are answered
 * where the exit is taken, without read. */
struct mmio_ops {
	int (*read)(void *ctx, uint64_t offset, unsigned width, uint64_t *value);
	int (*write)(void *ctx, uint64_t offset, unsigned width, uint64_t value);
	unsigned (*shadows)(void *ctx, struct mmio_shadow *out, unsigned max);
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

/* The device that holds all of [addr, addr + width), or NULL. Inline, as the two
 * below: they are on every MMIO exit. */
static inline const struct mmio_device *mmio_bus_find(const struct mmio_bus *bus, gpa_t addr,
						      unsigned width)
{
	unsigned lo = 0, hi = bus->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct mmio_device *d = &bus->devs[mid];
		if (gpa_bits(addr) < gpa_bits(d->base)) {
			hi = mid;
		} else if (gpa_sub(addr, d->base) >= d->size) {
			lo = mid + 1;
		} else {
			bool fits = width <= d->size - gpa_sub(addr, d->base);
			return fits ? d : NULL;
		}
	}
	return NULL;
}

/* Perform an access: -ENOENT if no device holds it, -EINVAL for a bad width, -EAGAIN
 * if the device is busy (try again), -EIO if it reported an error. */
int mmio_bus_read(const struct mmio_bus *bus, gpa_t addr, unsigned width, uint64_t *value);
int mmio_bus_write(const struct mmio_bus *bus, gpa_t addr, unsigned width, uint64_t value);

/* The same on a device mmio_bus_find already found (d may be NULL: -ENOENT); addr must
 * lie in it as found for width. */
static inline bool mmio_width_ok(unsigned width)
{
	return width == 1 || width == 2 || width == 4 || width == 8;
}

/* A device's answer as the bus reports it: busy stays busy, any other error is -EIO. */
static inline int mmio_device_result(int err)
{
	return err == 0 || err == -EAGAIN ? err : -EIO;
}

static inline int mmio_device_read(const struct mmio_device *d, gpa_t addr, unsigned width,
				   uint64_t *value)
{
	if (!mmio_width_ok(width) || !value)
		return -EINVAL;
	if (!d)
		return -ENOENT;
	*value = 0;
	return mmio_device_result(d->ops->read(d->ctx, gpa_sub(addr, d->base), width, value));
}

static inline int mmio_device_write(const struct mmio_device *d, gpa_t addr, unsigned width,
				    uint64_t value)
{
	if (!mmio_width_ok(width))
		return -EINVAL;
	if (!d)
		return -ENOENT;
	return mmio_device_result(d->ops->write(d->ctx, gpa_sub(addr, d->base), width, value));
}

#endif
