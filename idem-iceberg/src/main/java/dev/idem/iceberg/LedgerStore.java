package dev.idem.iceberg;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.idem.IdemException;
import dev.idem.TransientException;
import dev.idem.destination.CommitUnknownException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.iceberg.BaseMetastoreTableOperations;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.Transactions;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.OutputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger of one Iceberg table (ADR 0008): a JSON file per change, outside the table's location
 * (so orphan-file removal, which lists the table's location, never sees it, and snapshot expiry
 * never touches it), pointed to by the table property {@link #POINTER}. Every change, a claim as
 * much as a window's data, is one Iceberg transaction that sets the pointer to a new file, checked
 * by {@link FencedOperations} against the pointer it was read from: two changes never both land on
 * the same ledger, and the loser reads the winner's ledger and decides again.
 */
final class LedgerStore {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerStore.class);

  /** The table property naming the current ledger file. */
  static final String POINTER = "idem.ledger";

  /** The branch every ledger change moves on a REST catalog (see {@link #fenceByRef}). */
  static final String FENCE_REF = "idem-ledger";

  private static final int MAX_ATTEMPTS = 50;

  static final ObjectMapper JSON =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private final String name;
  private final Table table;
  private final String directory;

  /** Whether commits to the table are sent as changes (see {@link #fenceByRef}). */
  private final boolean sendsChanges;

  LedgerStore(String name, Table table) {
    this(name, table, sendsChanges(((HasTableOperations) table).operations()));
  }

  LedgerStore(String name, Table table, boolean sendsChanges) {
    this.name = name;
    this.table = table;
    this.directory = directoryOf(table);
    this.sendsChanges = sendsChanges;
  }

  /**
   * Whether {@code ops} commits by sending changes with requirements (a REST catalog) rather than
   * by swapping the whole metadata file, which any move of the table makes fail (the JDBC catalog).
   */
  static boolean sendsChanges(TableOperations ops) {
    return !(ops instanceof BaseMetastoreTableOperations);
  }

  /**
   * Beside the table's location, never in it: {@code <parent>/_idem_ledger/<table>/} for a table at
   * {@code <parent>/<table>}.
   */
  static String directoryOf(Table table) {
    String location = table.location();
    while (location.endsWith("/")) {
      location = location.substring(0, location.length() - 1);
    }
    int slash = location.lastIndexOf('/');
    return location.substring(0, slash + 1) + "_idem_ledger/" + location.substring(slash + 1) + "/";
  }

  Table table() {
    return table;
  }

  String directory() {
    return directory;
  }

  /**
   * The ledger as the table's current metadata names it (refreshed first). A ledger file is deleted
   * once another replaced it, so a read that finds its file gone reads the newer one.
   */
  LedgerState read() {
    return current().state();
  }

  /** The ledger, the location of its file and the table's current snapshot, of one metadata. */
  record Current(LedgerState state, String pointer, Snapshot snapshot) {}

  /**
   * The ledger, its file and the table's snapshot as the table's current metadata names them
   * (refreshed first), all of the same metadata: the table object is shared, and another thread's
   * refresh may move it between two reads of it.
   */
  synchronized Current current() {
    for (int attempt = 1; ; attempt++) {
      table.refresh();
      TableMetadata metadata = ((HasTableOperations) table).operations().current();
      String pointer = metadata.property(POINTER, null);
      try {
        return new Current(read(pointer), pointer, metadata.currentSnapshot());
      } catch (NotFoundException e) {
        if (attempt >= MAX_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private LedgerState read(String pointer) {
    if (pointer == null) {
      return new LedgerState();
    }
    try (InputStream in = io().newInputFile(pointer).newStream()) {
      LedgerState state = JSON.readValue(in, LedgerState.class);
      if (state.format > LedgerState.FORMAT) {
        throw new IdemException(
            "the idem ledger of iceberg table "
                + name
                + " has format "
                + state.format
                + ": this idem reads formats 1 to "
                + LedgerState.FORMAT
                + "; upgrade idem");
      }
      return state;
    } catch (IOException e) {
      throw new UncheckedIOException("reading the idem ledger " + pointer, e);
    }
  }

  /** What a change decided: its value, and whether there is anything to commit. */
  record Outcome<T>(T value, boolean commit) {
    static <T> Outcome<T> commit(T value) {
      return new Outcome<>(value, true);
    }

    static <T> Outcome<T> none(T value) {
      return new Outcome<>(value, false);
    }
  }

  /** A change of the ledger, and of the table's data in the same transaction. */
  @FunctionalInterface
  interface Change<T> {
    /**
     * Changes {@code state} in place and adds data operations to {@code tx}, both as of the table's
     * current snapshot; called again when another change landed first.
     */
    Outcome<T> apply(LedgerState state, Transaction tx);
  }

  /** Commits {@code change} on the latest ledger, deciding again each time another change won. */
  synchronized <T> T change(String what, Change<T> change) {
    for (int attempt = 1; ; attempt++) {
      table.refresh();
      TableOperations ops = ((HasTableOperations) table).operations();
      String pointer = ops.current().property(POINTER, null);
      LedgerState state;
      try {
        state = read(pointer);
      } catch (NotFoundException e) {
        continue; // replaced (and deleted) since the refresh: read the newer one
      }
      Transaction tx = Transactions.newTransaction(name, new FencedOperations(ops, pointer));
      Outcome<T> outcome = change.apply(state, tx);
      if (!outcome.commit()) {
        return outcome.value();
      }
      if (sendsChanges) {
        fenceByRef(tx);
      }
      String next = write(state);
      tx.updateProperties().set(POINTER, next).commit();
      try {
        tx.commitTransaction();
      } catch (FencedOperations.LedgerMovedException
          | CommitFailedException
          | ValidationException e) {
        deleteUnnamed(next);
        if (attempt >= MAX_ATTEMPTS) {
          throw new TransientException(
              what + " on iceberg table " + name + ": gave up after " + attempt + " conflicts", e);
        }
        Thread.onSpinWait();
        continue;
      } catch (CommitStateUnknownException e) {
        throw new CommitUnknownException(
            what + " on iceberg table " + name + ": " + e.getMessage(), e);
      }
      if (pointer != null) {
        // the replaced ledger: no commit can be built on it any more (the fence compares
        // pointers), and the table's metadata history is Iceberg's, not idem's
        deleteUnnamed(pointer);
      }
      return outcome.value();
    }
  }

  /**
   * Deletes a ledger file no commit names (replaced, or written for a commit that did not land), as
   * far as it can: the change landed or not whatever the delete does, so a failed delete (an object
   * store's transient error) is logged and leaves an orphan file, never a failed change (a window's
   * commit that failed here would discard the data files it just committed).
   */
  private void deleteUnnamed(String location) {
    try {
      io().deleteFile(location);
    } catch (RuntimeException e) {
      LOG.warn("could not delete the idem ledger file {}: {}", location, e.toString());
    }
  }

  /**
   * A catalog that swaps whole metadata files (JDBC: a compare-and-swap of the metadata location)
   * refuses any commit built on metadata that moved. A catalog that is sent the changes instead
   * (REST) checks only the requirements the changes carry, and a property set carries none: it
   * would be applied on whatever is current, and two claims of one window could both land. So on
   * such a catalog every change of the ledger also adds an empty snapshot to the branch {@value
   * #FENCE_REF}, which requires that branch to be where this change read it: exactly one of two
   * changes built on the same ledger lands, and the other is re-applied on the new metadata, where
   * {@link FencedOperations} sees the moved pointer.
   */
  private static void fenceByRef(Transaction tx) {
    tx.newFastAppend().toBranch(FENCE_REF).commit();
  }

  /** Writes a new ledger file and returns its location. */
  private String write(LedgerState state) {
    state.format = LedgerState.FORMAT;
    return writeJson("ledger-" + UUID.randomUUID() + ".json", state);
  }

  /** Writes {@code value} as JSON to a new file of the ledger directory; returns its location. */
  String writeJson(String fileName, Object value) {
    OutputFile out = io().newOutputFile(directory + fileName);
    try (OutputStream s = out.createOrOverwrite()) {
      JSON.writeValue(s, value);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + out.location(), e);
    }
    return out.location();
  }

  <T> T readJson(String location, Class<T> type) {
    try (InputStream in = io().newInputFile(location).newStream()) {
      return JSON.readValue(in, type);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + location, e);
    }
  }

  /** The table's name, for messages. */
  String name() {
    return name;
  }

  FileIO io() {
    return table.io();
  }
}
