/* http.h — HTTP/1.1 server connections on libevent bufferevents: the head is
 * parsed with httpparse, the body is streamed to a per-request sink (by
 * default a capped in-memory buffer). Keep-alive, pipelining, chunked and
 * Content-Length bodies, Expect: 100-continue, head/body caps, idle and
 * slow-client timeouts (a head must be whole within the idle timeout of its
 * first byte; a body must average a minimum rate after that grace), a cap
 * on open connections (idle ones are closed to admit new clients; accepting
 * pauses while none can be, or while descriptors run out), lingering close
 * (a response sent before the request was read reaches the client before the
 * socket closes), graceful drain on shutdown. */
#ifndef AWSEMU_HTTP_H
#define AWSEMU_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/httpparse.h"

struct event_base;
typedef struct http_server http_server_t;
typedef struct http_conn http_conn_t;
typedef struct http_req http_req_t;

/* A body sink gets the decoded body bytes as they arrive; returns 0 or a
 * negative code, which stops the body (the request then completes with
 * req->body_error set to that code). */
typedef int (*http_sink_fn)(http_req_t *req, const char *data, size_t len);

/* req->body_error when the client was too slow: its body stalled for the
 * idle timeout or fell below the minimum rate. The handler answers AWS's
 * RequestTimeout; the connection then closes. */
#define HTTP_ETIMEDOUT (-1000)
/* S3's RequestTimeout message, for that answer. */
extern const char http_timeout_message[];

struct http_req {
    httpparse_head_t head;  /* pointers into head_buf */
    char *head_buf;         /* owned copy of the head bytes */
    char *path;             /* raw path (still percent-encoded), NUL-terminated */
    char *query;            /* raw query without '?', "" when none */
    char method[16];
    int64_t content_length; /* -1 when chunked or absent */
    int chunked;
    int keep_alive;
    double start;           /* monotonic seconds when the head was complete */
    char remote_addr[64];

    /* body: set by on_head; default buffers into body up to body_cap */
    buf_t body;
    size_t body_cap;
    http_sink_fn sink;
    void *sink_arg;         /* the sink's own state */
    int body_error;         /* 0, BUF_ETOOBIG or a sink's error */
    void *ctx;              /* the handler's per-request state */
    void (*ctx_free)(void *ctx);

    /* response */
    buf_t resp_headers;     /* "Name: value\r\n" lines added by the handler */
    int responded;
    int deferred;           /* http_defer: the response comes later */
    int status;
    size_t resp_bytes;

    http_conn_t *conn;
};

typedef struct {
    /* Head parsed: choose how the body is consumed (set body_cap or sink),
     * or respond at once (then the body, if any, is not read). */
    void (*on_head)(http_req_t *req, void *arg);
    /* Body complete (or stopped: body_error): the handler must respond. */
    void (*on_request)(http_req_t *req, void *arg);
    /* A request the HTTP layer itself rejected (malformed, head too big):
     * status, for the access log. */
    void (*on_reject)(const char *remote, int status, const char *why, void *arg);
    void *arg;
} http_handler_t;

typedef struct {
    size_t max_head;
    size_t max_body;  /* default body_cap */
    int idle_timeout; /* seconds; also the grace before min_rate applies */
    int max_conns;    /* connections open at once (>= 1) */
    int min_rate;     /* bytes/s a body must average: it has idle_timeout +
                       * received / min_rate seconds from its head's end;
                       * 0: no rate, only the idle timeout */
} http_limits_t;

http_server_t *http_server_new(struct event_base *base, const http_limits_t *lim,
                               const http_handler_t *h);
/* Binds and listens; returns 0 or -1 (errno-style message on stderr). */
int http_server_listen(http_server_t *s, const char *host, int port);
/* The port actually bound (useful with port 0). */
int http_server_port(const http_server_t *s);
/* Stops accepting; idle connections close now, busy ones after their current
 * request. done(arg) runs once no connection is left (or after grace_s). */
void http_server_shutdown(http_server_t *s, double grace_s, void (*done)(void *), void *arg);
void http_server_free(http_server_t *s);
/* fn(arg) runs once per event-loop turn that produced responses, before any
 * of them is written to its socket: what it writes (the access log) is out
 * of the process before a client can see its answer, and what it commits
 * (the turn's writes: group commit) is committed before. When it returns
 * nonzero no response queued so far is sent: their connections close. */
void http_server_set_before_write(http_server_t *s, int (*fn)(void *), void *arg);

/* Request helpers. Header lookup is case-insensitive; the value is not
 * NUL-terminated: *len gets its length. NULL when absent. */
const char *http_header(const http_req_t *req, const char *name, size_t *len /* OUT */);
/* Copies a header value into out (NUL-terminated, truncated to n-1);
 * returns 1 when present. */
int http_header_copy(const http_req_t *req, const char *name, char *out, size_t n);

/* 1 when the body goes to req->body (no sink of the handler's own). */
int http_body_buffered(const http_req_t *req);

/* Parks req from on_request: the handler returns without a response and
 * answers later, on the loop's thread, with http_respond then http_resume
 * (a key pair generated on a worker thread). The connection reads nothing
 * meanwhile; when it closes first, req is freed (its ctx_free runs) and
 * the answer goes nowhere. */
void http_defer(http_req_t *req);
/* After a deferred request's http_respond: req is freed and the connection
 * goes on to its next request (or closes). */
void http_resume(http_req_t *req);

/* Adds a response header line; call before http_respond. */
int http_add_header(http_req_t *req, const char *name, const char *value);
/* Sends the whole response. For HEAD requests the body is not sent but
 * Content-Length reflects it. Exactly once per request. */
void http_respond(http_req_t *req, int status, const char *content_type,
                  const void *body, size_t len);

/* A streamed response body: pull appends about want more bytes to out (a
 * struct evbuffer *) and returns 0 (more to come), 1 (the body is
 * complete) or negative (failed: the connection is closed, the client sees
 * a short body). */
struct evbuffer;
typedef int (*http_pull_fn)(void *ctx, struct evbuffer *out, size_t want);

/* Sends the head now and the body of exactly content_length bytes as the
 * client takes it, never all of it in memory. ctx is freed with ctx_free
 * when the stream ends (or at once for HEAD or an empty body). */
void http_respond_stream(http_req_t *req, int status, const char *content_type,
                         uint64_t content_length, http_pull_fn pull, void *ctx,
                         void (*ctx_free)(void *));

const char *http_status_text(int status);
double http_monotonic(void);

#endif
