/*
 * Input header of mman_h in io.channel.linux.internal.gen (see ../README.md
 * and ../regenerate.sh): the protection, mapping and advice flags of mmap(2)
 * and madvise(2).
 * Must be processed with -D_GNU_SOURCE (MADV_* and MAP_ANONYMOUS are only
 * visible with __USE_MISC).
 */
#include <sys/mman.h>
