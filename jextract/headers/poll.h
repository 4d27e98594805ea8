/*
 * Input header of poll_h in io.channel.linux.internal.gen (see ../README.md
 * and ../regenerate.sh): struct pollfd and the event bits of poll(2).
 */
#include <poll.h>
