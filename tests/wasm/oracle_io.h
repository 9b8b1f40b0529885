/* oracle_io.h - the input side shared by the native oracles (native_layer.c, native_long.c):
   each call arrives on stdin as 8 little-endian int32 header fields, 2 float32 (scale,
   temperature), then the float arrays the header sizes. Any short read exits with status 3. */
#ifndef ORACLE_IO_H
#define ORACLE_IO_H

#include <stdio.h>
#include <stdlib.h>

static float *read_floats(size_t count) {
    float *p = malloc(count * sizeof *p + 1);
    if (!p || fread(p, sizeof *p, count, stdin) != count) exit(3);
    return p;
}

static void read_header(int hdr[8], float sc[2]) {
    if (fread(hdr, sizeof *hdr, 8, stdin) != 8 || fread(sc, sizeof *sc, 2, stdin) != 2) exit(3);
}

#endif
