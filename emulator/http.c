/* http.c — HTTP/1.1 connections on libevent: one read event and evbuffers
 * per connection; responses are written at the end of the event-loop turn
 * that produced them (no extra loop turn or epoll_ctl per request; the
 * before-write hook runs first), with a write event only when the socket is
 * full. */
#include "emulator/http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"

static void conn_process(http_conn_t *c);
static void conn_schedule_flush(http_conn_t *c);
static void conn_arm_deadline(http_conn_t *c);
void http_accept_resume(http_server_t *s);

double http_monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- requests ---------------------------------------------------------- */

static void req_free(http_req_t *r)
{
    if (r == NULL)
        return;
    if (r->ctx_free)
        r->ctx_free(r->ctx);
    buf_free(&r->body);
    buf_free(&r->resp_headers);
    free(r->head_buf);
    free(r->path);
    free(r->query);
    free(r);
}

static int default_sink(http_req_t *req, const char *data, size_t len)
{
    return buf_add(&req->body, data, len);
}

int http_body_buffered(const http_req_t *req)
{
    return req->sink == default_sink;
}

/* The response head is gathered in a stack buffer and added to the output
 * in as few pieces as fit (usually one). */
typedef struct {
    struct evbuffer *out;
    char b[2048];
    size_t n;
} head_t;

static void head_put(head_t *h, const char *s, size_t n)
{
    if (n > sizeof h->b - h->n) {
        evbuffer_add(h->out, h->b, h->n);
        h->n = 0;
        if (n > sizeof h->b) { /* a long stored Content-Type, say */
            evbuffer_add(h->out, s, n);
            return;
        }
    }
    if (n)
        memcpy(h->b + h->n, s, n);
    h->n += n;
}

static void head_uint(head_t *h, unsigned long long v)
{
    char d[24], *p = d + sizeof d;

    do
        *--p = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    head_put(h, p, (size_t)(d + sizeof d - p));
}

#define HEAD_LIT(h, s) head_put(h, s, sizeof s - 1)

/* The response head: status line, Date (its text made once a second),
 * Content-Length, Content-Type, Connection, the request's own headers and
 * the blank line. */
static void add_head(struct evbuffer *out, const http_req_t *req, int status,
                     const char *content_type, unsigned long long len)
{
    static time_t date_at = -1;
    static char date[40];
    static size_t date_len;
    head_t h;
    const char *text = http_status_text(status);
    time_t now = time(NULL);

    if (now != date_at) {
        struct tm tm;
        gmtime_r(&now, &tm);
        date_len = strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        date_at = now;
    }
    h.out = out;
    h.n = 0;
    HEAD_LIT(&h, "HTTP/1.1 ");
    head_uint(&h, (unsigned long long)(status > 0 ? status % 1000 : 0));
    HEAD_LIT(&h, " ");
    head_put(&h, text, strlen(text));
    HEAD_LIT(&h, "\r\nDate: ");
    head_put(&h, date, date_len);
    HEAD_LIT(&h, "\r\nContent-Length: ");
    head_uint(&h, len);
    HEAD_LIT(&h, "\r\n");
    if (content_type) {
        HEAD_LIT(&h, "Content-Type: ");
        head_put(&h, content_type, strlen(content_type));
        HEAD_LIT(&h, "\r\n");
    }
    if (!req->keep_alive)
        HEAD_LIT(&h, "Connection: close\r\n");
    head_put(&h, req->resp_headers.data, req->resp_headers.len);
    HEAD_LIT(&h, "\r\n");
    evbuffer_add(out, h.b, h.n);
}

void http_respond(http_req_t *req, int status, const char *content_type,
                  const void *body, size_t len)
{
    http_conn_t *c = req->conn;
    struct evbuffer *out;

    if (req->responded)
        return;
    req->responded = 1;
    req->status = status;
    req->resp_bytes = len;
    if (c == NULL || c->out == NULL)
        return;
    out = c->out;
    /* A response sent before the body was read ends the connection: the
     * unread body cannot be told apart from the next request. */
    if (c->state == ST_HEAD && req == c->req)
        req->keep_alive = 0;
    if (c->server->closing)
        req->keep_alive = 0;
    add_head(out, req, status, content_type, len);
    if (len && strcmp(req->method, "HEAD") != 0)
        evbuffer_add(out, body, len);
}

