package dev.idem.http;

import dev.idem.TransientException;
import dev.idem.context.RunContext;
import dev.idem.destination.Completion;
import dev.idem.destination.WindowWrite;
import dev.idem.http.SentLedger.Phase;
import dev.idem.jdbc.JdbcDestination;
import dev.idem.key.KeyEncoding;
import dev.idem.ledger.DeadLetter;
import dev.idem.ledger.Lease;
import dev.idem.ledger.WindowCounts;
import dev.idem.pipeline.Pipeline;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One window's requests. Rows are kept until {@link #prepare}, which renders one request per row
 * (the last row of a request key wins), records them as planned in the sent ledger (fenced), sends
 * what is not yet settled, and only when every request is acknowledged or refused writes the
 * window's acknowledged rows, its dead letters and its done ledger row to the store in one
 * transaction. A request of unknown outcome that may not be sent again fails the window ({@link
 * UnknownOutcomes}); one merely not settled yet (409, 429, 503, a timeout being recovered) leaves
 * the window to be retried.
 */
final class HttpWindowWrite implements WindowWrite {
  private final HttpDestination destination;
  private final JdbcDestination store;
  private final Pipeline pipeline;
  private final Lease lease;
  private final RunContext context;
  private final Map<String, Integer> columns = new LinkedHashMap<>();
  private final List<Object[]> rows = new ArrayList<>();
  private final List<String> positions = new ArrayList<>();
  private final List<DeadLetter> letters = new ArrayList<>();
  private WindowWrite rowsWrite;

  HttpWindowWrite(
      HttpDestination destination,
      JdbcDestination store,
      Pipeline pipeline,
      Lease lease,
      RunContext context) {
    this.destination = destination;
    this.store = store;
    this.pipeline = pipeline;
    this.lease = lease;
    this.context = context;
    List<String> names = pipeline.stagedColumns().names();
    for (int i = 0; i < names.size(); i++) {
      columns.put(names.get(i), i);
    }
  }

  @Override
  public void add(Object[] row) {
    add(row, null);
  }

  @Override
  public void add(Object[] row, String position) {
    rows.add(row.clone());
    positions.add(position);
  }

  @Override
  public void deadLetter(DeadLetter letter) {
    letters.add(letter);
  }

