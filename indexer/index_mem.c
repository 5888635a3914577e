/*
 * index_mem: the memory of the writer's id caches (index_ids.c). Probes land
 * anywhere in hundreds of megabytes, so with 4 KiB pages nearly every one
 * also misses the TLB: large blocks are mapped anonymously (the kernel hands
 * them out zeroed, page by page as they are first touched) and advised to
 * use huge pages, which Linux's THP in its "madvise" mode otherwise never
 * gives. A key arena reserves its address space once and is filled in place,
 * so it grows without copying; what it may fill is counted against the
 * caches' budget by index_ids.c, not by the size of the reservation.
 *
 * This file is compiled with _DEFAULT_SOURCE (CMakeLists.txt): MAP_ANONYMOUS,
 * MAP_NORESERVE and madvise are outside the strict POSIX the rest builds on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "index_priv.h"

#define MEM_SMALL ((size_t)1 << 20) /* below this: the C allocator */

static void *mem_map(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);

    if (p == MAP_FAILED) {
        return NULL;
    }
#ifdef MADV_HUGEPAGE
    (void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}

void *ix_mem_zeroed(size_t bytes)
{
    void *p;

    if (bytes < MEM_SMALL) {
        return sho_xcalloc(1, bytes);
    }
    p = mem_map(bytes);
    if (p == NULL) {
        sho_xalloc_die(bytes);
    }
    return p;
}

void ix_mem_free(void *p, size_t bytes)
{
    if (p == NULL) {
        return;
    }
    if (bytes < MEM_SMALL) {
        free(p);
    } else {
        (void)munmap(p, bytes);
    }
}

void *ix_mem_reserve(size_t *bytes)
{
    size_t want = *bytes > MEM_SMALL ? *bytes : MEM_SMALL;

    for (;;) {
        void *p = mem_map(want);
        if (p != NULL) {
            *bytes = want;
            return p;
        }
        if (want == MEM_SMALL) {
            sho_xalloc_die(want);
        }
        want = want / 2 > MEM_SMALL ? want / 2 : MEM_SMALL; /* short of address space */
    }
}

void ix_mem_unreserve(void *p, size_t bytes)
{
    if (p != NULL) {
        (void)munmap(p, bytes);
    }
}