void http_respond_stream(http_req_t *req, int status, const char *content_type,
                         uint64_t content_length, http_pull_fn pull, void *ctx,
                         void (*ctx_free)(void *))
{
    http_conn_t *c = req->conn;

    if (req->responded || c == NULL) {
        if (ctx_free)
            ctx_free(ctx);
        return;
    }
    req->responded = 1;
    req->status = status;
    req->resp_bytes = (size_t)content_length;
    if (c->server->closing)
        req->keep_alive = 0;
    add_head(c->out, req, status, content_type, (unsigned long long)content_length);
    if (content_length == 0 || strcmp(req->method, "HEAD") == 0) {
        if (ctx_free)
            ctx_free(ctx);
        return;
    }
    c->pull = pull;
    c->pull_ctx = ctx;
    c->pull_free = ctx_free;
}

/* ---- connections ------------------------------------------------------- */

static void flush_unlink(http_conn_t *c)
{
    http_server_t *s = c->server;

    if (!c->flush_pending)
        return;
    if (c->fprev)
        c->fprev->fnext = c->fnext;
    else
        s->flush_head = c->fnext;
    if (c->fnext)
        c->fnext->fprev = c->fprev;
    c->fprev = c->fnext = NULL;
    c->flush_pending = 0;
}

void http_conn_free(http_conn_t *c)
{
    http_server_t *s = c->server;

    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nconns--;
    flush_unlink(c);
    req_free(c->req);
    if (c->pull_free)
        c->pull_free(c->pull_ctx);
    if (c->rev)
        event_free(c->rev);
    if (c->wev)
        event_free(c->wev);
    if (c->in)
        evbuffer_free(c->in);
    if (c->out)
        evbuffer_free(c->out);
    if (c->fd >= 0)
        evutil_closesocket(c->fd);
    free(c);
    if (s->accept_paused && s->nconns < s->lim.max_conns)
        http_accept_resume(s);
    if (s->closing && s->nconns == 0 && s->drained) {
        void (*done)(void *) = s->drained;
        s->drained = NULL;
        done(s->drained_arg);
    }
}

static void read_off(http_conn_t *c)
{
    if (c->reading) {
        event_del(c->rev);
        c->reading = 0;
    }
}

void http_read_on(http_conn_t *c)
{
    struct timeval tv = {c->server->lim.idle_timeout, 0};

    if (!c->reading) {
        event_add(c->rev, &tv);
        c->reading = 1;
        c->tmo_custom = 0;
    }
}

/* Ends the connection once what is queued has been written (http_conn_flush
 * frees it, after lingering when input may be unread). */
void http_conn_close_soon(http_conn_t *c)
{
    if (evbuffer_get_length(c->in) > 0)
        c->linger = 1;
    c->state = ST_CLOSING;
    c->close_after_write = 1;
    read_off(c);
}

/* Stops reading until the output drains below high water. */
static void conn_pause(http_conn_t *c)
{
    c->paused = 1;
    c->paused_at = http_monotonic();
    read_off(c);
}

/* Reading again after a pause: the time paused is not the client's, so the
 * head's and body's allowances move by it. */
static void conn_unpause(http_conn_t *c)
{
    double d = http_monotonic() - c->paused_at;

    c->paused = 0;
    if (c->state == ST_DEFER)
        return; /* http_resume reads again */
    c->body_start += d;
    if (c->head_started)
        c->head_started += d;
    http_read_on(c);
}

/* Ends a streamed response: the connection goes on to the next request, or
 * closes. */
static void stream_end(http_conn_t *c)
{
    if (c->pull_free)
        c->pull_free(c->pull_ctx);
    c->pull = NULL;
    c->pull_ctx = NULL;
    c->pull_free = NULL;
    c->idle_since = http_monotonic();
    if (!c->pull_keep_alive || c->server->closing) {
        http_conn_close_soon(c);
    } else {
        c->state = ST_HEAD;
        if (c->reading) {
            /* the lazy pause never fired: the idle time starts now (a
             * timer update; the fd stays registered) */
            struct timeval tv = {c->server->lim.idle_timeout, 0};
            event_add(c->rev, &tv);
            c->tmo_custom = 0;
        }
    }
}

