/*
 * The broker's password and ACL files (RULE-DEV-003).  anlao owns both: it
 * writes them whole from the registry (a temporary file renamed over the old
 * one) and sends the broker SIGHUP to reload them.  The password file has the
 * format mosquitto_passwd writes (mosquitto 2.0, "$7$": PBKDF2-SHA512, 101
 * iterations, 12-byte salt, base64), computed here with libsodium's
 * HMAC-SHA512 so no password ever reaches the disk or another process.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/log.h"
#include "device/device.h"
#include "device/device_int.h"

#define ITERATIONS 101

void
device_mqtt_hash_salt(const char *password, const unsigned char salt[12], char out[160])
{
    /* PBKDF2 (RFC 8018) with HMAC-SHA512, one 64-byte block. */
    unsigned char block[16], u[64], t[64];
    memcpy(block, salt, 12);
    block[12] = 0, block[13] = 0, block[14] = 0, block[15] = 1;
    crypto_auth_hmacsha512_state st;
    crypto_auth_hmacsha512_init(&st, (const unsigned char *)password, strlen(password));
    crypto_auth_hmacsha512_update(&st, block, sizeof(block));
    crypto_auth_hmacsha512_final(&st, u);
    memcpy(t, u, sizeof(t));
    for (int i = 1; i < ITERATIONS; i++) {
        crypto_auth_hmacsha512_init(&st, (const unsigned char *)password, strlen(password));
        crypto_auth_hmacsha512_update(&st, u, sizeof(u));
        crypto_auth_hmacsha512_final(&st, u);
        for (int k = 0; k < 64; k++)
            t[k] ^= u[k];
    }
    char s64[32], h64[100];
    sodium_bin2base64(s64, sizeof(s64), salt, 12, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(h64, sizeof(h64), t, sizeof(t), sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, 160, "$7$%d$%s$%s", ITERATIONS, s64, h64);
    sodium_memzero(u, sizeof(u));
    sodium_memzero(t, sizeof(t));
}

int
device_mqtt_hash(const char *password, char out[160])
{
    unsigned char salt[12];
    randombytes_buf(salt, sizeof(salt));
    device_mqtt_hash_salt(password, salt, out);
    return AL_OK;
}

/* Write `len` bytes to `path` through a temporary file renamed over it. */
static int
write_whole(const char *path, const char *text, size_t len)
{
    char tmp[1100];
    snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        al_warn("mqtt: cannot write %s: %s", tmp, strerror(errno));
        return AL_EINTERNAL;
    }
    bool ok = fwrite(text, 1, len, f) == len;
    ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        al_warn("mqtt: cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return AL_EINTERNAL;
    }
    return AL_OK;
}

static const char acl_head[] =
    "# Written by anlao (RULE-DEV-003): edits are overwritten.\n"
    "# A device (user name = its serial) publishes only to its own uplink and reads only its own\n"
    "# acknowledgements; anlao's service user reads every uplink and writes every ack.\n"
    "pattern write anlao/dev/%u/up\n"
    "pattern read anlao/dev/%u/ack\n"
    "\n"
    "user ";
static const char acl_tail[] = "\n"
    "topic read anlao/dev/+/up\n"
    "topic write anlao/dev/+/ack\n";

/*
 * One writer at a time: the ingest thread (at start, and the writes put off) and the workers
 * (registrations).  RULE-DEV-043: `tokens` registrations may still write at once (refilled one a
 * DEVICE_BROKER_GAP_MS up to DEVICE_BROKER_BURST, at `filled_ms`, monotonic); `pending`: a
 * registration committed whose write was put off.
 */
static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
static double tokens = DEVICE_BROKER_BURST;
static int64_t filled_ms;
static bool pending;
static int64_t writes;

static int broker_sync(struct al_db *db);

