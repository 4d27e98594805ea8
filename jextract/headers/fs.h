/*
 * Input header of fs_h in io.channel.linux.internal.gen (see ../README.md
 * and ../regenerate.sh): the PAGEMAP_SCAN ioctl on /proc/<pid>/pagemap, which
 * reads back and re-arms the userfaultfd write-protect of a range
 * (Documentation/admin-guide/mm/pagemap.rst, "Pagemap Scan IOCTL").
 *
 * The Debian 12 uapi headers (linux-libc-dev 6.1) predate it: the definitions
 * below the includes restate Linux 6.7's include/uapi/linux/fs.h, guarded so
 * that newer headers win. Values and layouts are ABI: they must not differ
 * from the kernel's.
 * Must be processed with -D_GNU_SOURCE, like every input here.
 */
#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/fs.h>

/* Linux 6.7, include/uapi/linux/fs.h. */
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
