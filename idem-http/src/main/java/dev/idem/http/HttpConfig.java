package dev.idem.http;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A checked {@code type: http} section, immutable.
 *
 * @param request the request sent once per row
 * @param keyHeader the idempotency key's header ({@code Idempotency-Key}); null with {@code
 *     idempotency: none}
 * @param keyFields the fields the request's key is derived from; empty: the target's key columns,
 *     else every column
 * @param keyTtl how long the API remembers a key; past it an unacknowledged request is held, never
 *     re-sent under a key the API may have forgotten
 * @param recovery what is done with a request sent and never acknowledged
 * @param lookup with {@link Recovery#LOOKUP}: the request asking whether the effect happened (2xx:
 *     it did, 404: it did not)
 * @param concurrency requests in flight at once
 * @param ratePerSecond requests started per second at most; 0 for no limit
 * @param timeout how long one request may take before its outcome is unknown
 */
record HttpConfig(
    RequestSpec request,
    String keyHeader,
    List<String> keyFields,
    Duration keyTtl,
    Recovery recovery,
    RequestSpec lookup,
    int concurrency,
    double ratePerSecond,
    Duration timeout) {
  /** What is done with a request whose outcome is unknown (sent, no response). */
  enum Recovery {
    /** The API deduplicates by key: send it again with the same key, within the key's lifetime. */
    RESEND,
    /** Ask the API whether the effect happened, then acknowledge it or send it. */
    LOOKUP,
    /** Never send it again: hold it as unknown and report it; a person decides. */
    HOLD
  }

  /** Response bodies kept in the ledger and in dead letters, in characters. */
  static final int RESPONSE_CAP = 4096;

  HttpConfig {
    Objects.requireNonNull(request, "request");
    keyFields = List.copyOf(keyFields);
    Objects.requireNonNull(recovery, "recovery");
    if (recovery == Recovery.LOOKUP) {
      Objects.requireNonNull(lookup, "lookup");
    }
  }

  boolean keyed() {
    return keyHeader != null;
  }
}
