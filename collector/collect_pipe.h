#ifndef SHOSEKI_COLLECT_PIPE_H
#define SHOSEKI_COLLECT_PIPE_H

/* Events handed from the reading thread to a consumer thread, a batch at a time, in order. */

#include "shoseki/common.h"
#include "shoseki/event.h"

struct collect_pipe;

/* A consumer thread calling `consume` for every event put, in order, `per_batch` events at a
 * time. NULL when no thread could be started (call `consume` directly then). */
struct collect_pipe *collect_pipe_new(int (*consume)(void *ctx, const struct sho_event *ev,
                                                     struct sho_err *err),
                                      void *ctx, size_t per_batch);

/* Copy `ev` into the batch being filled. Returns 0, or an earlier error of the consumer (err
 * says which), or SHO_ELIMIT for an event too large for a batch. */
SHO_NODISCARD int collect_pipe_put(struct collect_pipe *p, const struct sho_event *ev,
                                   struct sho_err *err);

/* Wait until every event put so far is consumed. Returns 0 or the consumer's error. */
SHO_NODISCARD int collect_pipe_drain(struct collect_pipe *p, struct sho_err *err);

/* Stop the consumer (events not drained are dropped) and free. */
void collect_pipe_free(struct collect_pipe *p);

#endif /* SHOSEKI_COLLECT_PIPE_H */
