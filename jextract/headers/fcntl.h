/*
 * Input header of fcntl_h in io.channel.linux.internal.gen (see ../README.md
 * and ../regenerate.sh): the O_* flags given to open(2) (/proc/self/pagemap)
 * and to userfaultfd(2), whose flags are O_CLOEXEC and O_NONBLOCK.
 * Must be processed with -D_GNU_SOURCE, like every input here.
 */
#include <fcntl.h>