  @Override
  public WindowCounts prepare(Completion completion) {
    HttpConfig config = destination.config();
    Map<String, Dispatch.Item> requests = new LinkedHashMap<>();
    // the requests that cannot be sent at all, by key, with why: refused rows, never planned
    Map<String, String> unsendable = new HashMap<>();
    List<String> keyOfRow = new ArrayList<>();
    List<String> fields = destination.keyFields(pipeline);
    for (Object[] row : rows) {
      Function<String, Object> values = name -> row[columns.get(name)];
      Object[] keyParts = new Object[fields.size() + 2];
      keyParts[0] = pipeline.name();
      keyParts[1] = pipeline.target().table();
      for (int i = 0; i < fields.size(); i++) {
        keyParts[i + 2] = values.apply(fields.get(i));
      }
      String key = KeyEncoding.sha256Hex(keyParts);
      RequestSpec.Rendered r = config.request().render(values);
      RequestSpec.Rendered lookup = config.lookup() == null ? null : config.lookup().render(values);
      requests.remove(key); // the last row of a key wins, in input order
      requests.put(key, new Dispatch.Item(key, r, lookup, null));
      String why = destination.unsendable(r);
      if (why == null && lookup != null) {
        why = destination.unsendable(lookup);
      }
      if (why == null) {
        unsendable.remove(key);
      } else {
        unsendable.put(key, why);
      }
      keyOfRow.add(key);
    }
    List<SentLedger.Planned> planned = new ArrayList<>();
    requests.forEach(
        (k, it) -> {
          if (!unsendable.containsKey(k)) {
            planned.add(
                new SentLedger.Planned(
                    k,
                    it.request().payloadHash(),
                    it.request().method(),
                    it.request().url(),
                    it.request().body()));
          }
        });
    Map<String, SentLedger.Entry> entries =
        destination.sentLedger().plan(lease, planned, destination.services().clock().instant());
    List<Dispatch.Item> toSend = new ArrayList<>();
    Map<String, Dispatch.Settled> settled = new LinkedHashMap<>();
    unsendable.forEach((k, why) -> settled.put(k, new Dispatch.Settled(Phase.DEAD, null, why)));
    for (Dispatch.Item it : requests.values()) {
      SentLedger.Entry e = entries.get(it.key());
      if (e == null) {
        continue; // unsendable
      }
      if (e.settled()) {
        settled.put(it.key(), new Dispatch.Settled(e.phase(), e.status(), e.response()));
      } else {
        toSend.add(new Dispatch.Item(it.key(), it.request(), it.lookup(), e));
      }
    }
    settled.putAll(destination.dispatch(lease).run(toSend));
    List<String> unknown = new ArrayList<>();
    int pending = 0;
    for (Dispatch.Item it : requests.values()) {
      Dispatch.Settled s = settled.get(it.key());
      if (s.phase() == Phase.UNKNOWN) {
        unknown.add(it.request().method() + " " + destination.redact(it.request().url()));
      } else if (entries.containsKey(it.key())
          && ((s.phase() != Phase.ACKED && s.phase() != Phase.DEAD)
              || !entries.get(it.key()).payloadHash().equals(it.request().payloadHash()))) {
        pending++; // not settled yet, or an earlier payload in doubt was settled: planned again
      }
    }
    if (!unknown.isEmpty()) {
      throw new UnknownOutcomes(lease.windowId(), unknown);
    }
    if (pending > 0) {
      throw new TransientException(
          "window "
              + lease.windowId()
              + ": "
              + pending
              + " of "
              + requests.size()
              + " requests not acknowledged yet (409, 429, 503 or no response); sent again with"
              + " their recovery on the next attempt",
          null);
    }
    return writeRows(completion, requests, settled, keyOfRow);
  }

  /** The window's acknowledged rows, its dead letters and its ledger row, in one transaction. */
  private WindowCounts writeRows(
      Completion completion,
      Map<String, Dispatch.Item> requests,
      Map<String, Dispatch.Settled> settled,
      List<String> keyOfRow) {
    rowsWrite = store.begin(pipeline, lease, context);
    letters.forEach(rowsWrite::deadLetter);
    List<DeadLetter> refused = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      String key = keyOfRow.get(i);
      Dispatch.Settled s = settled.get(key);
      if (s.phase() == Phase.ACKED) {
        rowsWrite.add(rows.get(i), positions.get(i));
      } else {
        RequestSpec.Rendered r = requests.get(key).request();
        String raw = r.body() == null ? "" : r.body();
        DeadLetter letter =
            new DeadLetter(
                lease.windowId(),
                0,
                0,
                positions.get(i) == null ? "request " + key : positions.get(i),
                s.status() == null
                    ? "request cannot be sent: " + s.response()
                    : "HTTP "
                        + s.status()
                        + " from "
                        + r.method()
                        + " "
                        + destination.redact(r.url())
                        + ": "
                        + destination.redact(s.response() == null ? "" : s.response()),
                destination.redact(raw),
                raw.getBytes(StandardCharsets.UTF_8).length,
                false,
                null,
                null,
                null,
                null);
        rowsWrite.deadLetter(letter);
        refused.add(letter);
      }
    }
    if (!refused.isEmpty()) {
      completion.refused(refused);
    }
    return rowsWrite.prepare(
        new Completion(
            completion.fingerprint(),
            completion.definitionHash(),
            completion.read(),
            completion.discarded(),
            completion.deadLettered() + refused.size(),
            completion.foldedEarly(),
            completion.schema(),
            completion.sourcePosition(),
            completion.refusals()));
  }

  @Override
  public void commit() {
    rowsWrite.commit();
  }

  @Override
  public void close() {
    if (rowsWrite != null) {
      rowsWrite.close();
    }
  }
}
