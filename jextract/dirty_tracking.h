/*
 * Input header for the dirty-tracking bindings in io.channel.linux.internal.gen
 * (header class dirty_tracking_h; see README.md and regenerate.sh): userfaultfd
 * asynchronous write-protect read back and re-armed by the PAGEMAP_SCAN ioctl
 * on /proc/self/pagemap.
 *
 * The Debian 12 uapi headers (linux-libc-dev 6.1) have userfaultfd(2),
 * UFFDIO_API/REGISTER/UNREGISTER/WRITEPROTECT, their structs and
 * UFFD_USER_MODE_ONLY, but not what came later. The definitions below the
 * includes restate those later uapi additions, each guarded so that newer
 * headers win, with the kernel release and uapi header they come from.
 * Values and layouts are ABI: they must not differ from the kernel's.
 * Must be processed with -D_GNU_SOURCE, like socket.h.
 */
#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/userfaultfd.h>
#include <linux/fs.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <errno.h>

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

/* Linux 6.7, include/uapi/linux/fs.h: the PAGEMAP_SCAN ioctl on /proc/<pid>/pagemap
 * (Documentation/admin-guide/mm/pagemap.rst, "Pagemap Scan IOCTL"). */
#ifndef PAGEMAP_SCAN

/* Page categories: the masks of struct pm_scan_arg and page_region.categories. */
#define PAGE_IS_WPALLOWED  (1 << 0)
#define PAGE_IS_WRITTEN    (1 << 1)
#define PAGE_IS_FILE       (1 << 2)
#define PAGE_IS_PRESENT    (1 << 3)
#define PAGE_IS_SWAPPED    (1 << 4)
#define PAGE_IS_PFNZERO    (1 << 5)
#define PAGE_IS_HUGE       (1 << 6)
#define PAGE_IS_SOFT_DIRTY (1 << 7)

/* One run of pages with the same categories; end is exclusive. */
struct page_region {
	__u64 start;
	__u64 end;
	__u64 categories;
};

/* Flags of struct pm_scan_arg. */
#define PM_SCAN_WP_MATCHING   (1 << 0)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)

/* The argument of PAGEMAP_SCAN. The kernel writes walk_end: where the scan
 * stopped, which is before end when vec filled up or max_pages was reached. */
struct pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};

#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)

#endif /* PAGEMAP_SCAN */
