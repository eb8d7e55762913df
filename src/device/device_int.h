/* Private to the device module: its pure rules, its SQL and the protocol. */
#ifndef DEVICE_INT_H
#define DEVICE_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/csv.h"
#include "core/db.h"

/* ---- device_logic.c: pure ------------------------------------------------ */

/* RULE-DEV-002: device types.  Parsed once at the edge. */
enum device_type {
    DEVICE_SOS = 1, DEVICE_FALL, DEVICE_DOOR, DEVICE_MOTION, DEVICE_SMOKE, DEVICE_GAS,
    DEVICE_WATER, DEVICE_BRACELET,
};
/* The type of its id ("sos"), 0 when unknown. */
int device_type_parse(const char *s);
const char *device_type_id(int type);
const char *device_type_name(int type); /* Chinese, "" when unknown */

/* RULE-DEV-001: a serial (the MQTT user name): 4–40 of [A-Za-z0-9_-]. */
bool device_serial_ok(const char *s, size_t len);

/* Topics (RULE-DEV-011): anlao/dev/<serial>/up (device → anlao), anlao/dev/<serial>/ack. */
#define DEVICE_TOPIC_PREFIX "anlao/dev/"
#define DEVICE_TOPIC_SUB "anlao/dev/+/up"
/*
 * The serial of an uplink topic into `serial` (41 bytes), true when `topic`
 * is exactly anlao/dev/<valid serial>/up.
 */
bool device_topic_serial(const char *topic, char serial[41]);

/* RULE-DEV-012: a message's kind (SCAIP's four). */
enum devmsg_kind { DEVMSG_ALARM = 1, DEVMSG_INFORMATION, DEVMSG_RESET, DEVMSG_HEARTBEAT };
const char *devmsg_kind_id(int kind);

#define DEVMSG_MAX_BYTES 4096 /* RULE-DEV-013: larger payloads are refused unread */
#define DEVMSG_DATA_MAX 2048  /* the data object, compact */

/* One decoded message (RULE-DEV-012). */
struct devmsg {
    int64_t seq;          /* 1 .. 2^53 */
    int64_t ts;           /* device clock, unix seconds (0 allowed: no clock) */
    int kind;             /* enum devmsg_kind */
    char type[24];        /* [a-z_]{1,23} */
    int battery;          /* data.battery 0..100, or -1 */
    char data[DEVMSG_DATA_MAX + 1]; /* the data object, compact JSON ("{}" when absent) */
};

/* Why a message was refused (RULE-DEV-014: counted per reason). */
enum devmsg_err {
    DEVMSG_OK = 0, DEVMSG_OVERSIZED, DEVMSG_MALFORMED, DEVMSG_FOREIGN, DEVMSG_UNKNOWN_DEVICE,
    DEVMSG_NREASONS,
};
const char *devmsg_err_id(int err);

/*
 * Decode `len` bytes (untrusted; no NUL needed) into `m`.  DEVMSG_OK, or
 * DEVMSG_OVERSIZED / DEVMSG_MALFORMED with a short reason in `why` (English,
 * for the log).  When the seq could be read, *seq_seen is set to it (else 0),
 * so the caller may answer an invalid message.  Pure; no allocation survives.
 */
int devmsg_decode(const char *buf, size_t len, struct devmsg *m, int64_t *seq_seen, char *why,
    size_t why_size);

/* RULE-DEV-015: the acknowledgement {seq, status, heartbeat_s}, compact, into buf.  Its length. */
size_t devmsg_ack(char *buf, size_t size, int64_t seq, const char *status, int heartbeat_s);

/* ---- device_broker.c ------------------------------------------------------ */

/*
 * RULE-DEV-003: the mosquitto_passwd hash of `password` ("$7$101$salt$hash",
 * PBKDF2-SHA512 as mosquitto 2.0 writes it) into `out` (160 bytes), with a
 * fresh random salt.  AL_OK or AL_EINTERNAL.
 */
