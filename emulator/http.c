/* http.c — HTTP/1.1 connections on libevent: one read event and evbuffers
 * per connection; responses are written at the end of the event-loop turn
 * that produced them (no extra loop turn or epoll_ctl per request; the
 * before-write hook runs first), with a write event only when the socket is
 * full. */
#include "emulator/http.h"

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

#include "base/log.h"

/* Output queued beyond this stops reading further pipelined requests until
 * the client drains it. */
#define OUTPUT_HIGH_WATER (4u << 20)
#define CHUNK_SCRATCH (64u << 10)
#define READ_CHUNK (64u << 10)

enum conn_state { ST_HEAD, ST_BODY, ST_STREAM, ST_CLOSING, ST_LINGER };

/* Lingering close (ST_LINGER): when the connection closes with input maybe
 * unread (a response sent before its request was read), the write side is
 * shut after the response and input is read and dropped for at most this
 * long and this much, so the client reads the response instead of a reset.
 * (nginx's lingering_close and Apache's lingering close do the same.) */
#define LINGER_SECONDS 5
#define LINGER_BYTES (64u << 20)
/* Accepting paused with no idle connection to close: look again after
 * this many milliseconds (a busy connection may have become idle). */
#define ACCEPT_RETRY_MS 250
/* At most one log line per this many seconds about the connection cap or
 * accept failures; the line counts the events since the last one. */
#define ACCEPT_LOG_SECONDS 10.0

/* A streamed response is refilled while less than this is queued. */
#define STREAM_LOW_WATER (256u << 10)

struct http_conn {
    http_server_t *server;
    evutil_socket_t fd;
    struct event *rev, *wev;
    struct evbuffer *in, *out;
    int reading, writing;      /* rev / wev added */
    enum conn_state state;
    http_req_t *req;           /* the request being read, NULL between requests */
    int64_t body_left;         /* Content-Length bytes still to read */
    httpparse_chunked_t chunk;
    double head_started;       /* monotonic time of the first byte of a head */
    size_t head_scanned;       /* bytes of a partial head already known to hold no LF */
    int close_after_write;
    int paused;                /* reading stopped: output above high water */
    http_pull_fn pull;         /* a streamed response in progress (ST_STREAM) */
    void *pull_ctx;
    void (*pull_free)(void *);
    int pull_keep_alive;
    char remote[64];
    http_conn_t *prev, *next;
    double body_start;         /* when the body's time allowance starts */
    uint64_t body_got;         /* body bytes read so far, framing included */
    double paused_at;          /* when reading paused for output */
    double idle_since;         /* when it last finished a request (or was accepted) */
    int tmo_custom;            /* rev's timeout is a deadline, not idle_timeout */
    int linger;                /* input may be unread when it closes */
    int eof;                   /* the client shut its side */
    double linger_until;
    uint64_t linger_left;
    int flush_pending;         /* on the server's flush list */
    http_conn_t *fprev, *fnext;
};

struct http_server {
    struct event_base *base;
    struct evconnlistener *listener;
    http_limits_t lim;
    http_handler_t h;
    http_conn_t *conns;
    int nconns;
    int closing;
    int port;
    void (*drained)(void *);
    void *drained_arg;
    struct event *grace_ev;
    struct event *turn_ev;     /* active once per turn with output to write */
    int turn_pending;
    http_conn_t *flush_head;   /* connections with output to write this turn */
    void (*before_write)(void *);
    void *before_write_arg;
    struct event *accept_ev;   /* retry timer while accepting is paused */
    int accept_paused;
    double accept_logged;      /* when the last line about accepting went out */
    unsigned long accept_events; /* cap hits / accept failures since then */
};

static void conn_process(http_conn_t *c);
static void conn_schedule_flush(http_conn_t *c);
static void accept_resume(http_server_t *s);

double http_monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *http_status_text(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Request Entity Too Large";
    case 416: return "Requested Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return status < 400 ? "OK" : "Error";
    }
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

const char *http_header(const http_req_t *req, const char *name, size_t *len)
{
    const http_header_t *h = httpparse_find(&req->head, name);

    if (h == NULL)
        return NULL;
    if (len)
        *len = h->value_len;
    return h->value;
}

