/* VMs and vCPUs as objects: the vCPU life cycle and its illegal transitions, VM
 * configuration errors, and the return of every resource over many VM lifetimes. */
#include <check.h>
#include <string.h>

#include "core/frame.h"
#include "core/hypercall.h"
#include "core/place.h"
#include "core/run.h"
#include "core/sched.h"
#include "core/vm.h"
#include "core/vmset.h"
#include "hal-sim/sim.h"
#include "hal/err.h"
#include "tests/check_main.h"
#include "tests/testlib.h"

#define RAM 0x40000000ull

static size_t baseline;

static int nop_read(void *ctx, uint64_t off, unsigned width, uint64_t *value)
{
	(void)ctx, (void)off, (void)width;
	*value = 0;
	return 0;
}

static int nop_write(void *ctx, uint64_t off, unsigned width, uint64_t value)
{
	(void)ctx, (void)off, (void)width, (void)value;
	return 0;
}

static const struct mmio_ops nop_ops = { nop_read, nop_write, NULL };

/* Devices that offer bad shadowed registers (mmio_ops.shadows): the kind picks the
 * mistake. The device windows of base_config are 0x1000 bytes. */
static uint64_t shadow_value;
static int shadow_kind;

static unsigned bad_shadows(void *ctx, struct mmio_shadow *out, unsigned max)
{
	struct mmio_shadow s = { gpa_make(0x18), 0x7, &shadow_value };
	unsigned n = 1;

	(void)ctx;
	switch (shadow_kind) {
	case 0: s.addr = gpa_make(0x1000); break;  /* past the window */
	case 1: s.addr = gpa_make(0xFFC); s.widths = 0x8; break; /* 8 bytes from 0xFFC */
	case 2: s.widths = 0; break;               /* no width */
	case 3: s.widths = 0x10; break;            /* a width no load has */
	case 4: s.value = NULL; break;
	case 5: n = 2; break;                      /* one address twice */
	default: n = MMIO_MAX_SHADOWS + 1; break;  /* more than the table holds */
	}
	for (unsigned i = 0; i < n && i < max; i++) {
		out[i] = s;
		if (shadow_kind > 5)
			out[i].addr = gpa_make(8 * i);
	}
	return n < max ? n : max;
}

static const struct mmio_ops bad_shadow_ops = { nop_read, nop_write, bad_shadows };

static struct vm_config base_config(void)
{
	struct vm_config cfg = {
		.name = "lifecycle", .nvcpus = 2, .entry = { RAM }, .nmem = 2,
		.mem = { { { RAM }, 64 * 1024, PT_R | PT_W | PT_X, AS_ALLOC_EAGER, { 0 } },
			 { { RAM + (1u << 20) }, 1u << 20, PT_R | PT_W, AS_ALLOC_LAZY, { 0 } } },
		.ndevices = 1,
		.devices = { { { 0x09000000 }, 0x1000, &nop_ops, NULL } },
	};
	return cfg;
}

static void setup(void)
{
	test_machine_up(2, true);
	sched_init(SCHED_STATIC, 0);
	baseline = frame_outstanding();
}

static void teardown(void)
{
	ck_assert_uint_eq(frame_outstanding(), baseline);
	ck_assert_uint_eq(vm_count(), 0);
	test_machine_down();
}

START_TEST(test_vcpu_life_cycle_in_order)
{
	struct vcpu v;

	ck_assert_int_eq(vcpu_init(&v, NULL, 0, 1), 0);
	ck_assert_uint_eq(vcpu_state(&v), VCPU_CREATED);
	ck_assert_int_eq(vcpu_set_entry(&v, gpa_make(RAM), 0x1234), 0);
	ck_assert_int_eq(vcpu_set_s2(&v, pa_make(0x80004000), 3, 0x80043558), 0);
	ck_assert_uint_eq(v.arch.ctx.vttbr_el2, (3ull << 48) | 0x80004000);
	ck_assert_uint_eq(v.arch.ctx.pc, RAM);
	ck_assert_uint_eq(v.arch.ctx.x[0], 0x1234);
	ck_assert_int_eq(vcpu_setup(&v), 0);
	ck_assert_uint_eq(vcpu_state(&v), VCPU_FREE);
	ck_assert_int_eq(vcpu_bind(&v), 0);
	ck_assert_uint_eq(v.pcpu, 0);
	ck_assert_int_eq(vcpu_set_gpr(&v, 4, 44), 0);
	ck_assert_uint_eq(vcpu_get_gpr(&v, 4), 44);
	ck_assert_int_eq(vcpu_set_gpr(&v, 31, 7), 0); /* XZR: ignored */
	ck_assert_uint_eq(vcpu_get_gpr(&v, 31), 0);
	ck_assert_int_eq(vcpu_set_gpr(&v, 32, 7), -EINVAL);
	vcpu_set_return(&v, 99);
	ck_assert_uint_eq(vcpu_get_gpr(&v, 0), 99);
	ck_assert_int_eq(vcpu_put(&v), 1);
	ck_assert_uint_eq(vcpu_state(&v), VCPU_FREE);
	ck_assert_int_eq(vcpu_power_off(&v), 0);
	ck_assert_int_eq(vcpu_power_on(&v, gpa_make(RAM + 8), 5), 0);
	ck_assert_uint_eq(v.arch.ctx.pc, RAM + 8);
	ck_assert_int_eq(vcpu_power_on(&v, gpa_make(RAM), 0), -EBUSY); /* on, not started yet */
}
END_TEST