/* Shuts the write side (the response is out) and reads input only to drop
 * it, for LINGER_SECONDS / LINGER_BYTES at most (http_on_read). Returns 0, or -1
 * when it cannot (the caller frees). */
static int conn_linger(http_conn_t *c)
{
    struct timeval tv = {LINGER_SECONDS, 0};

    if (shutdown(c->fd, SHUT_WR) != 0)
        return -1;
    evbuffer_drain(c->in, evbuffer_get_length(c->in));
    c->state = ST_LINGER;
    c->close_after_write = 0;
    c->linger_until = http_monotonic() + LINGER_SECONDS;
    c->linger_left = LINGER_BYTES;
    read_off(c);
    if (event_add(c->rev, &tv) != 0)
        return -1;
    c->reading = 1;
    c->tmo_custom = 1;
    return 0;
}

/* The before-write hook: what it writes goes out before the responses
 * queued so far. When it fails (the turn's writes did not commit), every
 * connection with output queued closes unanswered, c too (NULL: none).
 * Returns 0, or -1 when c was freed. */
static int before_write(http_server_t *s, http_conn_t *c)
{
    http_conn_t *q;

    if (s->before_write == NULL || s->before_write(s->before_write_arg) == 0)
        return 0;
    while ((q = s->flush_head) != NULL) {
        flush_unlink(q);
        if (q != c)
            http_conn_free(q);
    }
    if (c)
        http_conn_free(c);
    return -1;
}

/* Writes what is queued, refilling a streamed response as the socket takes
 * it. Returns 0, or -1 when the connection was freed. */
int http_conn_flush(http_conn_t *c)
{
    struct timeval tv = {c->server->lim.idle_timeout, 0};

    for (;;) {
        while (c->state == ST_STREAM && evbuffer_get_length(c->out) < STREAM_LOW_WATER) {
            int rc = c->pull(c->pull_ctx, c->out, STREAM_LOW_WATER);
            if (rc < 0) {
                /* the body cannot be completed: the client sees a short body */
                http_conn_free(c);
                return -1;
            }
            if (rc > 0) {
                stream_end(c);
                if (c->state == ST_HEAD && evbuffer_get_length(c->in) > 0) {
                    conn_process(c); /* pipelined requests waited for the stream */
                    if (before_write(c->server, c) != 0)
                        return -1;
                    continue;
                }
                break;
            }
        }
        while (evbuffer_get_length(c->out) > 0) {
            int n = evbuffer_write(c->out, c->fd);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                    break;
                http_conn_free(c);
                return -1;
            }
            if (n == 0)
                break;
        }
        if (evbuffer_get_length(c->out) > 0) {
            if (!c->writing) {
                event_add(c->wev, &tv);
                c->writing = 1;
            }
            return 0;
        }
        if (c->state != ST_STREAM)
            break;
    }
    if (c->writing) {
        event_del(c->wev);
        c->writing = 0;
    }
    if (c->close_after_write) {
        if (c->linger && !c->eof && conn_linger(c) == 0)
            return 0;
        http_conn_free(c);
        return -1;
    }
    if (c->paused) {
        /* everything went out at once: read the requests that waited */
        conn_unpause(c);
        conn_process(c);
        conn_schedule_flush(c);
        return 0;
    }
    if (c->state == ST_HEAD && !c->reading)
        http_read_on(c);
    return 0;
}

/* Queues c's output to be written at the end of this event-loop turn
 * (http_on_turn), after the before-write hook. */
static void conn_schedule_flush(http_conn_t *c)
{
    http_server_t *s = c->server;

    if (c->flush_pending)
        return;
    c->flush_pending = 1;
    c->fprev = NULL;
    c->fnext = s->flush_head;
    if (s->flush_head)
        s->flush_head->fprev = c;
    s->flush_head = c;
    if (!s->turn_pending) {
        s->turn_pending = 1;
        event_active(s->turn_ev, EV_TIMEOUT, 0);
    }
}

/* The end of a turn (turn_ev is activated behind the turn's other events):
 * the hook, then every queued output. */