static int64_t
mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The writes allowed now (RULE-DEV-043), under the lock. */
static double
tokens_now(void)
{
    int64_t t = mono_ms();
    if (filled_ms)
        tokens += (double)(t - filled_ms) / DEVICE_BROKER_GAP_MS;
    if (tokens > DEVICE_BROKER_BURST)
        tokens = DEVICE_BROKER_BURST;
    filled_ms = t;
    return tokens;
}

/* Write the files now, under the lock.  RULE-DEV-003 */
static int
sync_locked(struct al_db *db)
{
    pending = false;
    writes++;
    return broker_sync(db);
}

void
device_broker_stats(int64_t *nwrites, bool *put_off)
{
    pthread_mutex_lock(&sync_lock);
    *nwrites = writes;
    *put_off = pending;
    pthread_mutex_unlock(&sync_lock);
}

int
device_broker_sync(struct al_db *db)
{
    pthread_mutex_lock(&sync_lock);
    int rc = sync_locked(db);
    pthread_mutex_unlock(&sync_lock);
    return rc;
}

/*
 * RULE-DEV-043: a registration is in the broker's files before its answer while writes are few
 * (DEVICE_BROKER_BURST at once, then one a DEVICE_BROKER_GAP_MS); beyond that (a burst of
 * registrations) the write is put off for the ingest thread, which makes it when a write is
 * allowed again (device_broker_sync_due): one rewrite of the whole file and one reload of the
 * broker a gap at most, however many devices a burst registers.
 */
int
device_broker_changed(struct al_db *db, bool may_defer)
{
    pthread_mutex_lock(&sync_lock);
    int rc = AL_OK;
    if (!may_defer || (!pending && tokens_now() >= 1)) {
        tokens -= 1;
        rc = sync_locked(db);
    } else {
        pending = true;
    }
    pthread_mutex_unlock(&sync_lock);
    return rc;
}

int
device_broker_sync_due(struct al_db *db)
{
    pthread_mutex_lock(&sync_lock);
    int rc = AL_OK;
    if (pending && tokens_now() >= 1) {
        tokens -= 1;
        rc = sync_locked(db);
    }
    pthread_mutex_unlock(&sync_lock);
    return rc;
}

static int
broker_sync(struct al_db *db)
{
    const char *passwd = getenv("ANLAO_MQTT_PASSWD_FILE"), *acl = getenv("ANLAO_MQTT_ACL_FILE");
    const char *pidfile = getenv("ANLAO_MQTT_PID_FILE");
    const char *user = getenv("ANLAO_MQTT_USER"), *password = getenv("ANLAO_MQTT_PASSWORD");
    if (!passwd || !*passwd || !acl || !*acl)
        return AL_OK;
    if (!user || !*user)
        user = "anlao";
    char self[300], hash[160];
    device_mqtt_hash(password ? password : "", hash);
    int n = snprintf(self, sizeof(self), "%.100s:%s\n", user, hash); /* fits: 100 + 1 + 159 + 1 */
    struct al_arena a;
    struct al_buf all = {0};
    al_arena_init(&a, 64 * 1024);
    al_buf_add(&a, &all, self, (size_t)n); /* anlao's own account first */
    int rc = device_store_passwd_lines(db, &a, &all);
    if (rc == AL_OK)
        rc = write_whole(passwd, all.p, all.len);
    al_arena_fini(&a);
    if (rc != AL_OK)
        return rc;
    char acl_buf[sizeof(acl_head) + sizeof(acl_tail) + 128];
    int an = snprintf(acl_buf, sizeof(acl_buf), "%s%.100s%s", acl_head, user, acl_tail);
    rc = write_whole(acl, acl_buf, (size_t)an);
    if (rc == AL_OK && pidfile && *pidfile) {
        FILE *f = fopen(pidfile, "r");
        long pid = 0;
        if (f) {
            if (fscanf(f, "%ld", &pid) != 1)
                pid = 0;
            fclose(f);
        }
        if (pid > 1 && kill((pid_t)pid, SIGHUP) != 0)
            al_warn("mqtt: cannot signal the broker (pid %ld): %s", pid, strerror(errno));
    }
    return rc;
}
