/* kms_worker.c — key pairs generated off the event loop. Each job runs on
 * a thread of its own at nice 5, at most MAX_RUNNING at once (RSA
 * generation is CPU-bound and rare: no pool kept warm), and hands its
 * result back through a pipe the loop watches, so the database, the caches
 * and the response stay on the loop's thread. */
#include "services/kms/kms_asym.h"
#include "services/kms/kms_errors.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct job {
    const kms_spec_t *spec;
    EVP_PKEY *pkey;        /* the thread's result */
    svc_req_t *r;          /* NULL once the request ended */
    kms_keygen_done_fn *done;
    void *arg;
    pthread_t thread;
    int started;           /* its thread runs (or ran) */
    struct job *prev, *next;
} job_t;

/* Threads at once: more requests wait their turn, so a burst of CreateKey
 * calls cannot start a thread each. */
#define MAX_RUNNING 4

static job_t *jobs;      /* newest first: running, waiting, or not yet collected */
static int running;
static int pipefd[2] = {-1, -1};
static struct event *ready_ev;

int kms_keygen_slow(const kms_spec_t *s)
{
    return s->kind == KMS_KIND_RSA;
}

static void *run(void *arg)
{
    job_t *j = arg;
    ssize_t n;

    /* below the loop's priority: clients keep their share of the CPU
     * (Linux: the nice value is per thread) */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5);
    j->pkey = kms_keygen(j->spec);
    do /* one pointer: atomic on a pipe (< PIPE_BUF) */
        n = write(pipefd[1], &j, sizeof j);
    while (n < 0 && errno == EINTR);
    return NULL;
}

static void unlink_job(job_t *j)
{
    if (j->prev)
        j->prev->next = j->next;
    else
        jobs = j->next;
    if (j->next)
        j->next->prev = j->prev;
}

/* The loop's side: collects finished jobs and runs their continuations. */
/* Starts the oldest waiting jobs while threads are free. */
static void start_waiting(void)
{
    job_t *j, *oldest;

    while (running < MAX_RUNNING) {
        for (oldest = NULL, j = jobs; j; j = j->next)
            if (!j->started)
                oldest = j;
        if (oldest == NULL)
            return;
        oldest->started = 1;
        if (pthread_create(&oldest->thread, NULL, run, oldest) != 0) {
            /* no thread: the request gets its error now */
            oldest->started = 0;
            unlink_job(oldest);
            if (oldest->r) {
                kms_on_request_end(oldest->r, NULL, NULL);
                oldest->done(oldest->r, NULL, oldest->arg);
            }
            free(oldest);
            continue;
        }
        running++;
    }
}

static void on_ready(evutil_socket_t fd, short what, void *arg)
{
    job_t *j;

    (void)what;
    (void)arg;
    while (read(fd, &j, sizeof j) == (ssize_t)sizeof j) {
        pthread_join(j->thread, NULL);
        running--;
        unlink_job(j);
        if (j->r) {
            kms_on_request_end(j->r, NULL, NULL);
            j->done(j->r, j->pkey, j->arg);
        } else {
            EVP_PKEY_free(j->pkey);
        }
        free(j);
    }
    start_waiting();
}

/* The request ended first: a waiting job goes, a running one's result
 * will be dropped. */
static void cancel(void *arg)
{
    job_t *j = arg;

    j->r = NULL;
    if (!j->started) {
        unlink_job(j);
        free(j);
    }
}

static int start(struct event_base *base)
{
    if (ready_ev)
        return 0;
    if (pipe(pipefd) != 0)
        return -1;
    fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
    fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
    fcntl(pipefd[1], F_SETFD, FD_CLOEXEC);
    ready_ev = event_new(base, pipefd[0], EV_READ | EV_PERSIST, on_ready, NULL);
    if (ready_ev == NULL || event_add(ready_ev, NULL) != 0) {
        kms_worker_stop();
        return -1;
    }
    return 0;
}

int kms_keygen_async(svc_req_t *r, const kms_spec_t *s, kms_keygen_done_fn *done, void *arg)
{
    job_t *j;

    if (r->emu->base == NULL || start(r->emu->base) != 0 || (j = calloc(1, sizeof *j)) == NULL)
        return svc_error(r, KMS_E_KEYGEN);
    j->spec = s;
    j->r = r;
    j->done = done;
    j->arg = arg;
    if (kms_on_request_end(r, cancel, j) != 0) {
        free(j);
        return svc_error(r, KMS_E_KEYGEN);
    }
    j->next = jobs;
    if (jobs)
        jobs->prev = j;
    jobs = j;
    if (running < MAX_RUNNING) {
        if (pthread_create(&j->thread, NULL, run, j) != 0) {
            kms_on_request_end(r, NULL, NULL);
            unlink_job(j);
            free(j);
            return svc_error(r, KMS_E_KEYGEN);
        }
        j->started = 1;
        running++;
    }
    return 0;
}

void kms_worker_stop(void)
{
    job_t *j;

    while ((j = jobs) != NULL) {
        if (j->started)
            pthread_join(j->thread, NULL);
        unlink_job(j);
        if (j->r)
            kms_on_request_end(j->r, NULL, NULL);
        EVP_PKEY_free(j->pkey);
        free(j);
    }
    running = 0;
    if (ready_ev) {
        event_free(ready_ev);
        ready_ev = NULL;
    }
    if (pipefd[0] >= 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        pipefd[0] = pipefd[1] = -1;
    }
}
