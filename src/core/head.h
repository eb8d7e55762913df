/*
 * The head of an HTTP/1.x request (request line and header lines up to the
 * empty line), read from the raw bytes before libevent reads them, so the
 * body gate (src/core/http.c, RULE-HTTP-001..003) can decide how much body a
 * request may bring before any of it is read.  Lines end in LF or CRLF, as
 * libevent reads them.  Only what the gate needs is extracted; everything
 * points into the caller's bytes.
 */
#ifndef AL_HEAD_H
#define AL_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest head the gate waits for; libevent refuses longer ones itself (16 KiB of headers). */
#define AL_HEAD_MAX (40 * 1024)

struct al_head {
    size_t len;                   /* bytes of the head, the empty line included */
    size_t line_len;              /* the request line without its line end */
    const char *method, *target;  /* request line parts (not NUL-terminated) */
    size_t method_len, target_len;
    bool bad_line;                /* the request line is not "METHOD SP TARGET SP HTTP/x.y" */
    int content_lengths;          /* how many Content-Length lines */
    bool bad_length;              /* a Content-Length that is not 1..18 digits */
    uint64_t content_length;      /* the first one's value */
    bool transfer_encoding;       /* any Transfer-Encoding line */
    bool folded;                  /* an obsolete continuation line (starts with SP or HT) */
    bool expect_other;            /* an Expect other than 100-continue */
    bool expect_continue;         /* Expect: 100-continue */
    const char *cookie, *authorization; /* the first value of each (trimmed), or NULL */
    size_t cookie_len, authorization_len;
};

enum al_head_result {
    AL_HEAD_MORE = 0,     /* no empty line yet: wait for more bytes */
    AL_HEAD_DONE = 1,     /* `out` describes the head of out->len bytes */
    AL_HEAD_TOO_LONG = 2, /* no end within AL_HEAD_MAX bytes */
};

/* Read the head at the start of p[0..n).  Never reads past n. */
enum al_head_result al_head_parse(const char *p, size_t n, struct al_head *out);

#endif
