/*
 * `anlao devsim` (RULE-DEV-030): devices that follow the protocol of
 * docs/devices.md.  Each device connects with its own credentials, sends its
 * messages with increasing seq and resends every one not acknowledged within
 * --resend-ms until anlao's acknowledgement with that seq arrives on its ack
 * topic, reconnecting when the broker goes away.  One device (--serial,
 * --password) or many (--devices FILE: lines "serial password").  Prints one
 * JSON line with counts and acknowledgement times; exit 0 when every message
 * was acknowledged "ok", 1 otherwise (timeout, refused).  For the bench
 * (RULE-DEV-042): --rate R sends at most R new messages a second over all the
 * devices, taken in turn; --together holds every message until every device
 * is connected (and --start-file F until F exists, for several processes); --sends FILE writes "serial seq unix_ms" of each
 * message's first send; the report gives the wall-clock first send and last
 * acknowledgement.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <mosquitto.h>

#include "core/arena.h"
#include "core/vec.h"
#include "device/device.h"

struct sim_dev {
    struct mosquitto *m;
    char serial[48], password[80];
    int64_t next;       /* index of the next message not yet sent once */
    int64_t *sent_ms;   /* per message: last send time (0: never), -1: acknowledged */
    int64_t *first_ms;  /* per message: first send time */
    int64_t unacked;    /* sent, not acknowledged */
    bool connected;
};

static struct {
    int64_t count, seq_start, resend_ms, interval_ms, window;
    const char *kind, *type;
    int battery;
    int64_t acked, resends, invalid, other;
    int64_t *lat_ms;
    size_t nlat;
    double rate, tokens;  /* --rate: new messages a second over all devices (0: as fast as can) */
    int64_t tokens_ms;    /* when the bucket was last filled */
    FILE *sends;          /* --sends: each first send's wall-clock time */
    bool together;        /* --together: nothing is sent before every device is connected */
    const char *start_file; /* --start-file: and, after that, before this file exists */
    bool started;
    size_t nconnected, ndevices;
    int64_t first_send_wall, last_ack_wall;
} sim;

static int64_t
wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* RULE-DEV-042: may one more new message go now under --rate? (a bucket of 1/20 s of tokens) */
static bool
rate_allows(int64_t t)
{
    if (sim.rate <= 0)
        return true;
    sim.tokens += (double)(t - sim.tokens_ms) * sim.rate / 1000.0;
    sim.tokens_ms = t;
    double cap = sim.rate / 20.0 < 1 ? 1 : sim.rate / 20.0;
    if (sim.tokens > cap)
        sim.tokens = cap;
    return sim.tokens >= 1;
}

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
opt(int argc, char **argv, const char *name, const char *dflt)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return dflt;
}

static void
on_connect(struct mosquitto *m, void *arg, int rc)
{
    struct sim_dev *d = arg;
    if (rc != 0) {
        fprintf(stderr, "devsim %s: %s\n", d->serial, mosquitto_connack_string(rc));
        return;
    }
    char topic[96];
    snprintf(topic, sizeof(topic), "anlao/dev/%s/ack", d->serial);
    mosquitto_subscribe(m, NULL, topic, 1);
    if (!d->connected)
        sim.nconnected++;
    d->connected = true;
}

static void
on_disconnect(struct mosquitto *m, void *arg, int rc)
{
    (void)m;
    (void)rc;
    struct sim_dev *d = arg;
    if (d->connected)
        sim.nconnected--;
    d->connected = false;
}

static void
on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg)
{
    (void)m;
    struct sim_dev *d = arg;
    json_t *o = json_loadb(msg->payload, (size_t)msg->payloadlen, 0, NULL);
    json_int_t seq = json_integer_value(json_object_get(o, "seq"));
    const char *status = json_string_value(json_object_get(o, "status"));
    int64_t i = seq - sim.seq_start;
    if (o && status && i >= 0 && i < sim.count && d->sent_ms[i] > 0) {
        if (strcmp(status, "ok") == 0) {
            sim.acked++;
            sim.lat_ms[sim.nlat++] = now_ms() - d->first_ms[i];
            sim.last_ack_wall = wall_ms();
        } else {
            sim.invalid++;
        }
        d->sent_ms[i] = -1;
        d->unacked--;
    }
    json_decref(o);
}

