/* http_int.h — what http.c (connections) and http_server.c (accepting,
 * the server's life cycle) share: the connection and server records. */
#ifndef AWSEMU_HTTP_INT_H
#define AWSEMU_HTTP_INT_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stdint.h>

#include "emulator/http.h"

/* Output queued beyond this stops reading further pipelined requests until
 * the client drains it. */
#define OUTPUT_HIGH_WATER (4u << 20)
#define CHUNK_SCRATCH (64u << 10)
#define READ_CHUNK (64u << 10)

/* ST_DEFER: a request waits for its deferred response (http_defer) */
enum conn_state { ST_HEAD, ST_BODY, ST_STREAM, ST_CLOSING, ST_LINGER, ST_DEFER };

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
    int (*before_write)(void *);
    void *before_write_arg;
    struct event *accept_ev;   /* retry timer while accepting is paused */
    int accept_paused;
    double accept_logged;      /* when the last line about accepting went out */
    unsigned long accept_events; /* cap hits / accept failures since then */
};

/* http.c */
void http_conn_free(http_conn_t *c);
void http_conn_close_soon(http_conn_t *c);
int http_conn_flush(http_conn_t *c);
void http_read_on(http_conn_t *c);
void http_on_read(evutil_socket_t fd, short what, void *arg);
void http_on_write(evutil_socket_t fd, short what, void *arg);
void http_on_turn(evutil_socket_t fd, short what, void *arg);
/* http_msg.c: how r's body is framed (sets r's framing fields); 0, or an
 * HTTP status to refuse the request with */
int http_body_framing(http_req_t *r);
/* http_msg.c: 1 when the comma-separated header value v[0..n) lists the
 * token tok (case-insensitive) */
int http_token_has(const char *v, size_t n, const char *tok);
/* http_server.c */
void http_accept_resume(http_server_t *s);

#endif