int device_mqtt_hash(const char *password, char out[160]);
/* The same with a given 12-byte salt (tests). */
void device_mqtt_hash_salt(const char *password, const unsigned char salt[12], char out[160]);

/* ---- device_store.c --------------------------------------------------------- */

struct device_new {
    const char *region_code;
    int64_t elder_id;
    int type;
    const char *model, *serial, *installed_on, *warranty_end;
    int64_t heartbeat_s;
    const char *mqtt_hash;
};
/* Insert; AL_OK with *id, AL_ECONFLICT when the serial is taken, or AL_EDB. */
int device_store_create(struct al_db *db, const struct device_new *d, int64_t now, int64_t *id);

struct device_filter {
    const char *scope, *type, *q;
    int64_t elder_id;
    int64_t open_ticket; /* 1: only devices with an open fault or maintenance ticket */
    int64_t limit, offset;
};
int device_store_list(struct al_db *db, struct al_arena *a, const struct device_filter *f,
    json_t *items, int64_t *total);
/* One device as JSON, with its region in *region (both in `a`).  AL_ENOTFOUND. */
int device_store_get(struct al_db *db, struct al_arena *a, int64_t id, json_t **out,
    const char **region);

/* What the ingest needs of a device, by serial. */
struct device_ref {
    int64_t id, elder_id;
    int type;
    int heartbeat_s;
    char region_code[16];
};
/* AL_OK, AL_ENOTFOUND (unknown or retired), AL_EDB. */
int device_store_by_serial(struct al_db *db, const char *serial, struct device_ref *d);

/*
 * RULE-DEV-010: store one message of device `d` received at `now`, in the
 * caller's transaction: the event (a repeated seq is ignored: *inserted false),
 * the device's last_seen/battery, and what the alarm rules raise for a new
 * event (RULE-ALARM-001..011): *alarm_id > 0 when an alarm was opened.
 */
int device_store_message(struct al_db *db, const struct device_ref *d, const struct devmsg *m,
    int64_t now, bool *inserted, int64_t *alarm_id);

/*
 * RULE-ALARM-010: open a device-fault ticket for device `id` if none is open
 * and it has still not spoken for 2 × its interval at `now`.  *opened.
 */
int device_store_fault(struct al_db *db, int64_t id, int64_t now, bool *opened);

/*
 * RULE-ALARM-050: the device's tickets (newest first, at most 50; a closed one
 * says why) appended to `items`.
 */
int device_store_tickets(struct al_db *db, struct al_arena *a, int64_t id, json_t *items);

/* Every active device's (id, last_seen or created_at, heartbeat_s), for the timers at start. */
typedef void (*device_seen_fn)(void *ctx, int64_t id, int64_t last_seen, int heartbeat_s);
int device_store_each_active(struct al_db *db, device_seen_fn fn, void *ctx);

/* The password-file lines ("serial:hash\n") of every active device, added to `out`. */
int device_store_passwd_lines(struct al_db *db, struct al_arena *a, struct al_buf *out);

/* ---- device_ingest.c -------------------------------------------------------- */

/* Counters since start (RULE-DEV-014), for GET /api/v1/devices/ingest. */
struct device_ingest_stats {
    int64_t received, stored, duplicates, acked, refused[DEVMSG_NREASONS];
    int64_t alarms, faults, db_errors;
    int64_t batches;                      /* RULE-DEV-040: commits of the ingest */
    int64_t commit_samples, commit_p50_us, commit_p99_us; /* RULE-DEV-041: of the last 8,192 */
    int batch_max, batch_ms;              /* the settings in force */
    bool connected;
};
void device_ingest_stats(struct device_ingest_stats *s);
/* A device registered or changed: (re)arm its heartbeat timer in the ingest thread. */
void device_ingest_watch(int64_t id, int64_t last_seen, int heartbeat_s);

#endif
