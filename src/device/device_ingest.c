/*
 * The MQTT ingest (RULE-DEV-020..022): one thread with its own database
 * connection and a libmosquitto client (persistent session: clean session
 * off, its own client id) subscribed with QoS 1 to every device's uplink.
 *
 * libmosquitto sends the broker its PUBACK before the callback runs, so QoS 1
 * promises nothing about anlao's storage: each message is committed first and
 * only then acknowledged to the device on its ack topic; a device resends until
 * that acknowledgement comes, and a repeated (device, seq) is stored once and
 * acknowledged again.  Messages are committed in groups (RULE-DEV-040): the
 * first message of a batch begins a transaction, each is stored in it as it
 * arrives, and the batch commits when it holds ANLAO_INGEST_BATCH messages
 * (default 64) or its first is ANLAO_INGEST_BATCH_MS old (default 5), whichever
 * comes first; only then is each message of the batch acknowledged.  A failure
 * rolls the whole batch back and acknowledges none of it (the devices resend).
 * The thread also runs the heartbeat timers (a min-heap,
 * alarm_timers): nothing scans every device.  Together (RULE-DEV-021): whatever
 * happens to anlao (kill -9 between the broker's PUBACK and the commit, or while
 * down), every message a device got an "ok" for is stored, and none twice.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "alarm/alarm.h"
#include "core/events.h"
#include "core/log.h"
#include "core/vec.h"
#include "device/device.h"
#include "device/device_int.h"

static struct {
    pthread_t thread;
    bool running;
    int stopping; /* atomic */
    const char *db_path; /* the caller's, kept until device_ingest_stop() */
    char host[256], user[128], password[256], client_id[128];
    int port;
    int batch_max, batch_ms; /* RULE-DEV-040: ANLAO_INGEST_BATCH, ANLAO_INGEST_BATCH_MS */
} ig;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct device_ingest_stats stats;
/* Timers armed by other threads (registrations), taken by the ingest thread. */
struct watch {
    int64_t id, due;
};
static struct al_vec watches = {.size = sizeof(struct watch)}; /* under `lock` */

/* One message stored in the open batch, waiting for its commit before its acknowledgement. */
struct pending {
    char serial[41];
    int64_t seq, device_id, alarm_id, received_us;
    int heartbeat_s;
    bool inserted;
    char region_code[16];
};

struct ctx {
    struct al_db *db;
    struct alarm_timers timers;
    struct al_vec slots;   /* the batch's storage: batch_max entries, for the thread's life */
    struct pending *batch; /* slots.p */
    size_t nbatch;         /* > 0: a transaction is open */
    int64_t batch_due_us;  /* when the open batch commits at the latest */
};

/* RULE-DEV-041: the last commits' ingest-to-commit latencies (µs), a ring read by the API. */
#define LATENCY_RING 8192
static int64_t latency_us[LATENCY_RING];
static size_t nlatency;

static int64_t
mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

void
device_ingest_stats(struct device_ingest_stats *s)
{
    static int64_t sorted[LATENCY_RING];
    static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&sort_lock);
    pthread_mutex_lock(&lock);
    *s = stats;
    size_t n = nlatency < LATENCY_RING ? nlatency : LATENCY_RING;
    memcpy(sorted, latency_us, n * sizeof(sorted[0]));
    pthread_mutex_unlock(&lock);
    qsort(sorted, n, sizeof(sorted[0]), cmp64);
    s->commit_samples = (int64_t)n;
    s->commit_p50_us = n ? sorted[n / 2] : 0;
    s->commit_p99_us = n ? sorted[n * 99 / 100] : 0;
    pthread_mutex_unlock(&sort_lock);
}

#define COUNT(field) (pthread_mutex_lock(&lock), stats.field++, pthread_mutex_unlock(&lock))

void
device_ingest_watch(int64_t id, int64_t last_seen, int heartbeat_s)
{
    pthread_mutex_lock(&lock);
    struct watch *w = al_vec_push(&watches);
    if (w) /* out of memory: the device is watched from its next message on */
        *w = (struct watch){id, alarm_heartbeat_due(last_seen, heartbeat_s)};
    pthread_mutex_unlock(&lock);
}

/* RULE-DEV-014: a refused message, counted by reason; the first ones and then every 2^k logged. */
static void
refuse(int reason, const char *topic, const char *why)
{
    pthread_mutex_lock(&lock);
    int64_t n = ++stats.refused[reason];
    pthread_mutex_unlock(&lock);
    if (n <= 10 || (n & (n - 1)) == 0)
        al_warn("mqtt: refused message #%lld (%s) on %.80s: %s", (long long)n,
            devmsg_err_id(reason), topic ? topic : "?", why);
}