static void
send_one(struct sim_dev *d, int64_t i, int64_t t)
{
    char topic[96], body[256];
    snprintf(topic, sizeof(topic), "anlao/dev/%s/up", d->serial);
    int n;
    if (sim.battery >= 0)
        n = snprintf(body, sizeof(body),
            "{\"seq\":%lld,\"ts\":%lld,\"kind\":\"%s\",\"type\":\"%s\",\"data\":{\"battery\":%d}}",
            (long long)(sim.seq_start + i), (long long)time(NULL), sim.kind, sim.type, sim.battery);
    else
        n = snprintf(body, sizeof(body), "{\"seq\":%lld,\"ts\":%lld,\"kind\":\"%s\",\"type\":\"%s\"}",
            (long long)(sim.seq_start + i), (long long)time(NULL), sim.kind, sim.type);
    if (mosquitto_publish(d->m, NULL, topic, n, body, 1, false) != MOSQ_ERR_SUCCESS)
        return; /* not connected: resent later */
    if (d->sent_ms[i] == 0) {
        d->first_ms[i] = t;
        d->unacked++;
        int64_t w = wall_ms();
        if (!sim.first_send_wall)
            sim.first_send_wall = w;
        if (sim.sends)
            fprintf(sim.sends, "%s %lld %lld\n", d->serial, (long long)(sim.seq_start + i),
                (long long)w);
        sim.tokens -= 1;
    } else {
        sim.resends++;
    }
    d->sent_ms[i] = t;
}

/* Send what is due: new messages inside the window, resends of old unacknowledged ones. */
static void
pump(struct sim_dev *d, int64_t t, int64_t *last_new)
{
    if (!d->connected)
        return;
    for (int64_t i = 0; i < d->next; i++)
        if (d->sent_ms[i] > 0 && t - d->sent_ms[i] >= sim.resend_ms)
            send_one(d, i, t);
    while (d->next < sim.count && d->unacked < sim.window &&
           (sim.interval_ms == 0 || t - *last_new >= sim.interval_ms) && rate_allows(t)) {
        send_one(d, d->next, t);
        if (d->sent_ms[d->next] == 0)
            break;
        d->next++;
        *last_new = t;
    }
}

static int
cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void
on_raw_publish(struct mosquitto *m, void *arg, int mid)
{
    (void)m;
    (void)mid;
    *(bool *)arg = true;
}

/*
 * --topic T --payload P: publish P once to T (QoS 1) as the device and wait for the broker's
 * PUBACK: for tests of what anlao refuses (malformed, oversized, another device's topic).
 */
static int
raw_publish(const char *host, int port, const char *serial, const char *password,
    const char *topic, const char *payload, int64_t timeout_ms)
{
    bool done = false;
    mosquitto_lib_init();
    struct mosquitto *m = mosquitto_new(NULL, true, &done);
    int rc = m ? MOSQ_ERR_SUCCESS : MOSQ_ERR_NOMEM;
    if (rc == MOSQ_ERR_SUCCESS) {
        mosquitto_username_pw_set(m, serial, password);
        mosquitto_publish_callback_set(m, on_raw_publish);
        rc = mosquitto_connect(m, host, port, 30);
    }
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_publish(m, NULL, topic, (int)strlen(payload), payload, 1, false);
    int64_t start = now_ms();
    while (rc == MOSQ_ERR_SUCCESS && !done && now_ms() - start < timeout_ms)
        rc = mosquitto_loop(m, 50, 1);
    if (m) {
        mosquitto_disconnect(m);
        mosquitto_destroy(m);
    }
    mosquitto_lib_cleanup();
    printf("{\"published\":%s}\n", done ? "true" : "false");
    return done ? 0 : 1;
}

/* The message options of the run into `sim`: false (with a word on stderr) when out of range. */
static bool
read_options(int argc, char **argv)
{
    sim.count = atoll(opt(argc, argv, "--count", "1"));
    sim.kind = opt(argc, argv, "--kind", "alarm");
    sim.type = opt(argc, argv, "--type", "sos");
    sim.battery = atoi(opt(argc, argv, "--battery", "-1"));
    sim.seq_start = atoll(opt(argc, argv, "--seq-start", "0"));
    if (sim.seq_start <= 0)
        sim.seq_start = (int64_t)time(NULL) * 1000; /* a new run continues after the last */
    sim.resend_ms = atoll(opt(argc, argv, "--resend-ms", "1000"));
    sim.interval_ms = atoll(opt(argc, argv, "--interval-ms", "0"));
    sim.window = atoll(opt(argc, argv, "--window", "1"));
    sim.rate = atof(opt(argc, argv, "--rate", "0"));
    for (int i = 1; i < argc; i++)
        sim.together = sim.together || strcmp(argv[i], "--together") == 0;
    sim.start_file = opt(argc, argv, "--start-file", NULL);
    sim.together = sim.together || sim.start_file;
    sim.tokens_ms = now_ms();
    if (sim.count < 1 || sim.count > 10000000 || sim.window < 1 || sim.resend_ms < 10 ||
        sim.rate < 0) {
        fputs("devsim: --count 1..10000000, --window ≥ 1, --resend-ms ≥ 10, --rate ≥ 0\n", stderr);
        return false;
    }
    const char *sends = opt(argc, argv, "--sends", NULL);
    if (sends && !(sim.sends = fopen(sends, "w"))) {
        fprintf(stderr, "devsim: %s: %s\n", sends, strerror(errno));
        return false;
    }
    return true;
}