/* A hold, from each state: FREE stops at once; BOUND leaves its pCPU STOPPED, not
 * FREE; BLOCKED and OFF stay, but a wake-up and a CPU_ON make them STOPPED; release
 * makes a STOPPED vCPU FREE; reset needs it held and off every pCPU. */
START_TEST(test_a_held_vcpu_stops_wherever_it_was_and_release_resumes_it)
{
	struct vcpu v;

	ck_assert_int_eq(vcpu_init(&v, NULL, 0, 1), 0);
	ck_assert_int_eq(vcpu_stop(&v), -EPERM); /* never set up */
	ck_assert_uint_eq(vcpu_state(&v), VCPU_CREATED);
	ck_assert_int_eq(vcpu_set_entry(&v, gpa_make(RAM), 0x1234), 0);
	ck_assert_int_eq(vcpu_set_s2(&v, pa_make(0x80004000), 3, 0x80043558), 0);
	ck_assert_int_eq(vcpu_setup(&v), 0);

	ck_assert_int_eq(vcpu_stop(&v), 1); /* FREE: off every pCPU now */
	ck_assert_uint_eq(vcpu_state(&v), VCPU_STOPPED);
	ck_assert(vcpu_stopped(&v));
	ck_assert_int_eq(vcpu_try_bind(&v), -EAGAIN); /* the scheduler cannot take it */
	ck_assert_int_eq(vcpu_release(&v), 1);
	ck_assert_uint_eq(vcpu_state(&v), VCPU_FREE);
	ck_assert(!vcpu_stopped(&v) && !vcpu_held(&v));

	ck_assert_int_eq(vcpu_bind(&v), 0); /* BOUND: held, it leaves STOPPED */
	ck_assert_int_eq(vcpu_stop(&v), 0);
	ck_assert(vcpu_held(&v) && !vcpu_stopped(&v));
	ck_assert_uint_eq(vcpu_state(&v), VCPU_BOUND);
	ck_assert_int_eq(vcpu_unbind(&v), 0);
	ck_assert_uint_eq(vcpu_state(&v), VCPU_STOPPED);
	ck_assert(vcpu_stopped(&v));
	ck_assert_int_eq(vcpu_release(&v), 1);

	ck_assert_int_eq(vcpu_bind(&v), 0); /* BLOCKED off its pCPU: a wake makes it STOPPED */
	ck_assert_int_eq(vcpu_block(&v), 0);
	ck_assert_int_eq(vcpu_unbind(&v), 0);
	ck_assert_int_eq(vcpu_stop(&v), 1);
	ck_assert_uint_eq(vcpu_state(&v), VCPU_BLOCKED);
	ck_assert_int_eq(vcpu_wake(&v), 0); /* not runnable: held */
	ck_assert_uint_eq(vcpu_state(&v), VCPU_STOPPED);
	ck_assert_int_eq(vcpu_release(&v), 1);
	ck_assert_uint_eq(vcpu_state(&v), VCPU_FREE);

	ck_assert_int_eq(vcpu_power_off(&v), 0); /* OFF: CPU_ON makes it STOPPED */
	ck_assert_int_eq(vcpu_stop(&v), 1);
	ck_assert_int_eq(vcpu_power_on(&v, gpa_make(RAM + 8), 5), 0);
	ck_assert_uint_eq(vcpu_state(&v), VCPU_STOPPED);
	ck_assert_int_eq(vcpu_power_state(&v), CPU_STATE_ON_PENDING);

	/* Reset: registers from scratch at the boot entry, or off. */
	v.arch.ctx.x[19] = 77;
	ck_assert_int_eq(vcpu_reset(&v, true), 0);
	ck_assert_uint_eq(v.arch.ctx.x[19], 0);
	ck_assert_uint_eq(v.arch.ctx.pc, RAM);
	ck_assert_uint_eq(v.arch.ctx.x[0], 0x1234);
	ck_assert_uint_eq(v.arch.ctx.vttbr_el2, (3ull << 48) | 0x80004000);
	ck_assert_uint_eq(vcpu_state(&v), VCPU_STOPPED);
	ck_assert(vcpu_held(&v));
	ck_assert_int_eq(vcpu_reset(&v, false), 0);
	ck_assert_uint_eq(vcpu_state(&v), VCPU_OFF);
	ck_assert_int_eq(vcpu_power_state(&v), CPU_STATE_OFF);
	ck_assert_int_eq(vcpu_release(&v), 0); /* OFF stays OFF */
	ck_assert_int_eq(vcpu_reset(&v, true), -EPERM); /* not held */
	ck_assert_int_eq(vcpu_power_on(&v, gpa_make(RAM), 0), 0);
	ck_assert_int_eq(vcpu_bind(&v), 0);
	ck_assert_int_eq(vcpu_stop(&v), 0);
	ck_assert_int_eq(vcpu_reset(&v, true), -EPERM); /* still on its pCPU */
	ck_assert_uint_eq(vcpu_state(&v), VCPU_BOUND);   /* and not poisoned */
	ck_assert_int_eq(vcpu_unbind(&v), 0);
}
END_TEST

