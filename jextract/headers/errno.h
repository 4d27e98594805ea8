/*
 * Input header of errno_h in io.channel.linux.internal.gen (see ../README.md
 * and ../regenerate.sh): the errno values that the hand-written syscall
 * wrappers tell apart (errno(3); the numbers come from asm-generic/errno*.h).
 * One list for the whole module, so that each value is generated once.
 */
#include <errno.h>
