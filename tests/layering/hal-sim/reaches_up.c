/* A HAL file that reaches up into core/: tests/layering.sh must refuse it. */
#include "core/vm.h"