START_TEST(test_illegal_transitions_poison_the_vcpu)
{
	struct vcpu v;

	ck_assert_int_eq(vcpu_init(&v, NULL, 0, 0), -EINVAL); /* no pCPU at all */
	ck_assert_int_eq(vcpu_init(&v, NULL, 0, 1), 0);
	ck_assert_int_eq(vcpu_setup(&v), -EPERM); /* no entry, no stage-2 */
	ck_assert_uint_eq(vcpu_state(&v), VCPU_UNUSABLE);
	ck_assert_int_eq(vcpu_bind(&v), -EPERM);
	ck_assert_int_eq(vcpu_power_on(&v, gpa_make(RAM), 0), -EPERM);
	ck_assert_uint_eq(vcpu_state(&v), VCPU_UNUSABLE);

	ck_assert_int_eq(vcpu_init(&v, NULL, 0, 1), 0);
	ck_assert_int_eq(vcpu_bind(&v), -EPERM); /* bind before setup */
	ck_assert_uint_eq(vcpu_state(&v), VCPU_UNUSABLE);

	struct vm_exit e;
	ck_assert_int_eq(vcpu_init(&v, NULL, 0, 1), 0);
	ck_assert_int_eq(vcpu_set_entry(&v, gpa_make(RAM), 0), 0);
	ck_assert_int_eq(vcpu_set_s2(&v, pa_make(0x80004000), 1, 0), 0);
	ck_assert_int_eq(vcpu_setup(&v), 0);
	ck_assert_int_eq(vcpu_run(&v, &e), -EPERM); /* run before bind */
	ck_assert_uint_eq(vcpu_state(&v), VCPU_UNUSABLE);

	ck_assert_int_eq(vcpu_init(&v, NULL, 0, 1), 0);
	ck_assert_int_eq(vcpu_set_entry(&v, gpa_make(RAM), 0), 0);
	ck_assert_int_eq(vcpu_set_s2(&v, pa_make(0x80004000), 1, 0), 0);
	ck_assert_int_eq(vcpu_setup(&v), 0);
	ck_assert_int_eq(vcpu_set_s2(&v, pa_make(0x80004000), 1, 0), -EPERM); /* after setup */
	ck_assert_uint_eq(vcpu_state(&v), VCPU_UNUSABLE);
	ck_assert_int_eq(vcpu_try_bind(&v), -EAGAIN); /* the scheduler's bind never poisons */
}
END_TEST

START_TEST(test_vcpu_without_a_guest_fails_entry_cleanly)
{
	struct vm *vm;
	struct vm_config cfg = base_config();

	ck_assert_int_eq(vm_create(&cfg, &vm), 0);
	struct vcpu *v = vm_vcpu(vm, 0);
	ck_assert_int_eq(vcpu_bind(v), 0);
	struct vm_exit e;
	ck_assert_int_eq(vcpu_run(v, &e), -ENOSYS); /* no guest installed in this test */
	ck_assert_uint_eq(e.kind, EXIT_ENTRY_FAILED);
	vm_handle_exit(v, &e);
	ck_assert_uint_eq(vm->state, VM_STOPPED);
	ck_assert_uint_eq(vm->stop_reason, VM_STOP_ERROR);
	ck_assert_int_eq(vm_destroy(vm), -EBUSY); /* still bound here */
	ck_assert_int_eq(vcpu_put(v), 1);
	ck_assert_int_eq(vm_destroy(vm), 0);
}
END_TEST

