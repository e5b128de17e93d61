/* kms_worker.c — key pairs generated off the event loop. Each job runs on
 * a thread of its own at nice 5 (RSA generation is CPU-bound and rare: no
 * pool to size) and hands its result back through a pipe the loop watches,
 * so the database, the caches and the response stay on the loop's thread. */
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
    struct job *prev, *next;
} job_t;

static job_t *jobs;      /* running or not yet collected */
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
static void on_ready(evutil_socket_t fd, short what, void *arg)
{
    job_t *j;

    (void)what;
    (void)arg;
    while (read(fd, &j, sizeof j) == (ssize_t)sizeof j) {
        pthread_join(j->thread, NULL);
        unlink_job(j);
        if (j->r) {
            kms_on_request_end(j->r, NULL, NULL);
            j->done(j->r, j->pkey, j->arg);
        } else {
            EVP_PKEY_free(j->pkey);
        }
        free(j);
    }
}

static void cancel(void *arg)
{
    ((job_t *)arg)->r = NULL;
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
    if (kms_on_request_end(r, cancel, j) != 0 || pthread_create(&j->thread, NULL, run, j) != 0) {
        kms_on_request_end(r, NULL, NULL);
        free(j);
        return svc_error(r, KMS_E_KEYGEN);
    }
    j->next = jobs;
    if (jobs)
        jobs->prev = j;
    jobs = j;
    return 0;
}

void kms_worker_stop(void)
{
    job_t *j;

    while ((j = jobs) != NULL) {
        pthread_join(j->thread, NULL);
        unlink_job(j);
        if (j->r)
            kms_on_request_end(j->r, NULL, NULL);
        EVP_PKEY_free(j->pkey);
        free(j);
    }
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