/* One device more in `devs` with `serial` and `password`; false when out of memory. */
static bool
add_device(struct al_vec *devs, const char *serial, const char *password)
{
    struct sim_dev *d = al_vec_push(devs);
    if (!d) {
        fputs("devsim: out of memory\n", stderr);
        return false;
    }
    snprintf(d->serial, sizeof(d->serial), "%s", serial);
    snprintf(d->password, sizeof(d->password), "%s", password);
    return true;
}

/*
 * The devices of the run into `devs` (struct sim_dev): those of --devices FILE (lines "serial
 * password"), or the one of --serial and --password.  false with a word on stderr when there
 * is none.
 */
static bool
read_devices(int argc, char **argv, struct al_vec *devs)
{
    const char *file = opt(argc, argv, "--devices", NULL);
    if (file) {
        FILE *f = fopen(file, "r");
        if (!f) {
            fprintf(stderr, "devsim: %s: %s\n", file, strerror(errno));
            return false;
        }
        char s[48], p[80];
        bool ok = true;
        while (ok && fscanf(f, "%47s %79s", s, p) == 2)
            ok = add_device(devs, s, p);
        fclose(f);
        if (!ok)
            return false;
    } else if (*opt(argc, argv, "--serial", "") &&
               !add_device(devs, opt(argc, argv, "--serial", ""), opt(argc, argv, "--password", ""))) {
        return false;
    }
    if (devs->n == 0) {
        fputs("devsim: no device (--serial and --password, or --devices FILE)\n", stderr);
        return false;
    }
    return true;
}

/* Each device's message book (in `a`) and its client, connecting in the background. */
static bool
connect_devices(struct al_arena *a, struct sim_dev *devs, size_t n, const char *host, int port)
{
    for (size_t i = 0; i < n; i++) {
        struct sim_dev *d = &devs[i];
        d->sent_ms = al_arena_calloc(a, (size_t)sim.count * sizeof(int64_t));
        d->first_ms = al_arena_calloc(a, (size_t)sim.count * sizeof(int64_t));
        char cid[64];
        snprintf(cid, sizeof(cid), "sim-%s", d->serial);
        d->m = mosquitto_new(cid, true, d);
        if (!d->m) {
            fputs("devsim: out of memory\n", stderr);
            return false;
        }
        mosquitto_username_pw_set(d->m, d->serial, d->password);
        mosquitto_connect_callback_set(d->m, on_connect);
        mosquitto_disconnect_callback_set(d->m, on_disconnect);
        mosquitto_message_callback_set(d->m, on_message);
        mosquitto_max_inflight_messages_set(d->m, 0);
        mosquitto_connect_async(d->m, host, port, 30);
    }
    return true;
}

/*
 * RULE-DEV-042: whether sending may begin: at once, or (--together) once every device is
 * connected, said on stderr as {"connected":N}, and (--start-file) the file exists, so several
 * devsim processes start together.
 */
static bool
may_start(void)
{
    static bool said;
    if (!sim.together)
        return true;
    if (sim.nconnected < sim.ndevices)
        return false;
    if (!said) {
        fprintf(stderr, "{\"connected\":%zu}\n", sim.nconnected);
        said = true;
    }
    return !sim.start_file || access(sim.start_file, F_OK) == 0;
}

/*
 * One poll over every device's socket (reconnecting lost ones every 500 ms), then each
 * device's reads, writes and due messages.
 */