START_TEST(test_bad_configs_are_refused_and_leave_nothing)
{
	struct vm_config cfg;
	struct vm *vm;

	ck_assert_int_eq(vm_create(NULL, &vm), -EINVAL);
	cfg = base_config();
	ck_assert_int_eq(vm_create(&cfg, NULL), -EINVAL);
	cfg.nvcpus = 0;
	ck_assert_int_eq(vm_create(&cfg, &vm), -EINVAL);
	cfg.nvcpus = VM_MAX_VCPUS + 1;
	ck_assert_int_eq(vm_create(&cfg, &vm), -EINVAL);
	cfg = base_config();
	cfg.affinity[1] = 1u << 5; /* the machine has 2 pCPUs */
	ck_assert_int_eq(vm_create(&cfg, &vm), -EINVAL);
	cfg = base_config();
	cfg.mem[1].gpa = gpa_make(RAM + 4096); /* overlaps the first region */
	ck_assert_int_eq(vm_create(&cfg, &vm), -EEXIST);
	cfg = base_config();
	cfg.mem[1].flags = PT_W; /* write without read */
	ck_assert_int_eq(vm_create(&cfg, &vm), -EINVAL);
	cfg = base_config();
	cfg.nmem = VM_MAX_MEM + 1;
	ck_assert_int_eq(vm_create(&cfg, &vm), -EINVAL);
	cfg = base_config();
	cfg.ndevices = 2;
	cfg.devices[1] = cfg.devices[0]; /* two devices at one address */
	ck_assert_int_eq(vm_create(&cfg, &vm), -EEXIST);
	cfg = base_config();
	cfg.devices[0].ops = NULL;
	ck_assert_int_eq(vm_create(&cfg, &vm), -EINVAL);
	/* A device window inside memory: a described fault there goes to the device
	 * before RAM is asked about, so it must not exist. The message names both. */
	struct vm_refusal why;
	cfg = base_config();
	cfg.devices[0].base = gpa_make(gpa_bits(cfg.mem[0].gpa) + 0x1000);
	ck_assert_int_eq(vm_create_reason(&cfg, &vm, &why), -EEXIST);
	ck_assert_int_eq(why.mem, 0);
	ck_assert_ptr_nonnull(strstr(why.why, "overlaps the device at"));
	cfg = base_config();
	cfg.mem[0].gpa = gpa_make(0x08000000); /* the vGIC's distributor */
	ck_assert_int_eq(vm_create_reason(&cfg, &vm, &why), -EEXIST);
	ck_assert_ptr_nonnull(strstr(why.why, "overlaps the interrupt controller at 0x08000000"));
	cfg = base_config();
	cfg.mem[0].size = 1ull << 40; /* more than the machine has */
	ck_assert_int_eq(vm_create(&cfg, &vm), -ENOMEM);
	frame_fault_fail_nth(1); /* the VM structure itself */
	cfg = base_config();
	ck_assert_int_eq(vm_create(&cfg, &vm), -ENOMEM);
	frame_fault_clear();
}
END_TEST

/* A device's shadowed registers must lie in its window, be read at widths loads have,
 * point somewhere, name each address once and fit the table: otherwise the VM is
 * refused, saying which device, and nothing is left behind. */
START_TEST(test_bad_shadowed_registers_refuse_the_vm)
{
	struct vm_config cfg = base_config();
	struct vm_refusal why;
	struct vm *vm;

	cfg.devices[0].ops = &bad_shadow_ops;
	for (shadow_kind = 0; shadow_kind <= 5; shadow_kind++) {
		ck_assert_int_eq(vm_create_reason(&cfg, &vm, &why), -EINVAL);
		ck_assert_ptr_nonnull(strstr(why.why, "a bad shadowed register"));
	}
	ck_assert_int_eq(vm_create_reason(&cfg, &vm, &why), -ENOSPC);
	ck_assert_ptr_nonnull(strstr(why.why, "shadowed registers"));
	ck_assert_uint_eq(frame_outstanding(), baseline);
	ck_assert_uint_eq(vm_count(), 0);
}
END_TEST

START_TEST(test_every_allocation_failure_during_create_leaves_nothing)
{
	struct vm_config cfg = base_config();
	struct vm *vm;

	uint64_t calls = frame_alloc_calls();
	ck_assert_int_eq(vm_create(&cfg, &vm), 0);
	uint64_t needed = frame_alloc_calls() - calls;
	ck_assert_int_eq(vm_destroy(vm), 0);
	for (uint64_t n = 1; n <= needed; n++) {
		frame_fault_fail_nth(n);
		ck_assert_int_eq(vm_create(&cfg, &vm), -ENOMEM);
		ck_assert_uint_eq(frame_outstanding(), baseline);
		ck_assert_uint_eq(vm_count(), 0);
	}
	frame_fault_clear();
}
END_TEST