void http_on_turn(evutil_socket_t fd, short what, void *arg)
{
    http_server_t *s = arg;
    http_conn_t *c;

    (void)fd;
    (void)what;
    s->turn_pending = 0;
    while ((c = s->flush_head) != NULL) {
        flush_unlink(c);
        if (before_write(s, c) == 0)
            http_conn_flush(c);
    }
}

/* Rejects a request at the HTTP layer (no service known yet). The shape is
 * S3's XML error, the only one AWS sends before routing. Closes after. */
static void conn_reject(http_conn_t *c, int status, const char *code, const char *msg)
{
    struct evbuffer *out = c->out;
    char body[512];
    int n = snprintf(body, sizeof body,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<Error><Code>%s</Code><Message>%s</Message></Error>",
                     code, msg);

    evbuffer_add_printf(out,
                        "HTTP/1.1 %d %s\r\nContent-Type: application/xml\r\n"
                        "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
                        status, http_status_text(status), n, body);
    if (c->server->h.on_reject)
        c->server->h.on_reject(c->remote, status, code, c->server->h.arg);
    c->linger = 1;
    http_conn_close_soon(c);
}

/* Finishes the current request: hands it to the handler, then moves on. */
static int conn_complete(http_conn_t *c)
{
    http_req_t *r = c->req;
    http_server_t *s = c->server;

    s->h.on_request(r, s->h.arg);
    if (r->deferred && !r->responded) {
        c->state = ST_DEFER; /* http_resume goes on */
        read_off(c);
        return -1;
    }
    if (!r->responded)
        http_respond(r, 500, "text/plain", "handler sent no response\n", 25);
    c->req = NULL;
    if (c->pull) {
        /* the body follows as the socket drains; reading waits */
        c->state = ST_STREAM;
        c->pull_keep_alive = r->keep_alive && !s->closing;
        req_free(r);
        /* reading waits, lazily: the read event stays until it fires (input
         * or its timeout) while the stream lasts; a small body is out
         * within the turn, and two epoll_ctl per GET are saved */
        c->head_started = 0;
        c->head_scanned = 0;
        return -1;
    }
    c->state = ST_HEAD;
    if (!r->keep_alive || s->closing) {
        req_free(r);
        http_conn_close_soon(c);
        return -1;
    }
    c->idle_since = r->start;
    req_free(r);
    c->head_started = 0;
    c->head_scanned = 0;
    return 0;
}

