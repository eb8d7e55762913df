/*
 * The ceiling for make bench: a minimal libevent evhttp server answering
 * {"status":"ok"} (Content-Type application/json) with anlao's threading model,
 * as in src/core/http.c:
 *   - evthread_use_pthreads() before anything else;
 *   - N worker threads (default: the number of online cores), each with its own
 *     event_base and evhttp, accepting on its own SO_REUSEPORT listening socket
 *     (backlog 1024) bound to the same address and port;
 *   - SIGPIPE ignored.
 * What it leaves out on purpose is everything anlao does per request: routing,
 * the arena, jansson, security headers, the access log.
 *
 * Usage: hello PORT [WORKERS] [BIND]      (BIND defaults to 127.0.0.1, like anlao)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_WORKERS 256

static const char body[] = "{\"status\":\"ok\"}";

struct worker {
    pthread_t thread;
    struct event_base *base;
    struct evhttp *http;
};

static void
on_request(struct evhttp_request *req, void *arg)
{
    (void)arg;
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
        "application/json; charset=utf-8");
    evbuffer_add(evhttp_request_get_output_buffer(req), body, sizeof(body) - 1);
    evhttp_send_reply(req, 200, NULL, NULL);
}

static int
listen_socket(const char *bind_addr, int port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, bind_addr, &sa.sin_addr) != 1) {
        fprintf(stderr, "hello: bad IPv4 address %s\n", bind_addr);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 1024) != 0) {
        fprintf(stderr, "hello: cannot listen on %s:%d: %s\n", bind_addr, port, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    event_base_dispatch(w->base);
    return NULL;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: hello PORT [WORKERS] [BIND]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = argc > 2 ? atoi(argv[2]) : (int)(cores > 0 ? cores : 1);
    const char *bind_addr = argc > 3 ? argv[3] : "127.0.0.1";
    if (port <= 0 || port > 65535 || n < 1 || n > MAX_WORKERS) {
        fprintf(stderr, "hello: bad port or worker count\n");
        return 2;
    }
    evthread_use_pthreads();
    signal(SIGPIPE, SIG_IGN);

    static struct worker ws[MAX_WORKERS];
    for (int i = 0; i < n; i++) {
        int fd = listen_socket(bind_addr, port);
        ws[i].base = fd >= 0 ? event_base_new() : NULL;
        ws[i].http = ws[i].base ? evhttp_new(ws[i].base) : NULL;
        if (!ws[i].http || !evhttp_accept_socket_with_handle(ws[i].http, fd)) {
            fprintf(stderr, "hello: worker %d failed to start\n", i);
            return 1;
        }
        evhttp_set_gencb(ws[i].http, on_request, NULL);
    }
    for (int i = 0; i < n; i++)
        if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]) != 0) {
            fprintf(stderr, "hello: pthread_create failed\n");
            return 1;
        }
    fprintf(stderr, "hello: listening on http://%s:%d with %d workers\n", bind_addr, port, n);
    for (int i = 0; i < n; i++)
        pthread_join(ws[i].thread, NULL);
    return 0;
}