START_TEST(test_vm_table_is_bounded)
{
	struct vm_config cfg = base_config();
	struct vm *vms[VM_MAX], *extra;

	cfg.nmem = 0;
	for (unsigned i = 0; i < VM_MAX; i++) {
		ck_assert_int_eq(vm_create(&cfg, &vms[i]), 0);
		ck_assert_ptr_eq(vm_by_id(vms[i]->id), vms[i]);
	}
	ck_assert_int_eq(vm_create(&cfg, &extra), -ENOSPC);
	for (unsigned i = 0; i < VM_MAX; i++)
		ck_assert_int_eq(vm_destroy(vms[i]), 0);
	ck_assert_ptr_null(vm_by_id(0));
	ck_assert_ptr_null(vm_by_id(VM_MAX));
}
END_TEST

START_TEST(test_thousand_vm_lifetimes_return_every_frame)
{
	struct vm_config cfg = base_config();

	for (unsigned i = 0; i < 1000; i++) {
		struct vm *vm;
		ck_assert_int_eq(vm_create(&cfg, &vm), 0);
		ck_assert_int_eq(vm_start(vm), 0);
		ck_assert_int_eq(vm_start(vm), -EPERM);
		/* Touch lazy memory and inject, as a running VM would. */
		ck_assert_int_eq(as_handle_fault(&vm->as,
						 gpa_make(RAM + (1u << 20) + (i % 256) * 4096), PT_W), 0);
		ck_assert_int_eq(vm_inject_irq(vm, 1, 3), 0);
		ck_assert_int_eq(vm_destroy(vm), 0);
		ck_assert_uint_eq(frame_outstanding(), baseline);
	}
	ck_assert_uint_eq(vm_count(), 0);
}
END_TEST

/* Frames a VM took through one pCPU's frame cache come back when it is destroyed on
 * another, and are anybody's again (a claim drains them out of the cache). */
