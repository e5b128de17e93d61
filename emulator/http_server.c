/* http_server.c — accepting connections under the connection cap (idle
 * ones evicted first, accepting paused and retried when none is), and the
 * server's life cycle: listen, graceful shutdown, free. */
#include "emulator/http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/log.h"

/* ---- accepting ---------------------------------------------------------- */

/* Closes the connection idle the longest (between requests, nothing
 * buffered either way, nothing waiting in its socket: a request that
 * arrived but was not read yet is not idle), or one lingering, other than
 * keep. Returns 1, or 0 when there is none. */
static int conn_evict_idle(http_server_t *s, const http_conn_t *keep)
{
    const http_conn_t *skip[8];
    size_t nskip = 0, i;
    http_conn_t *c, *victim;
    int pending;

    for (;;) {
        victim = NULL;
        for (c = s->conns; c; c = c->next) {
            if (c == keep)
                continue;
            for (i = 0; i < nskip && skip[i] != c; i++)
                ;
            if (i < nskip)
                continue;
            if (c->state == ST_LINGER) {
                victim = c; /* its response is out: the best to close */
                break;
            }
            if (c->state == ST_HEAD && c->req == NULL && c->head_started == 0 &&
                !c->flush_pending && evbuffer_get_length(c->in) == 0 &&
                evbuffer_get_length(c->out) == 0 &&
                (victim == NULL || c->idle_since <= victim->idle_since))
                victim = c;
        }
        if (victim == NULL)
            return 0;
        if (victim->state == ST_LINGER || ioctl(victim->fd, FIONREAD, &pending) != 0 ||
            pending == 0)
            break;
        if (nskip == sizeof skip / sizeof skip[0])
            return 0;
        skip[nskip++] = victim;
    }
    http_conn_free(victim);
    return 1;
}

/* Counts an event about accepting and logs what (with the count since the
 * last line) at most once per ACCEPT_LOG_SECONDS. */
static void accept_note(http_server_t *s, const char *what)
{
    double now = http_monotonic();

    s->accept_events++;
    if (s->accept_logged != 0 && now - s->accept_logged < ACCEPT_LOG_SECONDS)
        return;
    log_msg("%s (%d connections open, limit %d; %lu such events since the last note)", what,
            s->nconns, s->lim.max_conns, s->accept_events);
    s->accept_logged = now;
    s->accept_events = 0;
}

static void accept_pause(http_server_t *s)
{
    struct timeval tv = {0, ACCEPT_RETRY_MS * 1000};

    if (!s->accept_paused) {
        evconnlistener_disable(s->listener);
        s->accept_paused = 1;
    }
    evtimer_add(s->accept_ev, &tv);
}

void http_accept_resume(http_server_t *s)
{
    if (!s->accept_paused || s->closing)
        return;
    s->accept_paused = 0;
    evtimer_del(s->accept_ev);
    evconnlistener_enable(s->listener);
}

/* The retry timer while paused: below the cap (paused for want of
 * descriptors), try again; at the cap, only when an idle connection can
 * make room. */
static void on_accept_retry(evutil_socket_t fd, short what, void *arg)
{
    http_server_t *s = arg;

    (void)fd;
    (void)what;
    if (s->nconns < s->lim.max_conns || conn_evict_idle(s, NULL))
        http_accept_resume(s);
    else
        accept_pause(s);
}

/* accept() failed for want of descriptors or memory (EMFILE, ENFILE,
 * ENOBUFS, ENOMEM) or otherwise: an idle connection gives its descriptor
 * back, or accepting pauses until a connection closes. libevent's listener
 * would otherwise call this again at once, forever. */
static void on_accept_error(struct evconnlistener *l, void *arg)
{
    http_server_t *s = arg;
    int e = EVUTIL_SOCKET_ERROR();
    char what[160];

    (void)l;
    if (conn_evict_idle(s, NULL)) {
        snprintf(what, sizeof what, "accept: %s: closed the longest-idle connection",
                 strerror(e));
    } else {
        snprintf(what, sizeof what, "accept: %s: not accepting until a connection closes",
                 strerror(e));
        accept_pause(s);
    }
    accept_note(s, what);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    http_server_t *s = arg;
    http_conn_t *c;
    int one = 1;

    (void)l;
    (void)salen;
    if ((c = calloc(1, sizeof *c)) == NULL) {
        evutil_closesocket(fd);
        return;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, c->remote, sizeof c->remote);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, c->remote, sizeof c->remote);
    c->server = s;
    c->fd = fd;
    c->idle_since = http_monotonic();
    evutil_make_socket_nonblocking(fd);
    c->in = evbuffer_new();
    c->out = evbuffer_new();
    c->rev = event_new(s->base, fd, EV_READ | EV_PERSIST, http_on_read, c);
    c->wev = event_new(s->base, fd, EV_WRITE | EV_PERSIST, http_on_write, c);
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    if (c->in == NULL || c->out == NULL || c->rev == NULL || c->wev == NULL) {
        http_conn_free(c);
        return;
    }
    http_read_on(c);
    /* at the cap: the longest-idle connection makes room for the next
     * client, or accepting pauses until one closes or becomes idle */
    if (s->nconns >= s->lim.max_conns) {
        if (conn_evict_idle(s, c)) {
            accept_note(s, "connection limit reached: closed the longest-idle connection");
        } else {
            accept_pause(s);
            accept_note(s, "connection limit reached: not accepting until a connection "
                           "closes or becomes idle");
        }
    }
}

