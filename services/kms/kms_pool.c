/* kms_pool.c — short cryptographic work (a signature, a verification) off
 * the event loop, on a few threads kept waiting, so the machine's other
 * cores sign while the loop parses and answers. A job's work runs on a
 * pool thread and touches only what the job owns; its done runs back on
 * the loop's thread (the database, the caches and the response stay
 * there). Both ways go in batches: a loop turn's jobs are handed over
 * under one lock once its other callbacks ran, and finished jobs wake the
 * loop once per batch, not once per job. */
#include "services/kms/kms_asym.h"
#include "services/kms/kms_errors.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct kms_job {
    kms_job_fn *work;       /* pool thread */
    kms_job_done_fn *done;  /* loop thread; r NULL when the request ended */
    void *arg;
    svc_req_t *r;           /* loop thread only; NULL once the request ended */
    struct kms_job *next;
};

#define MAX_THREADS 8

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t more = PTHREAD_COND_INITIALIZER;
static kms_job_t *todo, **todo_tail = &todo; /* FIFO, under mu */
static kms_job_t *finished;                  /* under mu; any order */
static int stopping;                         /* under mu */
static pthread_t threads[MAX_THREADS];
static int nthreads;
static int pipefd[2] = {-1, -1};
static struct event *ready_ev;
/* The loop's jobs of this turn, handed to the threads together once the
 * turn's other callbacks ran (kick_ev): one lock and one wake-up a batch. */
static kms_job_t *batch, **batch_tail = &batch;
static int batch_len;
static struct event *kick_ev;

static void *run(void *arg)
{
    kms_job_t *j;
    int wake;
    ssize_t n;

    (void)arg;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (todo == NULL && !stopping)
            pthread_cond_wait(&more, &mu);
        if (todo == NULL)
            break;
        j = todo;
        if ((todo = j->next) == NULL)
            todo_tail = &todo;
        pthread_mutex_unlock(&mu);
        j->work(j->arg);
        pthread_mutex_lock(&mu);
        wake = finished == NULL; /* the loop collects the whole list */
        j->next = finished;
        finished = j;
        if (wake) {
            /* outside the lock: a byte after the list was taken only
             * wakes the loop once for nothing */
            pthread_mutex_unlock(&mu);
            do
                n = write(pipefd[1], "", 1);
            while (n < 0 && errno == EINTR);
            pthread_mutex_lock(&mu);
        }
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

/* The loop's side: takes the finished jobs and runs their dones. */
static void on_ready(evutil_socket_t fd, short what, void *arg)
{
    char drain[64];
    kms_job_t *j, *next;

    (void)what;
    (void)arg;
    while (read(fd, drain, sizeof drain) > 0)
        ;
    pthread_mutex_lock(&mu);
    j = finished;
    finished = NULL;
    pthread_mutex_unlock(&mu);
    for (; j; j = next) {
        next = j->next;
        if (j->r)
            kms_on_request_end(j->r, NULL, NULL);
        j->done(j->r, j->arg); /* r is gone after it */
        free(j);
    }
}

/* The turn's jobs go to the threads: one wakes per job, at most all. */
static void on_kick(evutil_socket_t fd, short what, void *arg)
{
    int n = batch_len;

    (void)fd;
    (void)what;
    (void)arg;
    if (batch == NULL)
        return;
    pthread_mutex_lock(&mu);
    *todo_tail = batch;
    todo_tail = batch_tail;
    if (n >= nthreads)
        pthread_cond_broadcast(&more);
    else
        while (n-- > 0)
            pthread_cond_signal(&more);
    pthread_mutex_unlock(&mu);
    batch = NULL;
    batch_tail = &batch;
    batch_len = 0;
}

/* The request ended first: its job's done gets r NULL. */
static void cancel(void *arg)
{
    ((kms_job_t *)arg)->r = NULL;
}

static int start(struct event_base *base)
{
    long cpus;
    int want;

    if (ready_ev)
        return 0;
    cpus = sysconf(_SC_NPROCESSORS_ONLN); /* reads a /sys file: once */
    want = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
    if (pipe(pipefd) != 0)
        return -1;
    fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
    fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
    fcntl(pipefd[1], F_SETFD, FD_CLOEXEC);
    ready_ev = event_new(base, pipefd[0], EV_READ | EV_PERSIST, on_ready, NULL);
    kick_ev = event_new(base, -1, 0, on_kick, NULL);
    if (ready_ev == NULL || kick_ev == NULL || event_add(ready_ev, NULL) != 0) {
        kms_pool_stop();
        return -1;
    }
    stopping = 0;
    while (nthreads < want && pthread_create(&threads[nthreads], NULL, run, NULL) == 0)
        nthreads++;
    if (nthreads == 0) {
        kms_pool_stop();
        return -1;
    }
    return 0;
}

int kms_pool_run(svc_req_t *r, kms_job_fn *work, kms_job_done_fn *done, void *arg)
{
    kms_job_t *j;

    if (r->emu->base == NULL || start(r->emu->base) != 0 || (j = calloc(1, sizeof *j)) == NULL)
        return -1;
    j->work = work;
    j->done = done;
    j->arg = arg;
    j->r = r;
    if (kms_on_request_end(r, cancel, j) != 0) {
        free(j);
        return -1;
    }
    if (batch == NULL)
        event_active(kick_ev, 0, 0); /* after the turn's other callbacks */
    *batch_tail = j;
    batch_tail = &j->next;
    batch_len++;
    return 0;
}

void kms_pool_stop(void)
{
    kms_job_t *j, *next;
    int i;

    on_kick(-1, 0, NULL); /* the last turn's jobs are done too */
    pthread_mutex_lock(&mu);
    stopping = 1;
    pthread_cond_broadcast(&more);
    pthread_mutex_unlock(&mu);
    for (i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    nthreads = 0;
    /* every thread is gone: what is left is the loop's alone */
    for (j = finished; j; j = next) {
        next = j->next;
        if (j->r)
            kms_on_request_end(j->r, NULL, NULL);
        j->done(NULL, j->arg);
        free(j);
    }
    finished = NULL;
    if (ready_ev) {
        event_free(ready_ev);
        ready_ev = NULL;
    }
    if (kick_ev) {
        event_free(kick_ev);
        kick_ev = NULL;
    }
    if (pipefd[0] >= 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        pipefd[0] = pipefd[1] = -1;
    }
}
