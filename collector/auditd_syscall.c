/*
 * auditd_syscall: system call numbers -> names -> what they do to a file.
 * RAW audit logs give `syscall=257` and `arch=c000003e`; ENRICHED logs add
 * SYSCALL=openat. Numbers differ by architecture, so each architecture has
 * its own table (from the kernel's syscall tables: arch/x86/entry/syscalls/
 * syscall_64.tbl and syscall_32.tbl, include/uapi/asm-generic/unistd.h for
 * aarch64), limited to the calls that create, read, change or remove a file.
 */
#include <string.h>

#include "auditd.h"

#define ARCH_X86_64  0xc000003eu
#define ARCH_I386    0x40000003u
#define ARCH_AARCH64 0xc00000b7u

struct sc_num {
    uint16_t nr;
    const char *name;
};

static const struct sc_num sc_x86_64[] = {
    { 2, "open" },
    { 59, "execve" },
    { 76, "truncate" },
    { 77, "ftruncate" },
    { 82, "rename" },
    { 83, "mkdir" },
    { 84, "rmdir" },
    { 85, "creat" },
    { 86, "link" },
    { 87, "unlink" },
    { 88, "symlink" },
    { 90, "chmod" },
    { 91, "fchmod" },
    { 92, "chown" },
    { 93, "fchown" },
    { 94, "lchown" },
    { 132, "utime" },
    { 133, "mknod" },
    { 188, "setxattr" },
    { 189, "lsetxattr" },
    { 190, "fsetxattr" },
    { 197, "removexattr" },
    { 198, "lremovexattr" },
    { 199, "fremovexattr" },
    { 235, "utimes" },
    { 257, "openat" },
    { 258, "mkdirat" },
    { 259, "mknodat" },
    { 260, "fchownat" },
    { 261, "futimesat" },
    { 263, "unlinkat" },
    { 264, "renameat" },
    { 265, "linkat" },
    { 266, "symlinkat" },
    { 268, "fchmodat" },
    { 280, "utimensat" },
    { 304, "open_by_handle_at" },
    { 316, "renameat2" },
    { 322, "execveat" },
    { 437, "openat2" },
    { 452, "fchmodat2" },
};

static const struct sc_num sc_i386[] = {
    { 5, "open" },           { 8, "creat" },          { 9, "link" },
    { 10, "unlink" },        { 11, "execve" },        { 14, "mknod" },
    { 15, "chmod" },         { 16, "lchown" },        { 30, "utime" },
    { 38, "rename" },        { 39, "mkdir" },         { 40, "rmdir" },
    { 83, "symlink" },       { 92, "truncate" },      { 93, "ftruncate" },
    { 94, "fchmod" },        { 95, "fchown" },        { 182, "chown" },
    { 193, "truncate64" },   { 194, "ftruncate64" },  { 198, "lchown32" },
    { 207, "fchown32" },     { 212, "chown32" },      { 226, "setxattr" },
    { 227, "lsetxattr" },    { 228, "fsetxattr" },    { 235, "removexattr" },
    { 236, "lremovexattr" }, { 237, "fremovexattr" }, { 271, "utimes" },
    { 295, "openat" },       { 296, "mkdirat" },      { 297, "mknodat" },
    { 298, "fchownat" },     { 299, "futimesat" },    { 301, "unlinkat" },
    { 302, "renameat" },     { 303, "linkat" },       { 304, "symlinkat" },
    { 306, "fchmodat" },     { 320, "utimensat" },    { 342, "open_by_handle_at" },
    { 353, "renameat2" },    { 358, "execveat" },     { 437, "openat2" },
    { 452, "fchmodat2" },
};

static const struct sc_num sc_aarch64[] = {
    { 5, "setxattr" },      { 6, "lsetxattr" },
    { 7, "fsetxattr" },     { 14, "removexattr" },
    { 15, "lremovexattr" }, { 16, "fremovexattr" },
    { 33, "mknodat" },      { 34, "mkdirat" },
    { 35, "unlinkat" },     { 36, "symlinkat" },
    { 37, "linkat" },       { 38, "renameat" },
    { 45, "truncate" },     { 46, "ftruncate" },
    { 52, "fchmod" },       { 53, "fchmodat" },
    { 54, "fchownat" },     { 55, "fchown" },
    { 56, "openat" },       { 88, "utimensat" },
    { 221, "execve" },      { 265, "open_by_handle_at" },
    { 276, "renameat2" },   { 281, "execveat" },
    { 437, "openat2" },     { 452, "fchmodat2" },
};

