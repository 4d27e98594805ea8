/*
 * Input header of resource_h in io.channel.linux.internal.gen (see ../README.md
 * and ../regenerate.sh): struct rlimit and the RLIMIT_MEMLOCK limit read by
 * getrlimit(2), which bounds the pages MSG_ZEROCOPY may pin.
 */
#include <sys/resource.h>
