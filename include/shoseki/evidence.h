#ifndef SHOSEKI_EVIDENCE_H
#define SHOSEKI_EVIDENCE_H

/*
 * evidence: evidence packs, what leaves shoseki for an auditor, a regulator
 * or a court. A pack is a directory (or one zip file) holding the events of a
 * selection (any `who`, `what`, `timeline`, `scope` or `report` command line)
 * with every normalized field and its archive reference, per-person and
 * per-file summaries, the original record of every event, the source files'
 * SHA-256, the archive frames drawn on (chain.txt) and a manifest of SHA-256
 * sums that `sha256sum -c` reads. The layout is in docs/evidence.md.
 */

#include <stdbool.h>
#include <stdint.h>

#include "shoseki/archive.h"
#include "shoseki/common.h"

/* What a check of a pack found. */
struct sho_evidence_check {
    uint64_t files;                  /* files whose SHA-256 matched the manifest */
    uint64_t frames;                 /* chain.txt frames found in the archive's chain */
    bool chain_checked;              /* an archive was given and chain.txt checked against it */
    char head[SHO_HASH_HEX];         /* the archive head chain.txt records */
    char manifest_sha[SHO_HASH_HEX]; /* SHA-256 of MANIFEST.sha256 itself */
    char zip_sha[SHO_HASH_HEX];      /* a zip pack: SHA-256 of the zip file; "" for a directory */
};

/*
 * Check the pack at `pack` (a directory, or a zip file written by `evidence
 * --zip`): every file is listed in MANIFEST.sha256 with its SHA-256, and the
 * manifest lists nothing else; with `data_dir` (may be NULL), also that every
 * frame chain.txt lists, and its head, are frames of that archive's intact
 * hash chain. Returns 0 intact, SHO_ETAMPER on the first difference (err names
 * the file and what differs), SHO_EIO / SHO_ECORRUPT when the pack or the
 * archive cannot be read. `out` may be NULL.
 */
SHO_NODISCARD int sho_evidence_verify(const char *pack, const char *data_dir,
                                      struct sho_evidence_check *out, struct sho_err *err);

/* ---- commands ------------------------------------------------------------------- */

/* `shoseki evidence --out DIR [...] SELECTION`. Returns a process exit code. */
int sho_cmd_evidence(int argc, char **argv);

/* `shoseki verify`: with --pack, checks a pack; otherwise the archive (sho_cmd_verify). */
int sho_evidence_cmd_verify(int argc, char **argv);

#endif /* SHOSEKI_EVIDENCE_H */
