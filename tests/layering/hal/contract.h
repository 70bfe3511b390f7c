/* hal/ includes only hal/: tests/layering.sh must refuse this. */
#include "arch/aarch64/gicv3.h"