static const char *sc_find(const struct sc_num *t, size_t count, uint64_t nr)
{
    size_t i;

    for (i = 0; i < count; i++) {
        if (t[i].nr == nr) {
            return t[i].name;
        }
    }
    return NULL;
}

const char *auditd_syscall_name(uint32_t arch, uint64_t nr)
{
    switch (arch) {
    case ARCH_X86_64:
        return sc_find(sc_x86_64, SHO_ARRAY_COUNT(sc_x86_64), nr);
    case ARCH_I386:
        return sc_find(sc_i386, SHO_ARRAY_COUNT(sc_i386), nr);
    case ARCH_AARCH64:
        return sc_find(sc_aarch64, SHO_ARRAY_COUNT(sc_aarch64), nr);
    default:
        return NULL;
    }
}

struct sc_kind {
    const char *name;
    enum auditd_kind kind;
};

static const struct sc_kind sc_kinds[] = {
    { "open", AUDITD_OPEN },
    { "openat", AUDITD_OPENAT },
    { "open_by_handle_at", AUDITD_OPENAT },
    { "openat2", AUDITD_OPENAT2 },
    { "creat", AUDITD_CREAT },
    { "truncate", AUDITD_TRUNCATE },
    { "ftruncate", AUDITD_TRUNCATE },
    { "truncate64", AUDITD_TRUNCATE },
    { "ftruncate64", AUDITD_TRUNCATE },
    { "unlink", AUDITD_DELETE },
    { "unlinkat", AUDITD_DELETE },
    { "rmdir", AUDITD_DELETE },
    { "rename", AUDITD_RENAME },
    { "renameat", AUDITD_RENAME },
    { "renameat2", AUDITD_RENAME },
    { "mkdir", AUDITD_MKDIR },
    { "mkdirat", AUDITD_MKDIR },
    { "mknod", AUDITD_MKDIR },
    { "mknodat", AUDITD_MKDIR },
    { "link", AUDITD_MKDIR },
    { "linkat", AUDITD_MKDIR },
    { "symlink", AUDITD_MKDIR },
    { "symlinkat", AUDITD_MKDIR },
    { "chmod", AUDITD_CHMOD },
    { "fchmod", AUDITD_CHMOD },
    { "fchmodat", AUDITD_CHMOD },
    { "fchmodat2", AUDITD_CHMOD },
    { "setxattr", AUDITD_CHMOD },
    { "lsetxattr", AUDITD_CHMOD },
    { "fsetxattr", AUDITD_CHMOD },
    { "removexattr", AUDITD_CHMOD },
    { "lremovexattr", AUDITD_CHMOD },
    { "fremovexattr", AUDITD_CHMOD },
    { "chown", AUDITD_CHOWN },
    { "fchown", AUDITD_CHOWN },
    { "lchown", AUDITD_CHOWN },
    { "fchownat", AUDITD_CHOWN },
    { "chown32", AUDITD_CHOWN },
    { "fchown32", AUDITD_CHOWN },
    { "lchown32", AUDITD_CHOWN },
    { "execve", AUDITD_EXEC },
    { "execveat", AUDITD_EXEC },
    { "utime", AUDITD_UTIME },
    { "utimes", AUDITD_UTIME },
    { "futimesat", AUDITD_UTIME },
    { "utimensat", AUDITD_UTIME },
};

enum auditd_kind auditd_syscall_kind(const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < SHO_ARRAY_COUNT(sc_kinds); i++) {
        if (strlen(sc_kinds[i].name) == len && memcmp(sc_kinds[i].name, name, len) == 0) {
            return sc_kinds[i].kind;
        }
    }
    return AUDITD_NONE;
}