static int conn_start_request(http_conn_t *c, struct evbuffer *in, size_t hlen)
{
    http_server_t *s = c->server;
    http_req_t *r;
    const char *v, *q;
    size_t vlen;
    int rc;

    if ((r = calloc(1, sizeof *r)) == NULL || (r->head_buf = malloc(hlen + 1)) == NULL) {
        free(r);
        conn_reject(c, 500, "InternalError", "Out of memory.");
        return -1;
    }
    evbuffer_remove(in, r->head_buf, hlen);
    r->head_buf[hlen] = '\0';
    c->head_scanned = 0;
    c->head_started = 0;
    r->conn = c;
    c->req = r;
    rc = httpparse_head(r->head_buf, hlen, &r->head);
    if (rc <= 0 || r->head.method_len >= sizeof r->method) {
        conn_reject(c, 400, "BadRequest", "An error occurred when parsing the HTTP request.");
        return -1;
    }
    memcpy(r->method, r->head.method, r->head.method_len);
    r->method[r->head.method_len] = '\0';
    q = memchr(r->head.target, '?', r->head.target_len);
    {
        size_t plen = q ? (size_t)(q - r->head.target) : r->head.target_len;
        size_t qlen = q ? r->head.target_len - plen - 1 : 0;
        r->path = strndup(r->head.target, plen);
        r->query = strndup(q ? q + 1 : "", qlen);
    }
    if (r->path == NULL || r->query == NULL) {
        conn_reject(c, 500, "InternalError", "Out of memory.");
        return -1;
    }
    str_copy(r->remote_addr, sizeof r->remote_addr, c->remote);
    r->start = http_monotonic();
    r->content_length = -1;
    r->body_cap = s->lim.max_body;
    r->sink = default_sink;
    buf_init(&r->body, 0);
    buf_init(&r->resp_headers, 0);

    /* keep-alive: HTTP/1.1 unless "close"; HTTP/1.0 only with keep-alive */
    v = http_header(r, "Connection", &vlen);
    if (r->head.minor_version >= 1)
        r->keep_alive = !(v && http_token_has(v, vlen, "close"));
    else
        r->keep_alive = v && http_token_has(v, vlen, "keep-alive");

    switch (http_body_framing(r)) {
    case 0:
        break;
    case 501:
        conn_reject(c, 501, "NotImplemented",
                    "A header you provided implies functionality that is not implemented: "
                    "Transfer-Encoding.");
        return -1;
    default:
        conn_reject(c, 400, "BadRequest",
                    "The request's Content-Length / Transfer-Encoding framing is invalid.");
        return -1;
    }
    if (r->chunked)
        httpparse_chunked_init(&c->chunk);
    c->body_left = r->content_length > 0 ? r->content_length : 0;

    s->h.on_head(r, s->h.arg);
    if (r->responded) {
        /* answered before reading the body: the connection ends after it
         * unless there was no body at all */
        c->req = NULL;
        if (!r->chunked && c->body_left == 0 && r->keep_alive && !s->closing) {
            req_free(r);
            return 0;
        }
        req_free(r);
        c->linger = 1; /* the body, if any, is unread */
        http_conn_close_soon(c);
        return -1;
    }
    if (!r->chunked && (size_t)c->body_left > r->body_cap && r->sink == default_sink) {
        r->body_error = BUF_ETOOBIG;
        r->keep_alive = 0;
        c->linger = 1;
        c->state = ST_BODY; /* complete at once with the error, unread body */
        return conn_complete(c) == 0 ? 0 : -1;
    }
    if (r->sink == default_sink)
        r->body.cap = r->body_cap;
    if ((v = http_header(r, "Expect", &vlen)) != NULL) {
        if (vlen == 12 && strncasecmp(v, "100-continue", 12) == 0) {
            /* also for an empty body: botocore waits for the 100 before sending
             * nothing, and loses the connection's next response otherwise */
            if (r->head.minor_version >= 1)
                evbuffer_add(c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25);
        } else {
            http_respond(r, 417, "application/xml", NULL, 0);
            c->req = NULL;
            req_free(r);
            c->linger = 1;
            http_conn_close_soon(c);
            return -1;
        }
    }
    c->state = ST_BODY;
    c->body_start = r->start;
    c->body_got = 0;
    return 0;
}

/* Feeds body bytes to the sink; a sink error stops further feeding. */
static void feed(http_req_t *r, const char *p, size_t n)
{
    int rc;

    if (r->body_error || n == 0)
        return;
    if ((rc = r->sink(r, p, n)) != 0)
        r->body_error = rc;
}

/* Reads what body bytes are available. Returns 1 when the body is
 * complete, 0 when more is needed, -1 when the connection was closed. */
static int conn_read_body(http_conn_t *c, struct evbuffer *in)
{
    http_req_t *r = c->req;
    static char scratch[CHUNK_SCRATCH];

    if (!r->chunked) {
        while (c->body_left > 0 && evbuffer_get_length(in) > 0) {
            size_t want = (size_t)c->body_left < sizeof scratch ? (size_t)c->body_left : sizeof scratch;
            int n = evbuffer_remove(in, scratch, want);
            if (n <= 0)
                break;
            feed(r, scratch, (size_t)n);
            c->body_left -= n;
            c->body_got += (uint64_t)n;
        }
        return c->body_left == 0;
    }
    while (evbuffer_get_length(in) > 0) {
        int n = evbuffer_remove(in, scratch, sizeof scratch);
        size_t len = (size_t)n;
        ssize_t rc;

        if (n <= 0)
            break;
        rc = httpparse_chunked(&c->chunk, scratch, &len);
        if (rc == HTTPPARSE_ERROR) {
            conn_reject(c, 400, "IncompleteBody", "The chunked request body is malformed.");
            return -1;
        }
        c->body_got += (uint64_t)n - (rc > 0 ? (uint64_t)rc : 0);
        feed(r, scratch, len);
        if (rc >= 0) {
            if (rc > 0)
                evbuffer_prepend(in, scratch + len, (size_t)rc);
            return 1;
        }
    }
    return 0;
}

