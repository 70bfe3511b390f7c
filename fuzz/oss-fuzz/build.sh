#!/bin/bash -eu
# OSS-Fuzz's projects/tandem/build.sh: the project builds its own targets.
exec "$SRC/tandem/.clusterfuzzlite/build.sh"
