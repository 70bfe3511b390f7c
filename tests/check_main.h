/* Shared by the test programs: each defines test_suite(); helpers for the simulation
 * host that every suite needs. */
#ifndef TESTS_CHECK_MAIN_H
#define TESTS_CHECK_MAIN_H

#include <check.h>

Suite *test_suite(void);

#endif
