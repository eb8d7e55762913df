-- Idempotency keys (src/core/idem.h, RULE-SVC-050..052): a write sent again with the same key
-- (an offline record synced late, a retry after a lost answer) is answered from here once it
-- has been done, instead of being done twice.  Used by the visit check-in/out (issue 13);
-- meals and visits will reuse it.  Same text on both engines.
CREATE TABLE idem_keys (
    scope        TEXT NOT NULL,      -- what kind of write ("service.checkin")
    user_id      INTEGER NOT NULL,   -- whose key: two users never share one
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,      -- SHA-256 of the request body
    status       INTEGER NOT NULL,   -- the first answer's HTTP status
    response     TEXT NOT NULL,      -- and its JSON body
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (scope, user_id, idem_key)
);