http_server_t *http_server_new(struct event_base *base, const http_limits_t *lim,
                               const http_handler_t *h)
{
    http_server_t *s = calloc(1, sizeof *s);

    if (s == NULL)
        return NULL;
    s->base = base;
    s->lim = *lim;
    if (s->lim.max_conns < 1)
        s->lim.max_conns = 1;
    if (s->lim.min_rate < 0)
        s->lim.min_rate = 0;
    s->h = *h;
    s->turn_ev = event_new(base, -1, 0, http_on_turn, s);
    s->accept_ev = evtimer_new(base, on_accept_retry, s);
    if (s->turn_ev == NULL || s->accept_ev == NULL) {
        http_server_free(s);
        return NULL;
    }
    return s;
}

void http_server_set_before_write(http_server_t *s, int (*fn)(void *), void *arg)
{
    s->before_write = fn;
    s->before_write_arg = arg;
}

int http_server_listen(http_server_t *s, const char *host, int port)
{
    struct addrinfo hints, *res = NULL, *ai;
    char portstr[16];
    int rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    snprintf(portstr, sizeof portstr, "%d", port);
    if ((rc = getaddrinfo(host, portstr, &hints, &res)) != 0) {
        fprintf(stderr, "awsemu: cannot resolve %s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        s->listener = evconnlistener_new_bind(s->base, on_accept, s,
                                              LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
                                                  LEV_OPT_CLOSE_ON_EXEC,
                                              512, ai->ai_addr, (int)ai->ai_addrlen);
        if (s->listener)
            break;
    }
    freeaddrinfo(res);
    if (s->listener == NULL) {
        fprintf(stderr, "awsemu: cannot listen on %s:%d: %s\n", host, port, strerror(errno));
        return -1;
    }
    evconnlistener_set_error_cb(s->listener, on_accept_error);
    {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        evutil_socket_t fd = evconnlistener_get_fd(s->listener);
        if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
            s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                     : ((struct sockaddr_in *)&ss)->sin_port);
    }
    return 0;
}

int http_server_port(const http_server_t *s)
{
    return s->port;
}

static void on_grace(evutil_socket_t fd, short what, void *arg)
{
    http_server_t *s = arg;

    (void)fd;
    (void)what;
    while (s->conns)
        http_conn_free(s->conns);
    if (s->drained) {
        void (*done)(void *) = s->drained;
        s->drained = NULL;
        done(s->drained_arg);
    }
}

void http_server_shutdown(http_server_t *s, double grace_s, void (*done)(void *), void *arg)
{
    http_conn_t *c, *next;
    struct timeval tv;

    if (s->closing)
        return;
    s->closing = 1;
    s->drained = done;
    s->drained_arg = arg;
    if (s->listener)
        evconnlistener_disable(s->listener);
    if (s->accept_ev)
        evtimer_del(s->accept_ev);
    s->accept_paused = 0;
    for (c = s->conns; c; c = next) {
        next = c->next;
        if (c->state == ST_HEAD && c->head_started == 0 && evbuffer_get_length(c->in) == 0) {
            http_conn_close_soon(c);
            http_conn_flush(c);
        } else if (c->state == ST_LINGER) {
            http_conn_free(c); /* its response is out */
        }
    }
    if (s->nconns == 0) {
        if (s->drained) {
            s->drained = NULL;
            done(arg);
        }
        return;
    }
    tv.tv_sec = (long)grace_s;
    tv.tv_usec = (long)((grace_s - (double)tv.tv_sec) * 1e6);
    s->grace_ev = evtimer_new(s->base, on_grace, s);
    if (s->grace_ev)
        evtimer_add(s->grace_ev, &tv);
}

void http_server_free(http_server_t *s)
{
    if (s == NULL)
        return;
    s->closing = 1; /* http_conn_free resumes nothing */
    while (s->conns)
        http_conn_free(s->conns);
    if (s->grace_ev)
        event_free(s->grace_ev);
    if (s->turn_ev)
        event_free(s->turn_ev);
    if (s->accept_ev)
        event_free(s->accept_ev);
    if (s->listener)
        evconnlistener_free(s->listener);
    free(s);
}
