package dev.idem.schema;

import dev.idem.ConfigException;
import dev.idem.DataException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a source shows of its schema while one window is read, against the declared schema. The
 * reader fills it as it goes (one thread); the runner reads it between records and applies the
 * pipeline's {@link DriftPolicy}.
 *
 * <p>A reader reports each unit it opens ({@link #unit}: a file's header, a JSON object, a query's
 * result), which declared columns a unit has ({@link #present}) or lacks ({@link #missing}), the
 * input columns that are not declared ({@link #add}) with their type once a value shows it ({@link
 * #type}), the non-null values of added columns it did not keep ({@link #dropped}), and the first
 * value of a column that is not of its type ({@link #retyped}). A column is removed when a unit
 * lacks it; for a source that reads an absent column as null per record ({@link #absentIsNull},
 * JSON lines) when no record of the window has it.
 *
 * <p>When the policy is {@link DriftPolicy#EVOLVE} ({@link #keepsAdded}), an added column, once
 * typed, is resolved through the {@link Resolver} to the column it is loaded as, and readers
 * convert its values to that column's type.
 */
public final class ObservedSchema {
  /** Decides the column an added input column is loaded as. */
  @FunctionalInterface
  public interface Resolver {
    /**
     * The column added column number {@code index} is loaded as: {@code proposed}, or another type
     * the target already has.
     */
    Column resolve(int index, Column proposed);
  }

  private final Schema declared;
  private final DriftPolicy policy;
  private final Resolver resolver;
  private final BitSet present = new BitSet();
  private final BitSet missing = new BitSet();
  private final Map<String, Integer> addedIndex = new HashMap<>();
  private final List<String> addedNames = new ArrayList<>();

  /** The type the input showed for each added column (null until a non-null value). */
  private final List<DataType> addedTypes = new ArrayList<>();

  /** The column each added column is loaded as (evolve), or null. */
  private final List<Column> addedColumns = new ArrayList<>();

  /** The added columns' indexes in the order they were typed. */
  private final List<Integer> typedOrder = new ArrayList<>();

  private final Map<String, String> retyped = new LinkedHashMap<>();
  private long droppedValues;
  private long units;
  private boolean absentIsNull;
  private String firstAt;
  private int changes;

  public ObservedSchema(Schema declared, DriftPolicy policy, Resolver resolver) {
    this.declared = Objects.requireNonNull(declared, "declared");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
  }

  /** An observation that loads added columns as the input types them. */
  public static ObservedSchema of(Schema declared, DriftPolicy policy) {
    return new ObservedSchema(declared, policy, (index, proposed) -> proposed);
  }

  /**
   * True when the values of added columns are kept (evolve): readers then return them after the
   * declared ones.
   */
  public boolean keepsAdded() {
    return policy == DriftPolicy.EVOLVE;
  }

  Schema declared() {
    return declared;
  }

  /**
   * The source reads a column absent from a record as null: it is removed only when no record of
   * the window has it.
   */
  public void absentIsNull() {
    absentIsNull = true;
  }

  public boolean absentMeansNull() {
    return absentIsNull;
  }

  /**
   * A unit of input was opened: a file's header, a record of a per-record schema, a query's result.
   */
  public void unit() {
    units++;
  }

  public void present(int declaredIndex) {
    present.set(declaredIndex);
  }

  /** A unit of input lacks declared column {@code declaredIndex}; {@code position} names where. */
  public void missing(int declaredIndex, String position) {
    if (!missing.get(declaredIndex)) {
      missing.set(declaredIndex);
      changed(position);
    }
  }

  /** True when a unit of input lacked declared column {@code declaredIndex}. */
  public boolean lacks(int declaredIndex) {
    return missing.get(declaredIndex);
  }

  /**
   * An input column that is not declared; returns its index among the added columns (the same for
   * the same name).
   */
  public int add(String name, String position) {
    Integer known = addedIndex.get(name);
    if (known != null) {
      return known;
    }
    int index = addedNames.size();
    addedIndex.put(name, index);
    addedNames.add(name);
    addedTypes.add(null);
    addedColumns.add(null);
    changed(position);
    return index;
  }

  /**
   * The type the input shows for added column {@code index} (the first non-null value decides;
   * later calls return what the first decided). Returns the column its values are loaded as when
   * they are kept, else null. A column that cannot be kept (its name, or the resolver refuses it)
   * throws and stays untyped, so the next value that shows it throws too: no value of it is loaded
   * unseen.
   */
  public Column type(int index, DataType observed) {
    if (addedTypes.get(index) == null) {
      Column column = null;
      if (keepsAdded()) {
        Column proposed;
        try {
          proposed = new Column(addedNames.get(index), observed, true);
        } catch (ConfigException e) {
          throw new DataException(
              "input column "
                  + SchemaDiff.names(List.of(addedNames.get(index)))
                  + " cannot be added to the target: "
                  + e.getMessage());
        }
        column = resolver.resolve(index, proposed);
      }
      addedTypes.set(index, observed);
      addedColumns.set(index, column);
      typedOrder.add(index);
      changes++;
    }
    return addedColumns.get(index);
  }

  /** The column added column {@code index} is loaded as, or null (not typed yet, or not kept). */
  public Column column(int index) {
    return addedColumns.get(index);
  }

  /** How many input columns are not declared. */
  public int added() {
    return addedNames.size();
  }

  /** Non-null values of added columns that were not kept. */
  public void dropped(long values) {
    droppedValues += values;
  }

  public long droppedValues() {
    return droppedValues;
  }

  /**
   * A value of {@code column} is not of its type but of {@code observed}: the first per column is
   * kept.
   */
  public void retyped(String column, DataType observed, String position) {
    retyped(column, observed.toString(), position);
  }

  /**
   * As {@link #retyped(String, DataType, String)}, for a type idem has no name for ({@code double
   * precision}).
   */
  public void retyped(String column, String observed, String position) {
    if (!retyped.containsKey(column)) {
      retyped.put(column, observed);
      changed(position);
    }
  }

  /**
   * What this observation holds, for another observation to {@link #take}: an engine's task
   * observes the one file it reads, and the driver's observation of the window takes what each task
   * saw, in the order the window reads the files. The added columns' types are the input's ({@link
   * #type} resolves nothing here for a policy that drops them).
   */
  public Seen seen() {
    return new Seen(
        new ArrayList<>(addedNames),
        new ArrayList<>(addedTypes),
        new ArrayList<>(addedColumns),
        new ArrayList<>(typedOrder),
        (BitSet) present.clone(),
        (BitSet) missing.clone(),
        new LinkedHashMap<>(retyped),
        droppedValues,
        units > 0,
        absentIsNull,
        firstAt);
  }

  /**
   * What an observation saw ({@link #seen}): its added columns in order with the input's type of
   * each (null: no value yet) and the column its values were loaded as (null: not typed, or not
   * kept), the added columns' indexes in the order they were typed, the declared columns (by index)
   * a unit had and lacked, the first type each retyped column showed, the dropped values, whether a
   * unit was opened, whether an absent column reads as null, and where the first drift was.
   */
  public record Seen(
      List<String> added,
      List<DataType> addedTypes,
      List<Column> addedColumns,
      List<Integer> typedOrder,
      BitSet present,
      BitSet missing,
      Map<String, String> retyped,
      long droppedValues,
      boolean unit,
      boolean absentIsNull,
      String firstAt)
      implements Serializable {
    private static final long serialVersionUID = 2L;
  }

  /**
   * Adds here the added columns another observation saw ({@link #seen}), in the order it added
   * them, and types them in the order it typed them, each change at {@code seen.firstAt()}: as a
   * reader of the same input here would, so under evolve each column this observation had not typed
   * yet is resolved here, by its own resolver, in the order such a reader would resolve it. A
   * column is added only once those before it are, and just before it is typed when it is: a column
   * the resolver refuses ends this, as it ends a reader's record, before the columns added after
   * it. Returns whether each added column the other observation loaded values as is loaded as the
   * same column here, so that the values it read are the values a reader here would have read. When
   * not, or when a column cannot be kept here (it stays untyped: {@link #type}), the input must be
   * read again here: a reader finds the columns resolved so far added and typed, and meets a column
   * that cannot be kept where it shows, failing or dead-lettering its record there.
   */
  public boolean resolveAdded(Seen seen) {
    int[] at = new int[seen.added().size()];
    int added = 0; // the other's columns added here so far, in its order
    for (int k : seen.typedOrder()) {
      for (; added <= k; added++) {
        at[added] = add(seen.added().get(added), seen.firstAt());
      }
      try {
        type(at[k], seen.addedTypes().get(k));
      } catch (DataException e) {
        return false;
      }
    }
    for (; added < at.length; added++) {
      add(seen.added().get(added), seen.firstAt());
    }
    return loadsAddedAs(seen);
  }

  /**
   * Whether every added column of another observation is known here, and each it loaded values as
   * ({@link Seen#addedColumns}) is loaded as the same column here.
   */
  public boolean loadsAddedAs(Seen seen) {
    for (int k = 0; k < seen.added().size(); k++) {
      Column there = seen.addedColumns().get(k);
      Integer here = addedIndex.get(seen.added().get(k));
      if (here == null || (there != null && !there.equals(addedColumns.get(here)))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Where each added column of another observation ({@link #seen}) is among this one's: the index
   * here of its added column {@code k} at {@code k}; every one of them must be known here ({@link
   * #resolveAdded}).
   */
  public int[] addedIndexes(Seen seen) {
    int[] at = new int[seen.added().size()];
    for (int k = 0; k < at.length; k++) {
      Integer here = addedIndex.get(seen.added().get(k));
      if (here == null) {
        throw new IllegalStateException("added column " + seen.added().get(k) + " is not known");
      }
      at[k] = here;
    }
    return at;
  }

  /**
   * Reports what another observation saw ({@link #seen}) into this one, as if its reader had read
   * here, every change at {@code seen.firstAt()} (where the other's first drift was, so this one's
   * first drift is where it would be). Under a policy that keeps added columns, only once they were
   * resolved here ({@link #resolveAdded}) as the other observation loaded them: their columns are
   * this observation's answer.
   */
  public void take(Seen seen) {
    if (keepsAdded() && !seen.added().isEmpty() && !loadsAddedAs(seen)) {
      throw new IllegalStateException(
          "schema_drift evolve resolves added columns as they are read");
    }
    if (seen.absentIsNull()) {
      absentIsNull();
    }
    if (seen.unit()) {
      unit();
    }
    seen.present().stream().forEach(this::present);
    seen.missing().stream().forEach(i -> missing(i, seen.firstAt()));
    for (int k = 0; k < seen.added().size(); k++) {
      int index = add(seen.added().get(k), seen.firstAt());
      if (seen.addedTypes().get(k) != null) {
        type(index, seen.addedTypes().get(k));
      }
    }
    seen.retyped().forEach((column, type) -> retyped(column, type, seen.firstAt()));
    dropped(seen.droppedValues());
  }

  /** Grows whenever the drift may have changed: a runner re-judges the policy only then. */
  public int changes() {
    return changes;
  }

  /** Where the first drift was seen ({@code data/orders.csv:1}), or null. */
  public String firstAt() {
    return firstAt;
  }

  private void changed(String position) {
    changes++;
    if (firstAt == null) {
      firstAt = position;
    }
  }

  /** The drift of the whole window, once it is read. */
  public SchemaDiff diff() {
    return diff(true);
  }

  /**
   * The drift while the window is read: a column absent from every record (JSON lines) is not
   * removed yet.
   */
  public SchemaDiff diffSoFar() {
    return diff(false);
  }

  private SchemaDiff diff(boolean complete) {
    List<String> removed = new ArrayList<>();
    for (int i = 0; i < declared.size(); i++) {
      if (removed(i, complete)) {
        removed.add(declared.column(i).name());
      }
    }
    List<SchemaDiff.Retyped> r = new ArrayList<>();
    for (Map.Entry<String, String> e : retyped.entrySet()) {
      r.add(new SchemaDiff.Retyped(e.getKey(), typeOf(e.getKey()), e.getValue()));
    }
    return new SchemaDiff(addedNames, removed, r);
  }

  private boolean removed(int i, boolean complete) {
    return missing.get(i) || (absentIsNull && complete && units > 0 && !present.get(i));
  }

  private DataType typeOf(String column) {
    int i = declared.indexOf(column);
    if (i >= 0) {
      return declared.column(i).type();
    }
    Integer a = addedIndex.get(column);
    Column c = a == null ? null : addedColumns.get(a);
    return c != null
        ? c.type()
        : a == null || addedTypes.get(a) == null ? DataType.STRING : addedTypes.get(a);
  }

  /**
   * SHA-256 (hex) of the window's observed schema, independent of column order: every declared
   * column with its type (or the type of its first value that was not, or {@code removed}), every
   * added column with the type the input showed (or {@code null}). Equal fingerprints mean the
   * input showed the same columns with the same types; call it once the window is read.
   */
  public String fingerprint() {
    List<String> entries = new ArrayList<>();
    for (int i = 0; i < declared.size(); i++) {
      String name = declared.column(i).name();
      String r = retyped.get(name);
      entries.add(
          name
              + "\0"
              + (removed(i, true)
                  ? "removed"
                  : r != null ? "retyped " + r : declared.column(i).type().toString()));
    }
    for (int i = 0; i < addedNames.size(); i++) {
      DataType t = addedTypes.get(i);
      String r = retyped.get(addedNames.get(i));
      entries.add(
          addedNames.get(i)
              + "\0added "
              + (t == null ? "null" : t.toString())
              + (r == null ? "" : " retyped " + r));
    }
    entries.sort(null);
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String e : entries) {
        byte[] b = e.getBytes(StandardCharsets.UTF_8);
        md.update(
            new byte[] {
              (byte) (b.length >>> 24),
              (byte) (b.length >>> 16),
              (byte) (b.length >>> 8),
              (byte) b.length
            });
        md.update(b);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
