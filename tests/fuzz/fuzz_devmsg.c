/* Device messages from the broker (RULE-DEV-012..014): untrusted bytes, topics included. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device/device_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct devmsg m;
    int64_t seq;
    char why[128];
    int rc = devmsg_decode((const char *)data, size, &m, &seq, why, sizeof(why));
    if (rc == DEVMSG_OK) {
        /* What is stored re-decodes to the same message. */
        if (m.seq < 1 || m.kind < DEVMSG_ALARM || m.kind > DEVMSG_HEARTBEAT || !m.type[0] ||
            m.data[0] != '{' || m.battery > 100)
            abort();
        char ack[128];
        devmsg_ack(ack, sizeof(ack), m.seq, "ok", 300);
    } else if (rc != DEVMSG_OVERSIZED && rc != DEVMSG_MALFORMED) {
        abort();
    }
    /* The same bytes as a topic. */
    char *t = malloc(size + 1);
    if (!t)
        return 0;
    memcpy(t, data, size);
    t[size] = '\0';
    char serial[41];
    if (device_topic_serial(t, serial) && !device_serial_ok(serial, strlen(serial)))
        abort();
    free(t);
    return 0;
}
