/*
 * Home devices (issue 14): the registry, their MQTT credentials and the
 * broker's password and ACL files, the device protocol (docs/devices.md) and
 * the ingest thread that stores every message once and acknowledges it only
 * after the commit (RULE-DEV-*).
 */
#ifndef DEVICE_H
#define DEVICE_H

#include <stdint.h>

#include "core/router.h"

extern const struct al_module device_module;

struct al_db;
struct al_arena;
struct al_errinfo;

/*
 * Start the ingest thread when ANLAO_MQTT_PORT is set (RULE-DEV-020): its own
 * database connection to `db_path`, a persistent QoS 1 subscription as client
 * id ANLAO_MQTT_CLIENT_ID (clean session off), reconnecting by itself.  `db_path` must stay
 * valid until device_ingest_stop() (main passes al_config's).  AL_OK
 * (also when not configured), AL_EUNAVAIL when the thread cannot start.
 */
int device_ingest_start(const char *db_path);
/* Stop it (joins the thread).  Safe when it never started. */
void device_ingest_stop(void);

/*
 * Rewrite the broker's password and ACL files from the registry
 * (ANLAO_MQTT_PASSWD_FILE / ANLAO_MQTT_ACL_FILE) and signal the broker to
 * reload them (SIGHUP to the pid in ANLAO_MQTT_PID_FILE).  AL_OK (also when
 * not configured) or AL_EINTERNAL / AL_EDB (logged).  RULE-DEV-003.
 */
int device_broker_sync(struct al_db *db);

/*
 * RULE-DEV-043: a registration changed the registry.  The files are written at once while writes
 * are few (DEVICE_BROKER_BURST, then one a DEVICE_BROKER_GAP_MS); beyond that, when `may_defer`
 * (the ingest thread runs), the write is put off and the ingest thread makes it when one is
 * allowed again (device_broker_sync_due, from its loop).  Result as above.
 */
#define DEVICE_BROKER_GAP_MS 1000
#define DEVICE_BROKER_BURST 5
int device_broker_changed(struct al_db *db, bool may_defer);
int device_broker_sync_due(struct al_db *db);
/* RULE-DEV-043: the files' writes since start, and whether one is put off now. */
void device_broker_stats(int64_t *writes, bool *pending);
/* Whether the ingest thread runs (it makes the writes put off). */
bool device_ingest_running(void);

/* `anlao devsim …`: the device simulator (RULE-DEV-030).  Exit status. */
int device_devsim_main(int argc, char **argv);

/*
 * The demo county's devices (on the first demo elders; every MQTT password is
 * `password`, for `anlao devsim`) and a few alarms through the same store path
 * as the ingest: one open SOS, one acknowledged fall with a call, one closed
 * smoke alarm, a low-battery ticket.  AL_OK (nothing when there is no elder),
 * or the failure with a Chinese message in `e`.
 */
int device_seed_demo(struct al_db *db, const char *password, struct al_errinfo *e);

#endif
