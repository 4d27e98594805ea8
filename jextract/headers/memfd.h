/*
 * Input header of memfd_h in io.channel.linux.internal.gen (see ../README.md
 * and ../regenerate.sh): memory that can be handed to another process. The
 * flags of memfd_create(2) (linux/memfd.h), the file seals of fcntl(2)
 * (F_ADD_SEALS, F_GET_SEALS, F_SEAL_*: man 2 fcntl, "File Sealing"), and
 * struct stat with the file type bits, for the fstat(2) check of a descriptor
 * received from another process.
 * Must be processed with -D_GNU_SOURCE (the F_*SEAL* names are only visible
 * with __USE_GNU), like every input here.
 */
#include <linux/memfd.h>
#include <fcntl.h>
#include <sys/stat.h>