START_TEST(test_a_vm_destroyed_on_another_pcpu_returns_every_frame)
{
	struct vm_config cfg = base_config();
	struct vm *vm;
	paddr_t ram;

	ck_assert_int_eq(hal_sim_act_as_pcpu(1), 0);
	ck_assert_int_eq(vm_create(&cfg, &vm), 0);
	for (unsigned i = 0; i < 40; i++)
		ck_assert_int_eq(as_handle_fault(&vm->as, gpa_make(RAM + (1u << 20) + i * 4096),
						 PT_W), 0);
	ck_assert_int_eq(as_translate(&vm->as, gpa_make(RAM), &ram, NULL), 0);
	ck_assert_uint_gt(frame_outstanding(), baseline + 40);
	ck_assert_int_eq(hal_sim_act_as_pcpu(0), 0);
	ck_assert_int_eq(vm_destroy(vm), 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	ck_assert_uint_gt(frame_cached(), 0);
	ck_assert_int_eq(frame_claim_at(ram, 4096), 0);
	ck_assert_int_eq(frame_release_at(ram, 4096), 0);
}
END_TEST

/* A VMID may go to the next VM only once no TLB holds the old VM's translations; an
 * unmap must reach the TLB as well. */
START_TEST(test_unmap_and_destroy_flush_the_vms_tlb_entries)
{
	struct vm_config cfg = base_config();
	struct vm *vm;
	uint64_t root;

	ck_assert_int_eq(vm_create(&cfg, &vm), 0);
	uint64_t vttbr = vm->vcpus[0].arch.ctx.vttbr_el2;
	ck_assert_uint_eq(vttbr >> 48, vm_vmid(vm));
	ck_assert_int_eq(as_handle_fault(&vm->as, gpa_make(RAM + (1u << 20)), PT_W), 0);
	paddr_t pa;
	ck_assert_int_eq(pt_translate(&vm->as.pt, gpa_make(RAM + (1u << 20)), &pa, NULL, NULL), 0);
	uint64_t before = hal_sim_tlb_flushes(NULL);
	ck_assert_int_eq(pt_unmap(&vm->as.pt, gpa_make(RAM + (1u << 20)), 4096), 0);
	ck_assert_uint_eq(hal_sim_tlb_flushes(&root), before + 1);
	ck_assert_uint_eq(root, vttbr);
	/* The page the lazy fault had allocated, charged to the VM. */
	ck_assert_int_eq(frame_free_acct(&vm->frames, pa), 0);
	ck_assert_int_eq(vm_destroy(vm), 0);
	ck_assert_uint_ge(hal_sim_tlb_flushes(&root), before + 2);
	ck_assert_uint_eq(root, vttbr);
}
END_TEST

/* A set of VMs from specifications: the guest image lands in guest memory, the PL011
 * is on the bus and takes console input, and destroying the set returns every frame. */
START_TEST(test_vmset_builds_loads_images_and_gives_everything_back)
{
	static const uint8_t image[] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5 };
	struct vm_spec specs[2] = { { .cfg = base_config() }, { .cfg = base_config() } };
	struct vmset set;
	uint8_t back[sizeof(image)];
	unsigned failed = 99;

	specs[0].cfg.ndevices = specs[1].cfg.ndevices = 0;
	specs[1].has_pl011 = true;
	specs[1].pl011_base = gpa_make(0x09000000);
	specs[1].pl011_irq = 33;
	specs[1].image = image;
	specs[1].image_size = sizeof(image);
	specs[1].image_addr = gpa_make(RAM + 0x1000 - 4); /* across a page boundary */
	ck_assert_int_eq(vmset_build(&set, specs, 2, &failed, NULL), 0);
	ck_assert_uint_eq(set.n, 2);
	ck_assert_int_eq(as_read(&set.vms[1]->as, gpa_make(RAM + 0x1000 - 4), back, sizeof(back)),
			 0);
	ck_assert_mem_eq(back, image, sizeof(image));
	ck_assert_ptr_nonnull(mmio_bus_find(&set.vms[1]->bus, gpa_make(0x09000018), 4));
	ck_assert_ptr_null(mmio_bus_find(&set.vms[0]->bus, gpa_make(0x09000018), 4));
	ck_assert_int_eq(vmset_console_room(&set), PL011_FIFO_DEPTH);
	ck_assert_int_eq(vmset_console_input(&set, 'x'), 0);
	ck_assert_int_eq(vmset_console_room(&set), PL011_FIFO_DEPTH - 1);
	ck_assert_ptr_null(set.vms[1]->console); /* a PL011 is no firmware console */
	ck_assert(!vmset_all_stopped(&set));
	vmset_start(&set);
	vmset_stop(&set, VM_STOP_REQUESTED);
	ck_assert(vmset_all_stopped(&set));
	ck_assert_int_eq(vmset_destroy(&set), 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	ck_assert_uint_eq(failed, 99);
}
END_TEST

/* A VM with an NS16550A (host-neutral: its interrupt is a line of the VM's interrupt
 * controller): on the bus, the set's console input goes to it with flow control (room
 * 1 without FIFOs: the holding register), and it is the VM's firmware console. A VM
 * asking for two UARTs is refused. */
START_TEST(test_vmset_gives_a_vm_its_ns16550)
{
	struct vm_spec spec = { .cfg = base_config() };
	struct vmset set;
	uint8_t got[4];

	spec.cfg.ndevices = 0;
	spec.has_ns16550 = true;
	spec.ns16550_base = gpa_make(0x10000000);
	spec.ns16550_irq = 40;
	ck_assert_int_eq(vmset_build(&set, &spec, 1, NULL, NULL), 0);
	struct vm *vm = set.vms[0];
	ck_assert_ptr_nonnull(mmio_bus_find(&vm->bus, gpa_make(0x10000005), 1));
	ck_assert_ptr_null(mmio_bus_find(&vm->bus, gpa_make(0x10000100), 1));
	ck_assert_int_eq(vmset_console_room(&set), 1);
	ck_assert_int_eq(vmset_console_input(&set, 'a'), 0);
	ck_assert_int_eq(vmset_console_room(&set), 0);
	ck_assert_int_eq(vmset_console_input(&set, 'b'), -ENOSPC); /* an overrun */
	ck_assert_ptr_nonnull(vm->console);
	ck_assert_int_eq(vm->console->read(vm->console_ctx, got, sizeof(got)), 1);
	ck_assert_uint_eq(got[0], 'a');
	ck_assert_int_eq(vmset_console_room(&set), 1);
	ck_assert_int_eq(vm->console->write(vm->console_ctx, (const uint8_t *)"hi\n", 3), 3);
	vmset_flush(&set);
	ck_assert_int_eq(vmset_destroy(&set), 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);

	struct vm_refusal why;
	spec.has_pl011 = true;
	spec.pl011_base = gpa_make(0x09000000);
	spec.pl011_irq = 33;
	ck_assert_int_eq(vmset_build(&set, &spec, 1, NULL, &why), -EINVAL);
	ck_assert_str_eq(why.why, "has two UARTs (a PL011 and an NS16550A)");
	ck_assert_uint_eq(vm_count(), 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);
}
END_TEST

START_TEST(test_vmset_refuses_an_image_outside_memory_and_leaves_nothing)
{
	static const uint8_t image[16];
	struct vm_spec specs[2] = { { .cfg = base_config() }, { .cfg = base_config() } };
	struct vmset set;
	unsigned failed = 99;

	specs[1].image = image;
	specs[1].image_size = sizeof(image);
	specs[1].image_addr = gpa_make(RAM + 64 * 1024 - 8); /* runs past the region */
	ck_assert_int_eq(vmset_build(&set, specs, 2, &failed, NULL), -EINVAL);
	ck_assert_uint_eq(failed, 1);
	ck_assert_uint_eq(vm_count(), 0);
	ck_assert_uint_eq(frame_outstanding(), baseline);
	struct vm_spec many[VMSET_MAX + 1];
	for (unsigned i = 0; i <= VMSET_MAX; i++)
		many[i] = (struct vm_spec){ .cfg = base_config() };
	ck_assert_int_eq(vmset_build(&set, many, VMSET_MAX + 1, &failed, NULL), -EINVAL);
	ck_assert_uint_eq(failed, VMSET_MAX);
	ck_assert_uint_eq(vm_count(), 0);
	ck_assert_int_eq(vmset_console_input(&set, 'x'), -ENODEV);
}
END_TEST

/* ---- Static placement: one pCPU per vCPU (core/place.h) -------------------------- */

static struct placement two_vms(unsigned n0, unsigned n1)
{
	return (struct placement){ .nvms = 2, .name = { "a", "b" }, .nvcpus = { n0, n1 } };
}

START_TEST(test_static_placement_spreads_default_affinities)
{
	struct placement p = two_vms(2, 1);

	ck_assert_int_eq(place_static(&p, 4), 0);
	ck_assert_uint_eq(p.affinity[0][0], 1u << 0);
	ck_assert_uint_eq(p.affinity[0][1], 1u << 1);
	ck_assert_uint_eq(p.affinity[1][0], 1u << 2);
}
END_TEST

START_TEST(test_static_placement_keeps_pinned_vcpus_and_fills_around_them)
{
	struct placement p = two_vms(2, 2);

	p.affinity[0][1] = 1u << 0; /* pinned to pCPU 0, declared after a default one */
	p.affinity[1][0] = 1u << 3;
	p.affinity[1][1] = (1u << 0) | (1u << 1); /* pCPU 0 or 1 */
	ck_assert_int_eq(place_static(&p, 4), 0);
	ck_assert_uint_eq(p.affinity[0][1], 1u << 0);
	ck_assert_uint_eq(p.affinity[1][0], 1u << 3);
	ck_assert_uint_eq(p.affinity[1][1], 1u << 1);
	ck_assert_uint_eq(p.affinity[0][0], 1u << 2);
}
END_TEST

/* Taking the lowest free pCPU in order would leave a.2 nothing: a.0, which may run
 * anywhere, has to move out of the way. */
START_TEST(test_static_placement_finds_a_placement_whenever_one_exists)
{
	struct placement p = two_vms(3, 1);

	p.affinity[0][1] = (1u << 0) | (1u << 1);
	p.affinity[0][2] = (1u << 0) | (1u << 1);
	p.affinity[1][0] = (1u << 1) | (1u << 2) | (1u << 3);
	ck_assert_int_eq(place_static(&p, 4), 0);
	uint64_t seen = 0;
	for (unsigned v = 0; v < 2; v++)
		for (unsigned c = 0; c < p.nvcpus[v]; c++) {
			uint64_t a = p.affinity[v][c];
			ck_assert_uint_eq(a & (a - 1), 0); /* one pCPU */
			ck_assert_uint_eq(seen & a, 0);    /* nobody else's */
			seen |= a;
		}
	ck_assert_uint_eq(p.affinity[0][1] | p.affinity[0][2], 3);
	ck_assert_uint_eq(p.affinity[1][0] & ~0xEull, 0);
}
END_TEST

START_TEST(test_static_placement_refuses_what_cannot_run_and_says_why)
{
	struct placement p = two_vms(2, 1);

	ck_assert_int_eq(place_static(&p, 2), -ENOSPC);
	ck_assert_uint_eq(p.vm, 1);
	ck_assert_uint_eq(p.vcpu, 0);
	ck_assert_str_eq(p.msg, "vm b vcpu 0: static mode runs one vCPU per pCPU, and 3 vCPUs do "
				"not fit in 2 pCPUs");
	ck_assert_uint_eq(p.affinity[1][0], 0); /* as it came in */

	p = two_vms(1, 2);
	p.affinity[0][0] = 1u << 1;
	p.affinity[1][1] = 1u << 1;
	ck_assert_int_eq(place_static(&p, 4), -EBUSY);
	ck_assert_str_eq(p.msg, "vm b vcpu 1: pCPU 1 is already vm a vcpu 0's: static mode runs "
				"one vCPU per pCPU");
	ck_assert_uint_eq(p.affinity[1][0], 0);

	p = two_vms(2, 1);
	p.affinity[0][0] = p.affinity[0][1] = p.affinity[1][0] = 3;
	ck_assert_int_eq(place_static(&p, 4), -EBUSY);
	ck_assert_uint_eq(p.vm, 1);
	ck_assert_str_eq(p.msg, "vm b vcpu 0: every pCPU its affinity allows is taken: static "
				"mode runs one vCPU per pCPU");

	p = two_vms(1, 1);
	p.affinity[1][0] = 1u << 7;
	ck_assert_int_eq(place_static(&p, 4), -EINVAL);
	ck_assert_str_eq(p.msg, "vm b vcpu 0: its affinity names none of the 4 pCPUs");

	p = two_vms(1, 0);
	ck_assert_int_eq(place_static(&p, 4), -EINVAL);
	p = two_vms(1, 1);
	ck_assert_int_eq(place_static(&p, 0), -EINVAL);
	ck_assert_int_eq(place_static(&p, PLACE_MAX_PCPUS + 1), -EINVAL);
	p.nvms = PLACE_MAX_VMS + 1;
	ck_assert_int_eq(place_static(&p, 4), -EINVAL);
	ck_assert_int_eq(place_static(NULL, 4), -EINVAL);
}
END_TEST

/* 64 vCPUs on 64 pCPUs, each allowed two neighbours: the deepest search there is. */
START_TEST(test_static_placement_fills_the_largest_machine)
{
	struct placement p = { .nvms = 4, .name = { "a", "b", "c", "d" },
			       .nvcpus = { 16, 16, 16, 16 } };

	for (unsigned i = 0; i < 64; i++) {
		unsigned cpu = (i + 1) % 64;
		p.affinity[i / 16][i % 16] = (1ull << cpu) | (1ull << (i % 64));
	}
	ck_assert_int_eq(place_static(&p, 64), 0);
	uint64_t seen = 0;
	for (unsigned i = 0; i < 64; i++) {
		uint64_t a = p.affinity[i / 16][i % 16];
		ck_assert_uint_eq(a & (a - 1), 0);
		ck_assert_uint_eq(seen & a, 0);
		seen |= a;
	}
	ck_assert_uint_eq(seen, ~0ull);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("vm");
	TCase *tc = tcase_create("vm");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_vcpu_life_cycle_in_order);
	tcase_add_test(tc, test_a_held_vcpu_stops_wherever_it_was_and_release_resumes_it);
	tcase_add_test(tc, test_illegal_transitions_poison_the_vcpu);
	tcase_add_test(tc, test_vcpu_without_a_guest_fails_entry_cleanly);
	tcase_add_test(tc, test_bad_configs_are_refused_and_leave_nothing);
	tcase_add_test(tc, test_bad_shadowed_registers_refuse_the_vm);
	tcase_add_test(tc, test_every_allocation_failure_during_create_leaves_nothing);
	tcase_add_test(tc, test_vm_table_is_bounded);
	tcase_add_test(tc, test_thousand_vm_lifetimes_return_every_frame);
	tcase_add_test(tc, test_a_vm_destroyed_on_another_pcpu_returns_every_frame);
	tcase_add_test(tc, test_unmap_and_destroy_flush_the_vms_tlb_entries);
	tcase_add_test(tc, test_vmset_builds_loads_images_and_gives_everything_back);
	tcase_add_test(tc, test_vmset_refuses_an_image_outside_memory_and_leaves_nothing);
	tcase_add_test(tc, test_vmset_gives_a_vm_its_ns16550);
	tcase_add_test(tc, test_static_placement_spreads_default_affinities);
	tcase_add_test(tc, test_static_placement_keeps_pinned_vcpus_and_fills_around_them);
	tcase_add_test(tc, test_static_placement_finds_a_placement_whenever_one_exists);
	tcase_add_test(tc, test_static_placement_refuses_what_cannot_run_and_says_why);
	tcase_add_test(tc, test_static_placement_fills_the_largest_machine);
	suite_add_tcase(s, tc);
	return s;
}