static void
ack(struct mosquitto *m, const char *serial, int64_t seq, const char *status, int heartbeat_s)
{
    char topic[80], body[128];
    snprintf(topic, sizeof(topic), DEVICE_TOPIC_PREFIX "%s/ack", serial);
    size_t n = devmsg_ack(body, sizeof(body), seq, status, heartbeat_s);
    if (mosquitto_publish(m, NULL, topic, (int)n, body, 1, false) == MOSQ_ERR_SUCCESS)
        COUNT(acked);
}

/*
 * RULE-DEV-040, RULE-DEV-015: commit the open batch, then acknowledge each of
 * its messages, arm their devices' timers and announce their alarms.  When the
 * commit fails nothing of the batch is acknowledged: the devices resend.
 */
static void
flush(struct mosquitto *m, struct ctx *c)
{
    if (c->nbatch == 0)
        return;
    size_t n = c->nbatch;
    c->nbatch = 0;
    int rc = al_db_commit(c->db);
    int64_t done = mono_us();
    if (rc != AL_OK) {
        al_warn("mqtt: a batch of %zu messages was not committed (%d); the devices will resend",
            n, rc);
        pthread_mutex_lock(&lock);
        stats.db_errors += (int64_t)n;
        pthread_mutex_unlock(&lock);
        return;
    }
    pthread_mutex_lock(&lock);
    stats.batches++;
    for (size_t i = 0; i < n; i++) {
        const struct pending *p = &c->batch[i];
        if (p->inserted)
            stats.stored++;
        else
            stats.duplicates++;
        if (p->alarm_id)
            stats.alarms++;
        latency_us[nlatency++ % LATENCY_RING] = done - p->received_us; /* RULE-DEV-041 */
    }
    pthread_mutex_unlock(&lock);
    int64_t now = time(NULL);
    for (size_t i = 0; i < n; i++) {
        const struct pending *p = &c->batch[i];
        ack(m, p->serial, p->seq, "ok", p->heartbeat_s); /* RULE-DEV-015: only after the commit */
        alarm_timers_set(&c->timers, p->device_id, alarm_heartbeat_due(now, p->heartbeat_s));
        if (p->alarm_id) { /* RULE-ALARM-021: the console hears of it */
            char payload[128];
            snprintf(payload, sizeof(payload), "{\"id\":%lld,\"region_code\":\"%s\"}",
                (long long)p->alarm_id, p->region_code);
            al_events_publish(c->db, ALARM_CHANNEL, payload);
        }
    }
}

static void
on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg)
{
    struct ctx *c = arg;
    int64_t received_us = mono_us();
    COUNT(received);
    char serial[41], why[128];
    if (!device_topic_serial(msg->topic, serial)) { /* RULE-DEV-014 */
        refuse(DEVMSG_FOREIGN, msg->topic, "not a device uplink topic");
        return;
    }
    if (msg->payloadlen > DEVMSG_MAX_BYTES) { /* RULE-DEV-013: not even parsed */
        snprintf(why, sizeof(why), "%d bytes", msg->payloadlen);
        refuse(DEVMSG_OVERSIZED, msg->topic, why);
        return;
    }
    struct device_ref d;
    int rc = device_store_by_serial(c->db, serial, &d);
    if (rc == AL_ENOTFOUND) {
        refuse(DEVMSG_UNKNOWN_DEVICE, msg->topic, "no active device with this serial");
        return;
    }
    if (rc != AL_OK) {
        COUNT(db_errors);
        return; /* no ack: the device resends */
    }
    struct devmsg dm;
    int64_t seq = 0;
    int err = devmsg_decode(msg->payload, (size_t)msg->payloadlen, &dm, &seq, why, sizeof(why));
    if (err != DEVMSG_OK) {
        refuse(err, msg->topic, why);
        if (seq > 0) /* RULE-DEV-015: answered, so the device stops resending it; never stored */
            ack(m, serial, seq, "invalid_format", d.heartbeat_s);
        return;
    }
    int64_t now = time(NULL);
    struct pending *p = &c->batch[c->nbatch];
    *p = (struct pending){.seq = dm.seq, .device_id = d.id, .heartbeat_s = d.heartbeat_s,
        .received_us = received_us};
    memcpy(p->serial, serial, sizeof(p->serial));
    memcpy(p->region_code, d.region_code, sizeof(p->region_code));
    if (c->nbatch == 0) { /* RULE-DEV-040: the batch's first message opens its transaction */
        if ((rc = al_db_begin(c->db)) != AL_OK) {
            COUNT(db_errors);
            return; /* no ack: the device resends */
        }
        c->batch_due_us = received_us + (int64_t)ig.batch_ms * 1000;
    }
    rc = device_store_message(c->db, &d, &dm, now, &p->inserted, &p->alarm_id);
    if (rc != AL_OK) { /* the transaction may be unusable (PostgreSQL): drop the whole batch */
        al_warn("mqtt: message %lld of %s not stored (%d); its batch of %zu is rolled back and"
                " the devices will resend", (long long)dm.seq, serial, rc, c->nbatch + 1);
        al_db_rollback(c->db);
        pthread_mutex_lock(&lock);
        stats.db_errors += (int64_t)c->nbatch + 1;
        pthread_mutex_unlock(&lock);
        c->nbatch = 0;
        return;
    }
    if (++c->nbatch >= (size_t)ig.batch_max)
        flush(m, c);
}

