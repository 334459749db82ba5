package dev.idem.http;

import dev.idem.DataException;
import java.util.List;

/**
 * A window whose requests include some of unknown outcome that may not be sent again (no
 * idempotency key and {@code recovery: hold}, or past the key's lifetime). Never retried: the
 * window stays failed, naming them, until a person decides; {@code idem status} shows the message,
 * {@code idem doctor} lists every such request, and the run's exit code is a failure.
 */
final class UnknownOutcomes extends DataException {
  private static final long serialVersionUID = 1L;
  private static final int SHOWN = 5;

  UnknownOutcomes(String windowId, List<String> requests) {
    super(
        "window "
            + windowId
            + ": "
            + requests.size()
            + (requests.size() == 1 ? " request" : " requests")
            + " of unknown outcome, held and never sent again ("
            + String.join("; ", requests.subList(0, Math.min(SHOWN, requests.size())))
            + (requests.size() > SHOWN ? "; and " + (requests.size() - SHOWN) + " more" : "")
            + "); `idem doctor` lists them all");
  }
}
