/*
 * Input header of socket_h in io.channel.linux.internal.gen (see ../README.md
 * and ../regenerate.sh): sockets, their addresses and options, sendmsg/recvmsg
 * with MSG_ZEROCOPY and the error queue that reports its completions
 * (linux/errqueue.h, Documentation/networking/msg_zerocopy.rst), the iovec
 * of a message (sys/uio.h) and IOV_MAX (limits.h); Unix domain sockets
 * (sys/un.h, man 7 unix): their address, the descriptors a message passes
 * (SCM_RIGHTS) and the peer's credentials (SO_PEERCRED, struct ucred).
 *
 * Include order matters: <linux/errqueue.h> uses struct timespec and the
 * socket types, so <sys/socket.h> (and <time.h>) must come first.
 * Must be processed with -D_GNU_SOURCE (SO_ZEROCOPY, MSG_* and IOV_MAX
 * are only visible with the GNU / XOPEN feature macros).
 */
#include <sys/types.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/uio.h>
#include <limits.h>