/* One event loop, so one scratch head serves every connection. */
static httpparse_head_t scratch_head;

static void conn_process(http_conn_t *c)
{
    http_server_t *s = c->server;
    struct evbuffer *in = c->in;

    for (;;) {
        if (c->state == ST_CLOSING || c->state == ST_STREAM || c->state == ST_DEFER)
            return;
        if (evbuffer_get_length(c->out) > OUTPUT_HIGH_WATER) {
            conn_pause(c);
            return;
        }
        if (c->state == ST_HEAD) {
            size_t avail = evbuffer_get_length(in), look;
            const char *p;
            int rc;

            if (avail == 0) {
                if (s->closing)
                    http_conn_close_soon(c);
                return;
            }
            if (c->head_started == 0)
                c->head_started = http_monotonic();
            look = avail < s->lim.max_head + 4 ? avail : s->lim.max_head + 4;
            p = (const char *)evbuffer_pullup(in, (ssize_t)look);
            /* a head ends in LF: parse again only when a new one arrived, so
             * a client trickling bytes costs linear, not quadratic, time */
            if (look > c->head_scanned &&
                memchr(p + c->head_scanned, '\n', look - c->head_scanned) == NULL) {
                c->head_scanned = look;
                rc = HTTPPARSE_PARTIAL;
                goto partial;
            }
            rc = httpparse_head(p, look, &scratch_head);
            c->head_scanned = look;
        partial:
            if (rc == HTTPPARSE_PARTIAL) {
                if (look > s->lim.max_head) {
                    conn_reject(c, 400, "RequestHeaderSectionTooLarge",
                                "Your request header section exceeds the maximum allowed size.");
                    return;
                }
                return; /* its deadline: conn_arm_deadline */
            }
            if (rc < 0) {
                if (rc == HTTPPARSE_TOOMANY)
                    conn_reject(c, 400, "RequestHeaderSectionTooLarge",
                                "Your request has too many headers.");
                else
                    conn_reject(c, 400, "BadRequest",
                                "An error occurred when parsing the HTTP request.");
                return;
            }
            if ((size_t)rc > s->lim.max_head) {
                conn_reject(c, 400, "RequestHeaderSectionTooLarge",
                            "Your request header section exceeds the maximum allowed size.");
                return;
            }
            if (conn_start_request(c, in, (size_t)rc) != 0)
                return;
            continue;
        }
        /* ST_BODY */
        {
            int rc = conn_read_body(c, in);
            if (rc < 0)
                return;
            if (rc == 0)
                return;
            if (conn_complete(c) != 0)
                return;
        }
    }
}

void http_defer(http_req_t *req)
{
    req->deferred = 1;
}

void http_resume(http_req_t *r)
{
    http_conn_t *c = r->conn;
    http_server_t *s;

    if (c == NULL || c->state != ST_DEFER || c->req != r)
        return;
    s = c->server;
    if (!r->responded)
        http_respond(r, 500, "text/plain", "handler sent no response\n", 25);
    c->req = NULL;
    c->state = ST_HEAD;
    c->head_started = 0;
    c->head_scanned = 0;
    c->idle_since = http_monotonic();
    if (!r->keep_alive || s->closing) {
        req_free(r);
        http_conn_close_soon(c);
    } else {
        req_free(r);
        http_read_on(c);
        conn_process(c); /* pipelined requests waited */
        conn_arm_deadline(c);
    }
    conn_schedule_flush(c);
}

const char http_timeout_message[] =
    "Your socket connection to the server was not read from or written to within the "
    "timeout period. Idle connections will be closed.";

/* A head not whole within the idle timeout of its first byte: AWS's
 * RequestTimeout, then the connection closes. */
static void conn_head_timeout(http_conn_t *c)
{
    conn_reject(c, 400, "RequestTimeout", http_timeout_message);
}

/* A body that stalled or fell below the minimum rate: the handler answers
 * (body_error HTTP_ETIMEDOUT), then the connection closes. */
static void conn_body_timeout(http_conn_t *c)
{
    http_req_t *r = c->req;

    r->body_error = HTTP_ETIMEDOUT;
    r->keep_alive = 0;
    c->linger = 1;
    conn_complete(c);
}

