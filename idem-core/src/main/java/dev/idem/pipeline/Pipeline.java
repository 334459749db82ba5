package dev.idem.pipeline;

import dev.idem.ConfigException;
import dev.idem.IdemException;
import dev.idem.key.KeySpec;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.Schema;
import dev.idem.source.ObservesSchema;
import dev.idem.source.Source;
import dev.idem.window.WindowKind;
import dev.idem.window.WindowSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A validated, immutable pipeline: where records come from, how they are cut into windows, how they
 * are transformed, and how they are written. Built by {@link #builder(String)} or from a YAML file;
 * both go through the same checks, done once here.
 */
public final class Pipeline {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  private final String name;
  private final String version;
  private final Source source;
  private final WindowSpec windows;
  private final String transformSql;
  private final Map<String, RowFunction> rowFunctions;
  private final Target target;
  private final BadRecordPolicy badRecords;
  private final DriftPolicy schemaDrift;
  private final String definitionHash;

  private Pipeline(Builder b) {
    this.name = b.name;
    this.version = b.version;
    this.source = SourceDeletes.keyed(b.source, b.key);
    this.windows = b.windows;
    this.transformSql =
        b.transformSql == null || b.transformSql.isBlank() ? null : b.transformSql.strip();
    this.rowFunctions = Map.copyOf(b.rowFunctions);
    this.target =
        new Target(
            b.table,
            targetColumns(b),
            b.key,
            b.strategy,
            b.orderBy,
            SourceDeletes.rule(b.source, b.deletes, b.key, b.strategy, b.orderBy));
    this.badRecords = b.badRecords;
    this.schemaDrift = b.schemaDrift;
    validate();
    this.definitionHash = sha256(describe());
  }

  private static Schema targetColumns(Builder b) {
    Objects.requireNonNull(b.source, "source");
    if (b.targetColumns != null) {
      return b.targetColumns;
    }
    if (b.transformSql != null && !b.transformSql.isBlank()) {
      throw new ConfigException(
          "target.columns",
          "pipeline "
              + b.name
              + " has a transform, so target.columns must declare its output columns",
          null);
    }
    return SourceDeletes.defaultTargetColumns(b.source);
  }

  private void validate() {
    Schema input = source.schema();
    if (windows.timeBased()) {
      int i = about("windows.column", () -> input.require(windows.column(), "window column"));
      DataType.Kind k = input.column(i).type().kind();
      check(
          "windows.column",
          k == DataType.Kind.DATE || k == DataType.Kind.TIMESTAMP || k == DataType.Kind.TIMESTAMPTZ,
          "window column '%s' is %s: expected date, timestamp or timestamptz",
          windows.column(),
          input.column(i).type());
    }
    Schema cols = target.columns();
    KeySpec key = target.key();
    if (key != null) {
      Schema keySource = key.kind() == KeySpec.Kind.HASH ? input : cols;
      for (String f : key.fields()) {
        about(
            "target.key",
            () ->
                keySource.require(
                    f, key.kind() == KeySpec.Kind.HASH ? "key hash field" : "key column"));
      }
    }
    for (String column : target.orderBy()) {
      about("target.order_by", () -> cols.require(column, "order_by column"));
    }
    DeleteRule deletes = target.deletes();
    if (deletes != null) {
      String field =
          deletes.kind() == DeleteRule.Kind.BOOLEAN ? "target.delete_flag" : "target.deletes";
      // The delete column need not be stored: an input column the target does not declare is
      // read from the staged window; with a transform, its output must carry it (checked when a
      // window runs, as the stored columns are).
      int i = cols.indexOf(deletes.column());
      Schema known = cols;
      if (i < 0 && transformSql == null) {
        known = input;
        i = about(field, () -> input.require(deletes.column(), "delete column"));
      }
      if (i >= 0 && deletes.kind() == DeleteRule.Kind.BOOLEAN) {
        check(
            field,
            known.column(i).type().kind() == DataType.Kind.BOOLEAN,
            "delete_flag column '%s' is %s: expected boolean (for another type use deletes: {column: %s, when: not_null} or {column: %s, equals: VALUE})",
            deletes.column(),
            known.column(i).type(),
            deletes.column(),
            deletes.column());
      }
      if (i >= 0 && deletes.kind() == DeleteRule.Kind.EQUALS) {
        // compared as text: a value's text is the same on every destination for these kinds only
        // (a timestamp, a decimal or a double is written one way by Java and others by SQL casts)
        DataType.Kind kind = known.column(i).type().kind();
        check(
            field,
            kind == DataType.Kind.STRING
                || kind == DataType.Kind.INTEGER
                || kind == DataType.Kind.BOOLEAN,
            "deletes column '%s' is %s, which equals cannot compare as text the same way on every destination: expected string, integer or boolean (declare the input column string to compare its text, or use when: not_null)",
            deletes.column(),
            known.column(i).type());
      }
    }
    if (target.strategy() == WriteStrategy.REPLACE_TABLE) {
      check(
          "target.strategy",
          windows.kind() == WindowKind.FULL || windows.kind() == WindowKind.BATCH,
          "strategy replace_table replaces the whole table, so it needs window kind full or batch, not %s",
          windows.kind().name().toLowerCase(Locale.ROOT));
    }
    if (schemaDrift != DriftPolicy.DISCARD) {
      check(
          "schema_drift",
          source instanceof ObservesSchema,
          "schema_drift %s needs a source that reports its schema (csv, jsonl, parquet, jdbc), and %s does not",
          schemaDrift.label(),
          source.describe());
    }
    check(
        "schema_drift",
        schemaDrift != DriftPolicy.EVOLVE || transformSql == null,
        "schema_drift evolve adds the input's new columns to the target, but with a transform the target's columns are the transform's output:"
            + " use freeze or discard, or declare the new columns");
    if (transformSql != null) {
      TransformParameters.check(transformSql);
    }
    for (Column c : target.storedColumns().columns()) {
      check(
          "columns",
          !c.name().startsWith("_idem_") || c.name().equals(KeySpec.HASH_COLUMN),
          "column '%s' uses the reserved prefix _idem_",
          c.name());
    }
  }

  /** Throws a {@link ConfigException} about {@code field} unless the condition holds. */
  private static void check(String field, boolean condition, String format, Object... args) {
    if (!condition) {
      throw new ConfigException(field, String.format(Locale.ROOT, format, args), null);
    }
  }

  /** Runs a check whose error is about {@code field}: its ConfigException is given that field. */
  private static <T> T about(String field, Supplier<T> check) {
    try {
      return check.get();
    } catch (ConfigException e) {
      throw e.field().isPresent() ? e : new ConfigException(field, e.getMessage(), e);
    }
  }

  /**
   * This pipeline reading from another source with the same schema: how {@code idem verify} replays
   * captured input. Everything else, including the definition hash's inputs, is kept, but for a
   * source that does not report its schema, which cannot be held to a drift policy: its pipeline
   * discards (nothing is observed, so nothing is dropped).
   */
  public Pipeline withSource(Source other) {
    IdemException.check(
        other.schema().equals(source.schema()),
        "the replacement source's schema %s differs from %s",
        other.schema().columns(),
        source.schema().columns());
    Builder b =
        builder(name)
            .version(version)
            .source(other)
            .windows(windows)
            .transform(transformSql)
            .table(target.table())
            .targetColumns(target.columns())
            .key(target.key())
            .strategy(target.strategy())
            .orderBy(target.orderBy())
            .deletes(target.deletes())
            .badRecords(badRecords)
            .schemaDrift(other instanceof ObservesSchema ? schemaDrift : DriftPolicy.DISCARD);
    rowFunctions.forEach(b::rowFunction);
    return b.build();
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  public Source source() {
    return source;
  }

  public WindowSpec windows() {
    return windows;
  }

  /**
   * The transform's SQL, which reads the staged window as the relation {@value #STAGED}; null if
   * none.
   */
  public String transformSql() {
    return transformSql;
  }

  /** The name by which transform SQL refers to the staged window's rows. */
  public static final String STAGED = "staged";

  public Map<String, RowFunction> rowFunctions() {
    return rowFunctions;
  }

  public Target target() {
    return target;
  }

  /** How many bad records a window may hold and still load (not part of the definition hash). */
  public BadRecordPolicy badRecords() {
    return badRecords;
  }

  /**
   * What a window whose input's schema differs from the declared one does ({@code schema_drift}).
   * Only {@code evolve} enters the definition hash: it shapes the target (new columns, NULLs for
   * removed ones), while freeze and discard load the same rows or fail.
   */
  public DriftPolicy schemaDrift() {
    return schemaDrift;
  }

  /** The columns staged for a window: the input's, plus {@code _idem_key} for a hash key. */
  public Schema stagedColumns() {
    KeySpec key = target.key();
    Schema input = source.schema();
    return key != null && key.kind() == KeySpec.Kind.HASH
        ? input.plus(Column.of(KeySpec.HASH_COLUMN, DataType.STRING))
        : input;
  }

  /**
   * SHA-256 of the effective definition: everything that shapes the target's content. Two runs of
   * an unchanged window with the same definition hash are no-ops.
   */
  public String definitionHash() {
    return definitionHash;
  }

  /** The canonical text the definition hash is computed over. */
  public String describe() {
    List<String> lines = new ArrayList<>();
    lines.add("pipeline " + name + " version " + version);
    lines.add("source " + source.describe() + " columns " + source.schema().columns());
    lines.add("windows " + windows.describe());
    lines.add("transform " + (transformSql == null ? "-" : transformSql));
    lines.add("row_functions " + new TreeSet<>(rowFunctions.keySet()));
    lines.add(
        "target "
            + target.table()
            + " columns "
            + target.columns().columns()
            + " key "
            + (target.key() == null ? "-" : target.key().describe())
            + " strategy "
            + target.strategy().label()
            + " order_by "
            // one column reads as before lists existed, so such a pipeline keeps its hash
            + (target.orderBy().isEmpty() ? "null" : String.join(", ", target.orderBy()))
            + " delete_flag "
            + (target.deletes() == null ? null : target.deletes().describe()));
    if (schemaDrift == DriftPolicy.EVOLVE) {
      lines.add(
          "schema_drift evolve"); // absent for the others, so their hashes are those of before the
      // policy existed
    }
    return String.join("\n", lines);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Chained configuration; {@link #build()} validates once and returns an immutable pipeline. */
  public static final class Builder {
    private final String name;
    private String version = "1";
    private Source source;
    private WindowSpec windows = WindowSpec.full();
    private String transformSql;
    private final Map<String, RowFunction> rowFunctions = new LinkedHashMap<>();
    private String table;
    private Schema targetColumns;
    private KeySpec key;
    private WriteStrategy strategy;
    private List<String> orderBy = List.of();
    private DeleteRule deletes;
    private BadRecordPolicy badRecords = BadRecordPolicy.NONE_ALLOWED;
    private DriftPolicy schemaDrift = DriftPolicy.DEFAULT;

    private Builder(String name) {
      if (name == null || !NAME.matcher(name).matches()) {
        throw new ConfigException(
            "pipeline",
            "pipeline name '"
                + name
                + "' is not valid: expected letters, digits, '_', '.', '-' (at most 128)",
            null);
      }
      this.name = name;
    }

    public Builder version(String version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    public Builder source(Source source) {
      this.source = source;
      return this;
    }

    public Builder windows(WindowSpec windows) {
      this.windows = Objects.requireNonNull(windows, "windows");
      return this;
    }

    public Builder transform(String sql) {
      this.transformSql = sql;
      return this;
    }

    /**
     * Adds a Java row function; its name (bump it when the code changes) enters the definition
     * hash.
     */
    public Builder rowFunction(String name, RowFunction function) {
      rowFunctions.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(function, "function"));
      return this;
    }

    public Builder table(String table) {
      this.table = table;
      return this;
    }

    public Builder targetColumns(Schema columns) {
      this.targetColumns = columns;
      return this;
    }

    public Builder key(KeySpec key) {
      this.key = key;
      return this;
    }

    public Builder key(String... columns) {
      return key(KeySpec.columns(columns));
    }

    public Builder strategy(WriteStrategy strategy) {
      this.strategy = strategy;
      return this;
    }

    public Builder badRecords(BadRecordPolicy policy) {
      this.badRecords = Objects.requireNonNull(policy, "badRecords");
      return this;
    }

    /**
     * What a window whose input's schema drifted from the declared one does; default {@link
     * DriftPolicy#DISCARD}.
     */
    public Builder schemaDrift(DriftPolicy policy) {
      this.schemaDrift = Objects.requireNonNull(policy, "schemaDrift");
      return this;
    }

    /**
     * The columns that give a row's version, compared in this order (none: no call, or a single
     * null).
     */
    public Builder orderBy(String... columns) {
      return orderBy(
          columns == null || (columns.length == 1 && columns[0] == null)
              ? List.of()
              : Arrays.asList(columns));
    }

    /** The columns that give a row's version, compared in this order; empty for none. */
    public Builder orderBy(List<String> columns) {
      this.orderBy = columns == null ? List.of() : List.copyOf(columns);
      return this;
    }

    /**
     * {@code column} true deletes the key (merge only): {@code deletes(DeleteRule.flag(column))}.
     */
    public Builder deleteFlag(String column) {
      this.deletes = column == null ? null : DeleteRule.flag(column);
      return this;
    }

    /** Which records delete their key (merge only); null for none. */
    public Builder deletes(DeleteRule rule) {
      this.deletes = rule;
      return this;
    }

    public Pipeline build() {
      if (source == null) {
        throw new ConfigException("pipeline " + name + " needs a source");
      }
      return new Pipeline(this);
    }
  }
}