static void
on_connect(struct mosquitto *m, void *arg, int rc)
{
    (void)arg;
    if (rc != 0) {
        al_warn("mqtt: the broker refused the connection: %s", mosquitto_connack_string(rc));
        return;
    }
    pthread_mutex_lock(&lock);
    stats.connected = true;
    pthread_mutex_unlock(&lock);
    mosquitto_subscribe(m, NULL, DEVICE_TOPIC_SUB, 1);
    al_info("mqtt: connected to %s:%d as %s", ig.host, ig.port, ig.client_id);
}

static void
on_disconnect(struct mosquitto *m, void *arg, int rc)
{
    (void)m;
    (void)arg;
    (void)rc;
    pthread_mutex_lock(&lock);
    stats.connected = false;
    pthread_mutex_unlock(&lock);
}

static void
arm(void *arg, int64_t id, int64_t last_seen, int heartbeat_s)
{
    struct ctx *c = arg;
    alarm_timers_set(&c->timers, id, alarm_heartbeat_due(last_seen, heartbeat_s));
}

/* RULE-ALARM-010: the devices whose heartbeat is overdue get a fault ticket. */
static void
run_timers(struct mosquitto *m, struct ctx *c)
{
    pthread_mutex_lock(&lock);
    const struct watch *w = watches.p;
    for (size_t i = 0; i < watches.n; i++)
        alarm_timers_set(&c->timers, w[i].id, w[i].due);
    watches.n = 0;
    pthread_mutex_unlock(&lock);
    int64_t now = time(NULL), id, due;
    while (alarm_timers_next(&c->timers, now, &id, &due)) {
        bool opened = false;
        flush(m, c); /* a ticket is its own write, never part of a batch that may roll back */
        if (device_store_fault(c->db, id, now, &opened) != AL_OK)
            COUNT(db_errors);
        else if (opened)
            COUNT(faults);
    }
}