/* After input was processed: a partial head or body gets its deadline as
 * the read timeout when it comes before the idle timeout (answering at once
 * when it has passed); otherwise the idle timeout is back. */
static void conn_arm_deadline(http_conn_t *c)
{
    const http_limits_t *lim = &c->server->lim;
    double deadline, left;
    struct timeval tv;

    if (!c->reading)
        return;
    if (c->state == ST_HEAD && c->head_started != 0)
        deadline = c->head_started + lim->idle_timeout;
    else if (c->state == ST_BODY && lim->min_rate > 0)
        deadline = c->body_start + lim->idle_timeout + (double)c->body_got / lim->min_rate;
    else
        deadline = 0;
    left = deadline != 0 ? deadline - http_monotonic() : 0;
    if (deadline == 0 || left >= lim->idle_timeout) {
        if (c->tmo_custom) {
            tv.tv_sec = lim->idle_timeout;
            tv.tv_usec = 0;
            event_add(c->rev, &tv);
            c->tmo_custom = 0;
        }
        return;
    }
    if (left <= 0) {
        if (c->state == ST_HEAD)
            conn_head_timeout(c);
        else
            conn_body_timeout(c);
        return;
    }
    tv.tv_sec = (long)left;
    tv.tv_usec = (long)((left - (double)tv.tv_sec) * 1e6) + 1;
    event_add(c->rev, &tv);
    c->tmo_custom = 1;
}

/* Lingering: input is read and dropped until the client closes or a bound
 * is reached. */
static void conn_linger_read(http_conn_t *c)
{
    static char drop[READ_CHUNK];
    ssize_t n = read(c->fd, drop, sizeof drop);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0 || (uint64_t)n >= c->linger_left || http_monotonic() >= c->linger_until) {
        http_conn_free(c);
        return;
    }
    c->linger_left -= (uint64_t)n;
}

void http_on_read(evutil_socket_t fd, short what, void *arg)
{
    http_conn_t *c = arg;
    int n;

    if (c->state == ST_STREAM) {
        read_off(c); /* the lazy pause of conn_complete: stream_end reads again */
        return;
    }
    if (what & EV_TIMEOUT) {
        if (c->state == ST_HEAD && c->head_started != 0)
            conn_head_timeout(c); /* a head stalled or trickled */
        else if (c->state == ST_BODY && c->req)
            conn_body_timeout(c); /* a body stalled or trickled */
        else {
            http_conn_free(c); /* idle between requests, or done lingering */
            return;
        }
        conn_schedule_flush(c);
        return;
    }
    if (c->state == ST_LINGER) {
        conn_linger_read(c);
        return;
    }
    {
        /* read up to 64 KiB straight into the buffer (evbuffer_read stops at
         * 4 KiB and asks FIONREAD first: four times the syscalls) */
        struct evbuffer_iovec v;
        ssize_t got;
        if (evbuffer_reserve_space(c->in, READ_CHUNK, &v, 1) < 1) {
            http_conn_free(c);
            return;
        }
        got = read(fd, v.iov_base, v.iov_len < READ_CHUNK ? v.iov_len : READ_CHUNK);
        v.iov_len = got > 0 ? (size_t)got : 0;
        evbuffer_commit_space(c->in, &v, 1);
        n = (int)got;
    }
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        http_conn_free(c);
        return;
    }
    if (n == 0) {
        /* The client finished sending. A request mid-body can never
         * complete; complete requests already in the buffer are served. */
        c->eof = 1;
        read_off(c);
        conn_process(c);
        if (c->state == ST_BODY) {
            http_conn_free(c);
            return;
        }
        http_conn_close_soon(c);
        conn_schedule_flush(c);
        return;
    }
    conn_process(c);
    conn_arm_deadline(c);
    if (evbuffer_get_length(c->out) > 0 || c->close_after_write)
        conn_schedule_flush(c);
}

void http_on_write(evutil_socket_t fd, short what, void *arg)
{
    http_conn_t *c = arg;

    (void)fd;
    if (what & EV_TIMEOUT) {
        http_conn_free(c); /* the client stopped reading */
        return;
    }
    /* output queued this turn may be here before the turn's end */
    if (before_write(c->server, c) == 0)
        http_conn_flush(c);
}

