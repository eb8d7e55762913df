/* The client's address behind a trusted reverse proxy (nginx in front of anlao). */
#ifndef AL_PROXY_H
#define AL_PROXY_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The address to throttle and audit.  `peer` is the TCP peer; `xff` the
 * X-Forwarded-For header (may be NULL); `trusted` a comma-separated list of
 * proxy addresses (ANLAO_TRUSTED_PROXIES, may be NULL or empty).  Only when
 * the peer is a trusted proxy is the header used: the rightmost address in it
 * that is not itself a trusted proxy (what a client can forge sits further
 * left).  Malformed entries are ignored and the peer is kept.  `out` gets at
 * most n - 1 characters.
 */
void al_client_address(const char *peer, const char *xff, const char *trusted, char *out,
    size_t n);

/*
 * Did the browser reach the proxy over HTTPS?  True only when `peer` is a trusted proxy and the
 * first entry of `proto` (X-Forwarded-Proto, lines joined) is "https" in any letter case.
 */
bool al_forwarded_https(const char *peer, const char *proto, const char *trusted);

#endif
