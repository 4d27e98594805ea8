/*
 * Input header for the jextract-generated bindings in
 * io.channel.linux.internal.gen (see README.md and regenerate.sh).
 *
 * Include order matters: <linux/errqueue.h> uses struct timespec and the
 * socket types, so <sys/socket.h> (and <time.h>) must come first.
 * Must be processed with -D_GNU_SOURCE (SO_ZEROCOPY, MSG_* and IOV_MAX
 * are only visible with the GNU / XOPEN feature macros).
 */
#include <sys/types.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <errno.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <limits.h>