int http_header_copy(const http_req_t *req, const char *name, char *out, size_t n)
{
    size_t len;
    const char *v = http_header(req, name, &len);

    if (n == 0)
        return v != NULL;
    if (v == NULL) {
        out[0] = '\0';
        return 0;
    }
    if (len >= n)
        len = n - 1;
    memcpy(out, v, len);
    out[len] = '\0';
    return 1;
}

int http_add_header(http_req_t *req, const char *name, const char *value)
{
    int rc;

    if ((rc = buf_adds(&req->resp_headers, name)) != 0 ||
        (rc = buf_add(&req->resp_headers, ": ", 2)) != 0 ||
        (rc = buf_adds(&req->resp_headers, value)) != 0)
        return rc;
    return buf_add(&req->resp_headers, "\r\n", 2);
}

static int default_sink(http_req_t *req, const char *data, size_t len)
{
    return buf_add(&req->body, data, len);
}

int http_body_buffered(const http_req_t *req)
{
    return req->sink == default_sink;
}

void http_respond(http_req_t *req, int status, const char *content_type,
                  const void *body, size_t len)
{
    http_conn_t *c = req->conn;
    struct evbuffer *out;
    char date[64];
    time_t now = time(NULL);
    struct tm tm;

    if (req->responded)
        return;
    req->responded = 1;
    req->status = status;
    req->resp_bytes = len;
    if (c == NULL || c->out == NULL)
        return;
    out = c->out;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    /* A response sent before the body was read ends the connection: the
     * unread body cannot be told apart from the next request. */
    if (c->state == ST_HEAD && req == c->req)
        req->keep_alive = 0;
    if (c->server->closing)
        req->keep_alive = 0;
    evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Length: %zu\r\n", status,
                        http_status_text(status), date, len);
    if (content_type)
        evbuffer_add_printf(out, "Content-Type: %s\r\n", content_type);
    if (!req->keep_alive)
        evbuffer_add(out, "Connection: close\r\n", 19);
    if (req->resp_headers.len)
        evbuffer_add(out, req->resp_headers.data, req->resp_headers.len);
    evbuffer_add(out, "\r\n", 2);
    if (len && strcmp(req->method, "HEAD") != 0)
        evbuffer_add(out, body, len);
}

void http_respond_stream(http_req_t *req, int status, const char *content_type,
                         uint64_t content_length, http_pull_fn pull, void *ctx,
                         void (*ctx_free)(void *))
{
    http_conn_t *c = req->conn;
    char date[64];
    time_t now = time(NULL);
    struct tm tm;

    if (req->responded || c == NULL) {
        if (ctx_free)
            ctx_free(ctx);
        return;
    }
    req->responded = 1;
    req->status = status;
    req->resp_bytes = (size_t)content_length;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (c->server->closing)
        req->keep_alive = 0;
    evbuffer_add_printf(c->out, "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Length: %llu\r\n", status,
                        http_status_text(status), date, (unsigned long long)content_length);
    if (content_type)
        evbuffer_add_printf(c->out, "Content-Type: %s\r\n", content_type);
    if (!req->keep_alive)
        evbuffer_add(c->out, "Connection: close\r\n", 19);
    if (req->resp_headers.len)
        evbuffer_add(c->out, req->resp_headers.data, req->resp_headers.len);
    evbuffer_add(c->out, "\r\n", 2);
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

static void conn_free(http_conn_t *c)
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
        accept_resume(s);
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

static void read_on(http_conn_t *c)
{
    struct timeval tv = {c->server->lim.idle_timeout, 0};

    if (!c->reading) {
        event_add(c->rev, &tv);
        c->reading = 1;
        c->tmo_custom = 0;
    }
}

/* Ends the connection once what is queued has been written (conn_flush
 * frees it, after lingering when input may be unread). */
static void conn_close_soon(http_conn_t *c)
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
    c->body_start += d;
    if (c->head_started)
        c->head_started += d;
    read_on(c);
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
    if (!c->pull_keep_alive || c->server->closing)
        conn_close_soon(c);
    else
        c->state = ST_HEAD;
}

/* Shuts the write side (the response is out) and reads input only to drop
 * it, for LINGER_SECONDS / LINGER_BYTES at most (on_read). Returns 0, or -1
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
 * queued so far. */
static void before_write(http_server_t *s)
{
    if (s->before_write)
        s->before_write(s->before_write_arg);
}