static void
pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *
ingest_main(void *arg)
{
    (void)arg;
    struct ctx c = {0};
    alarm_timers_init(&c.timers);
    al_vec_init(&c.slots, sizeof(struct pending));
    if (!al_vec_zeroed(&c.slots, (size_t)ig.batch_max)) {
        al_warn("mqtt: no memory for the ingest batch; ingest not started");
        return NULL;
    }
    c.batch = c.slots.p;
    struct mosquitto *m = NULL;
    int backoff_ms = 200;
    while (!__atomic_load_n(&ig.stopping, __ATOMIC_ACQUIRE)) {
        if (!c.db) {
            if (al_db_open(ig.db_path, &c.db) != AL_OK) {
                c.db = NULL;
                pause_ms(1000);
                continue;
            }
            al_db_busy_timeout(c.db, 5000);
            if (device_broker_sync(c.db) != AL_OK)
                al_warn("mqtt: the broker's password and ACL files were not written");
            device_store_each_active(c.db, arm, &c);
        }
        if (!m) {
            m = mosquitto_new(ig.client_id, false, &c); /* RULE-DEV-020: persistent session */
            if (!m) {
                pause_ms(1000);
                continue;
            }
            mosquitto_username_pw_set(m, ig.user, ig.password);
            mosquitto_connect_callback_set(m, on_connect);
            mosquitto_disconnect_callback_set(m, on_disconnect);
            mosquitto_message_callback_set(m, on_message);
            mosquitto_max_inflight_messages_set(m, 100);
            if (mosquitto_connect(m, ig.host, ig.port, 30) != MOSQ_ERR_SUCCESS) {
                pause_ms(backoff_ms);
                backoff_ms = backoff_ms * 2 > 5000 ? 5000 : backoff_ms * 2;
                continue; /* mosquitto_loop answers NO_CONN below until reconnect succeeds */
            }
        }
        int wait_ms = 200;
        if (c.nbatch > 0) { /* RULE-DEV-040: wake when the open batch is due */
            int64_t left = c.batch_due_us - mono_us();
            wait_ms = left <= 0 ? 0 : (int)((left + 999) / 1000);
        }
        int rc = mosquitto_loop(m, wait_ms, 1);
        if (c.nbatch > 0 && mono_us() >= c.batch_due_us)
            flush(m, &c);
        if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_ERRNO ||
            rc == MOSQ_ERR_PROTOCOL) { /* RULE-DEV-022: reconnect by itself */
            pause_ms(backoff_ms);
            backoff_ms = backoff_ms * 2 > 5000 ? 5000 : backoff_ms * 2;
            if (mosquitto_reconnect(m) == MOSQ_ERR_SUCCESS)
                backoff_ms = 200;
        } else if (rc == MOSQ_ERR_SUCCESS) {
            backoff_ms = 200;
        }
        run_timers(m, &c); /* escalation and inactivity: the job "alarm.sweep" (RULE-ALARM-060) */
        if (device_broker_sync_due(c.db) != AL_OK) /* RULE-DEV-043: the registrations put off */
            al_warn("mqtt: the broker's password and ACL files were not written");
    }
    if (m)
        flush(m, &c);
    else if (c.nbatch > 0)
        al_db_rollback(c.db);
    if (m) {
        mosquitto_disconnect(m);
        mosquitto_destroy(m);
    }
    alarm_timers_fini(&c.timers);
    al_vec_fini(&c.slots);
    al_db_close(c.db);
    return NULL;
}

static void
env_copy(char *dst, size_t size, const char *name, const char *dflt)
{
    const char *v = getenv(name);
    snprintf(dst, size, "%s", v && *v ? v : dflt);
}

int
device_ingest_start(const char *db_path)
{
    const char *port = getenv("ANLAO_MQTT_PORT");
    if (!port || !*port || ig.running)
        return AL_OK;
    ig.port = atoi(port);
    env_copy(ig.host, sizeof(ig.host), "ANLAO_MQTT_HOST", "127.0.0.1");
    env_copy(ig.user, sizeof(ig.user), "ANLAO_MQTT_USER", "anlao");
    env_copy(ig.password, sizeof(ig.password), "ANLAO_MQTT_PASSWORD", "");
    env_copy(ig.client_id, sizeof(ig.client_id), "ANLAO_MQTT_CLIENT_ID", "anlao-ingest");
    const char *b = getenv("ANLAO_INGEST_BATCH"), *bms = getenv("ANLAO_INGEST_BATCH_MS");
    ig.batch_max = b && *b ? atoi(b) : 64;
    ig.batch_ms = bms && *bms ? atoi(bms) : 5;
    if (ig.batch_max < 1 || ig.batch_max > 4096)
        ig.batch_max = 64;
    if (ig.batch_ms < 0 || ig.batch_ms > 1000)
        ig.batch_ms = 5;
    pthread_mutex_lock(&lock);
    stats.batch_max = ig.batch_max;
    stats.batch_ms = ig.batch_ms;
    pthread_mutex_unlock(&lock);
    ig.db_path = db_path;
    mosquitto_lib_init();
    __atomic_store_n(&ig.stopping, 0, __ATOMIC_RELEASE);
    if (pthread_create(&ig.thread, NULL, ingest_main, NULL) != 0) {
        ig.db_path = NULL;
        return AL_EUNAVAIL;
    }
    ig.running = true;
    return AL_OK;
}

bool
device_ingest_running(void)
{
    return ig.running;
}

void
device_ingest_stop(void)
{
    if (!ig.running)
        return;
    __atomic_store_n(&ig.stopping, 1, __ATOMIC_RELEASE);
    pthread_join(ig.thread, NULL);
    ig.running = false;
    ig.db_path = NULL;
    mosquitto_lib_cleanup();
}