static void
poll_devices(struct sim_dev *devs, size_t n, struct pollfd *pf, int64_t *last_retry,
    int64_t *last_new)
{
    int64_t t = now_ms();
    bool retry = t - *last_retry >= 500;
    for (size_t i = 0; i < n; i++) {
        pf[i].fd = mosquitto_socket(devs[i].m);
        pf[i].events = POLLIN | (mosquitto_want_write(devs[i].m) ? POLLOUT : 0);
        pf[i].revents = 0;
        if (pf[i].fd < 0 && retry)
            mosquitto_reconnect_async(devs[i].m); /* the broker went away: keep trying */
    }
    if (retry)
        *last_retry = t;
    if (!sim.started)
        sim.started = may_start();
    poll(pf, n, 20);
    t = now_ms();
    static size_t turn; /* RULE-DEV-042: under --rate, each device's turn comes round */
    turn = (turn + 1) % n;
    for (size_t k = 0; k < n; k++) {
        size_t i = (turn + k) % n;
        struct sim_dev *d = &devs[i];
        if (pf[i].fd >= 0) {
            if (pf[i].revents & (POLLIN | POLLHUP | POLLERR))
                mosquitto_loop_read(d->m, 1);
            if (mosquitto_socket(d->m) >= 0 && mosquitto_want_write(d->m))
                mosquitto_loop_write(d->m, 1);
            mosquitto_loop_misc(d->m);
        }
        if (sim.started)
            pump(d, t, last_new);
    }
}

/* The run's one JSON line: counts and acknowledgement times (sorts sim.lat_ms). */
static void
print_report(size_t n, int64_t total, int64_t elapsed)
{
    qsort(sim.lat_ms, sim.nlat, sizeof(int64_t), cmp64);
    int64_t p50 = sim.nlat ? sim.lat_ms[sim.nlat / 2] : 0;
    size_t i99 = (sim.nlat * 99) / 100;
    int64_t p99 = sim.nlat ? sim.lat_ms[i99 < sim.nlat ? i99 : sim.nlat - 1] : 0;
    printf("{\"devices\":%zu,\"messages\":%lld,\"acked\":%lld,\"invalid\":%lld,\"resends\":%lld,"
           "\"seq_start\":%lld,\"elapsed_ms\":%lld,\"ack_p50_ms\":%lld,\"ack_p99_ms\":%lld,"
           "\"first_send_unix_ms\":%lld,\"last_ack_unix_ms\":%lld}\n",
        n, (long long)total, (long long)sim.acked, (long long)sim.invalid, (long long)sim.resends,
        (long long)sim.seq_start, (long long)elapsed, (long long)p50, (long long)p99,
        (long long)sim.first_send_wall, (long long)sim.last_ack_wall);
    fflush(stdout);
}

static void
disconnect_devices(struct sim_dev *devs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (devs[i].m) {
            mosquitto_disconnect(devs[i].m);
            mosquitto_destroy(devs[i].m);
        }
    }
}

static volatile sig_atomic_t stop_asked;

static void
on_term(int sig)
{
    (void)sig;
    stop_asked = 1;
}

int
device_devsim_main(int argc, char **argv)
{
    const char *host = opt(argc, argv, "--host", "127.0.0.1");
    int port = atoi(opt(argc, argv, "--port", "1883"));
    int64_t timeout_ms = atoll(opt(argc, argv, "--timeout-s", "60")) * 1000;
    const char *topic = opt(argc, argv, "--topic", NULL);
    if (topic)
        return raw_publish(host, port, opt(argc, argv, "--serial", ""),
            opt(argc, argv, "--password", ""), topic, opt(argc, argv, "--payload", ""),
            timeout_ms);
    struct al_vec list;
    al_vec_init(&list, sizeof(struct sim_dev));
    if (!read_options(argc, argv) || !read_devices(argc, argv, &list)) {
        al_vec_fini(&list);
        return 2;
    }
    /* The run's memory: the devices in `list`, everything else in one arena. */
    struct al_arena a;
    al_arena_init(&a, 64 * 1024);
    struct sim_dev *devs = list.p;
    size_t n = list.n;
    int64_t total = sim.count * (int64_t)n;
    sim.ndevices = n;
    sim.lat_ms = al_arena_calloc(&a, (size_t)total * sizeof(int64_t));
    struct pollfd *pf = al_arena_calloc(&a, n * sizeof(*pf));
    mosquitto_lib_init();
    int rc = 2;
    if (connect_devices(&a, devs, n, host, port)) {
        int64_t start = now_ms(), last_new = 0, last_retry = start;
        signal(SIGTERM, on_term); /* stopped from outside: the report still comes */
        while (sim.acked + sim.invalid < total && now_ms() - start < timeout_ms && !stop_asked)
            poll_devices(devs, n, pf, &last_retry, &last_new);
        print_report(n, total, now_ms() - start);
        rc = sim.acked == total ? 0 : 1;
    }
    disconnect_devices(devs, n);
    if (sim.sends)
        fclose(sim.sends);
    al_arena_fini(&a);
    al_vec_fini(&list);
    mosquitto_lib_cleanup();
    return rc;
}