/* Writes what is queued, refilling a streamed response as the socket takes
 * it. Returns 0, or -1 when the connection was freed. */
static int conn_flush(http_conn_t *c)
{
    struct timeval tv = {c->server->lim.idle_timeout, 0};

    for (;;) {
        while (c->state == ST_STREAM && evbuffer_get_length(c->out) < STREAM_LOW_WATER) {
            int rc = c->pull(c->pull_ctx, c->out, STREAM_LOW_WATER);
            if (rc < 0) {
                /* the body cannot be completed: the client sees a short body */
                conn_free(c);
                return -1;
            }
            if (rc > 0) {
                stream_end(c);
                if (c->state == ST_HEAD && evbuffer_get_length(c->in) > 0) {
                    conn_process(c); /* pipelined requests waited for the stream */
                    before_write(c->server);
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
                conn_free(c);
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
        conn_free(c);
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
        read_on(c);
    return 0;
}

/* Queues c's output to be written at the end of this event-loop turn
 * (on_turn), after the before-write hook. */
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
static void on_turn(evutil_socket_t fd, short what, void *arg)
{
    http_server_t *s = arg;
    http_conn_t *c;

    (void)fd;
    (void)what;
    s->turn_pending = 0;
    while ((c = s->flush_head) != NULL) {
        flush_unlink(c);
        before_write(s);
        conn_flush(c);
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
    conn_close_soon(c);
}

/* Finishes the current request: hands it to the handler, then moves on. */
static int conn_complete(http_conn_t *c)
{
    http_req_t *r = c->req;
    http_server_t *s = c->server;

    s->h.on_request(r, s->h.arg);
    if (!r->responded)
        http_respond(r, 500, "text/plain", "handler sent no response\n", 25);
    c->req = NULL;
    if (c->pull) {
        /* the body follows as the socket drains; reading waits */
        c->state = ST_STREAM;
        c->pull_keep_alive = r->keep_alive && !s->closing;
        req_free(r);
        read_off(c);
        c->head_started = 0;
        c->head_scanned = 0;
        return -1;
    }
    c->state = ST_HEAD;
    if (!r->keep_alive || s->closing) {
        req_free(r);
        conn_close_soon(c);
        return -1;
    }
    c->idle_since = r->start;
    req_free(r);
    c->head_started = 0;
    c->head_scanned = 0;
    return 0;
}

static int parse_content_length(const char *v, size_t n, int64_t *out)
{
    int64_t x = 0;
    size_t i;

    if (n == 0 || n > 18)
        return -1;
    for (i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    *out = x;
    return 0;
}

static int token_has(const char *v, size_t n, const char *tok)
{
    size_t tl = strlen(tok), i = 0;

    while (i < n) {
        size_t j;
        while (i < n && (v[i] == ' ' || v[i] == ',' || v[i] == '\t'))
            i++;
        j = i;
        while (j < n && v[j] != ',')
            j++;
        {
            size_t e = j;
            while (e > i && (v[e - 1] == ' ' || v[e - 1] == '\t'))
                e--;
            if (e - i == tl && strncasecmp(v + i, tok, tl) == 0)
                return 1;
        }
        i = j;
    }
    return 0;
}

static int name_is(const http_header_t *h, const char *name)
{
    return h->name_len == strlen(name) && strncasecmp(h->name, name, h->name_len) == 0;
}

/* Decides how the body is framed (RFC 9112 section 6): chunked only as the
 * sole transfer coding; one Content-Length value (repeats must agree);
 * never both. Sets r->chunked / r->content_length. Returns 0, 400 or 501. */
static int body_framing(http_req_t *r)
{
    size_t i, ncodings = 0;
    int chunked_last = 0, have_te = 0, have_cl = 0;
    int64_t cl = -1;

    for (i = 0; i < r->head.nheaders; i++) {
        const http_header_t *h = &r->head.headers[i];
        if (name_is(h, "Transfer-Encoding")) {
            size_t a = 0;
            have_te = 1;
            while (a < h->value_len) {
                size_t b = a, e;
                while (b < h->value_len && h->value[b] != ',')
                    b++;
                e = b;
                while (a < e && (h->value[a] == ' ' || h->value[a] == '\t'))
                    a++;
                while (e > a && (h->value[e - 1] == ' ' || h->value[e - 1] == '\t'))
                    e--;
                if (e > a) {
                    ncodings++;
                    chunked_last = e - a == 7 && strncasecmp(h->value + a, "chunked", 7) == 0;
                }
                a = b + 1;
            }
        } else if (name_is(h, "Content-Length")) {
            int64_t v;
            if (parse_content_length(h->value, h->value_len, &v) != 0 || (have_cl && v != cl))
                return 400;
            have_cl = 1;
            cl = v;
        }
    }
    if (have_te) {
        if (have_cl || ncodings == 0 || !chunked_last)
            return 400;
        if (ncodings > 1)
            return 501; /* a coding before chunked that we do not decode */
        r->chunked = 1;
        return 0;
    }
    r->content_length = cl;
    return 0;
}

/* Builds the request from a complete head of hlen bytes at the front of the
 * input. Returns 0, or -1 after rejecting. */
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
    snprintf(r->remote_addr, sizeof r->remote_addr, "%s", c->remote);
    r->start = http_monotonic();
    r->content_length = -1;
    r->body_cap = s->lim.max_body;
    r->sink = default_sink;
    buf_init(&r->body, 0);
    buf_init(&r->resp_headers, 0);

    /* keep-alive: HTTP/1.1 unless "close"; HTTP/1.0 only with keep-alive */
    v = http_header(r, "Connection", &vlen);
    if (r->head.minor_version >= 1)
        r->keep_alive = !(v && token_has(v, vlen, "close"));
    else
        r->keep_alive = v && token_has(v, vlen, "keep-alive");

    switch (body_framing(r)) {
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
        conn_close_soon(c);
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
            conn_close_soon(c);
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
        if (c->state == ST_CLOSING || c->state == ST_STREAM)
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
                    conn_close_soon(c);
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
        conn_free(c);
        return;
    }
    c->linger_left -= (uint64_t)n;
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    http_conn_t *c = arg;
    int n;

    if (what & EV_TIMEOUT) {
        if (c->state == ST_HEAD && c->head_started != 0)
            conn_head_timeout(c); /* a head stalled or trickled */
        else if (c->state == ST_BODY && c->req)
            conn_body_timeout(c); /* a body stalled or trickled */
        else {
            conn_free(c); /* idle between requests, or done lingering */
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
            conn_free(c);
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
        conn_free(c);
        return;
    }
    if (n == 0) {
        /* The client finished sending. A request mid-body can never
         * complete; complete requests already in the buffer are served. */
        c->eof = 1;
        read_off(c);
        conn_process(c);
        if (c->state == ST_BODY) {
            conn_free(c);
            return;
        }
        conn_close_soon(c);
        conn_schedule_flush(c);
        return;
    }
    conn_process(c);
    conn_arm_deadline(c);
    if (evbuffer_get_length(c->out) > 0 || c->close_after_write)
        conn_schedule_flush(c);
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    http_conn_t *c = arg;

    (void)fd;
    if (what & EV_TIMEOUT) {
        conn_free(c); /* the client stopped reading */
        return;
    }
    conn_flush(c);
}

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
    conn_free(victim);
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

static void accept_resume(http_server_t *s)
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
        accept_resume(s);
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
    c->rev = event_new(s->base, fd, EV_READ | EV_PERSIST, on_read, c);
    c->wev = event_new(s->base, fd, EV_WRITE | EV_PERSIST, on_write, c);
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    if (c->in == NULL || c->out == NULL || c->rev == NULL || c->wev == NULL) {
        conn_free(c);
        return;
    }
    read_on(c);
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
    s->turn_ev = event_new(base, -1, 0, on_turn, s);
    s->accept_ev = evtimer_new(base, on_accept_retry, s);
    if (s->turn_ev == NULL || s->accept_ev == NULL) {
        http_server_free(s);
        return NULL;
    }
    return s;
}

void http_server_set_before_write(http_server_t *s, void (*fn)(void *), void *arg)
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
        conn_free(s->conns);
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
            conn_close_soon(c);
            conn_flush(c);
        } else if (c->state == ST_LINGER) {
            conn_free(c); /* its response is out */
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
    s->closing = 1; /* conn_free resumes nothing */
    while (s->conns)
        conn_free(s->conns);
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
