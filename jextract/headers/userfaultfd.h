/*
 * Input header of userfaultfd_h in io.channel.linux.internal.gen (see ../README.md
 * and ../regenerate.sh): userfaultfd(2) and its ioctls, used for asynchronous
 * write-protect (Documentation/admin-guide/mm/userfaultfd.rst, "Write Protect
 * Notifications"). glibc has no userfaultfd() wrapper, so the call goes through
 * syscall(2) with SYS_userfaultfd from <sys/syscall.h>.
 *
 * The Debian 12 uapi headers (linux-libc-dev 6.1) have userfaultfd(2),
 * UFFDIO_API/REGISTER/UNREGISTER/WRITEPROTECT, their structs and
 * UFFD_USER_MODE_ONLY, but not the later features. The definitions below the
 * includes restate them, each guarded so that newer headers win, with the
 * kernel release and uapi header they come from.
 * Values are ABI: they must not differ from the kernel's.
 * Must be processed with -D_GNU_SOURCE, like every input here.
 */
#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/userfaultfd.h>
#include <sys/syscall.h>

/* Linux 6.4, include/uapi/linux/userfaultfd.h: write-protect pages that were never
 * populated too, so that their first write is tracked. */
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif

/* Linux 6.7, include/uapi/linux/userfaultfd.h: the kernel resolves write-protect
 * faults itself and only records that the page was written (no fault thread). */
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
