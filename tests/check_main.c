/* The main of every libcheck test program: runs the program's suite and reports in TAP
 * on stdout, which meson parses (protocol: 'tap') so every test case is counted. */
#include <check.h>
#include <stdlib.h>

#include "tests/check_main.h"

int main(void)
{
	SRunner *sr = srunner_create(test_suite());

	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
