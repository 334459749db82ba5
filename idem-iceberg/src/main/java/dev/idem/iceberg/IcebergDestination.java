package dev.idem.iceberg;

import dev.idem.ConfigException;
import dev.idem.check.CheckResult;
import dev.idem.context.RunContext;
import dev.idem.context.RunServices;
import dev.idem.destination.Destination;
import dev.idem.destination.Finding;
import dev.idem.destination.SupportsChecks;
import dev.idem.destination.SupportsDeletes;
import dev.idem.destination.SupportsDoctor;
import dev.idem.destination.SupportsMerge;
import dev.idem.destination.SupportsReplaceTable;
import dev.idem.destination.SupportsReplaceWindow;
import dev.idem.destination.SupportsSchemaEvolution;
import dev.idem.destination.SupportsVerification;
import dev.idem.destination.WindowWrite;
import dev.idem.ledger.Lease;
import dev.idem.ledger.Ledger;
import dev.idem.pipeline.Pipeline;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.types.Types;

/**
 * A destination writing Apache Iceberg tables (ADR 0008): each window one Iceberg commit carrying
 * its ledger entry. Tables are partitioned by {@code _idem_window}, so a window's rows are whole
 * data files; merge and append rewrite, copy-on-write, the files holding keys they replace, so
 * every reader of Iceberg tables reads a correct table (no delete files). No SQL transforms: there
 * is no engine in the JVM runner.
 */
public final class IcebergDestination
    implements Destination,
        SupportsMerge,
        SupportsReplaceWindow,
        SupportsReplaceTable,
        SupportsChecks,
        SupportsDeletes,
        SupportsDoctor,
        SupportsSchemaEvolution,
        SupportsVerification {
  /** The namespace property naming a pipeline's table, for commands that did not prepare it. */
  private static final String PIPELINE_TABLE = "idem.pipeline.";

  private final IcebergSettings settings;
  private final RunServices services;
  private final Catalog catalog;
  private final Map<String, LedgerStore> stores = new ConcurrentHashMap<>();
  private final Map<String, TableSchema> schemas = new ConcurrentHashMap<>();
  private final IcebergLedger ledger;

  /** Wraps the operations of each table prepared from now on: how tests inject commit faults. */
  private volatile UnaryOperator<TableOperations> operations = UnaryOperator.identity();

  /** A scratch twin of {@code idem verify}: its namespace is dropped whole when it is closed. */
  private final boolean scratch;

  public IcebergDestination(IcebergSettings settings, RunServices services) {
    this(settings, services, false);
  }

  private IcebergDestination(IcebergSettings settings, RunServices services, boolean scratch) {
    this.settings = settings;
    this.services = services;
    this.catalog = settings.open();
    this.ledger = new IcebergLedger(this::store, services.clock());
    this.scratch = scratch;
  }

  /**
   * A destination in a namespace of its own for one check of {@code idem verify}: closing it drops
   * its tables (files purged), their ledgers and the namespace. Its {@link #reopen}ed views do not.
   */
  static IcebergDestination scratch(IcebergSettings settings, RunServices services) {
    return new IcebergDestination(settings, services, true);
  }

  private Namespace namespace() {
    return Namespace.of(settings.namespace());
  }

  private TableIdentifier id(String table) {
    return TableIdentifier.of(namespace(), table);
  }

  @Override
  public void prepare(Pipeline pipeline) {
    TableSchema schema = TableSchema.of(pipeline);
    String name = pipeline.target().table();
    if (catalog instanceof SupportsNamespaces ns && !ns.namespaceExists(namespace())) {
      try {
        ns.createNamespace(namespace());
      } catch (AlreadyExistsException e) {
        // another runner created it first
      }
    }
    Table table;
    try {
      table = catalog.loadTable(id(name));
      schema.checkCompatible(name, table.schema(), table.spec());
    } catch (NoSuchTableException e) {
      try {
        table =
            catalog.createTable(
                id(name),
                schema.iceberg(),
                schema.spec(),
                Map.of(
                    TableProperties.FORMAT_VERSION, "2",
                    TableProperties.DEFAULT_FILE_FORMAT, "parquet"));
      } catch (AlreadyExistsException raced) {
        table = catalog.loadTable(id(name));
        schema.checkCompatible(name, table.schema(), table.spec());
      }
    }
    if (catalog instanceof SupportsNamespaces ns
        && !name.equals(
            ns.loadNamespaceMetadata(namespace()).get(PIPELINE_TABLE + pipeline.name()))) {
      // a mutable map: the REST client asks it containsKey(null), which Map.of refuses
      ns.setProperties(
          namespace(), new java.util.HashMap<>(Map.of(PIPELINE_TABLE + pipeline.name(), name)));
    }
    stores.put(pipeline.name(), newStore(id(name).toString(), table));
    schemas.put(pipeline.name(), schema);
  }

  /** Tables prepared from now on commit through {@code wrap} of their operations (for tests). */
  void wrapOperations(UnaryOperator<TableOperations> wrap) {
    this.operations = wrap;
  }

  private LedgerStore newStore(String name, Table table) {
    TableOperations ops = ((HasTableOperations) table).operations();
    TableOperations wrapped = operations.apply(ops);
    if (wrapped == ops) {
      return new LedgerStore(name, table);
    }
    return new LedgerStore(
        name, new BaseTable(wrapped, table.name()), LedgerStore.sendsChanges(ops));
  }

  /** The ledger store of a pipeline's table: prepared here, or named by the namespace. */
  Optional<LedgerStore> store(String pipeline) {
    LedgerStore s = stores.get(pipeline);
    if (s != null) {
      return Optional.of(s);
    }
    if (!(catalog instanceof SupportsNamespaces ns) || !ns.namespaceExists(namespace())) {
      return Optional.empty();
    }
    String table = ns.loadNamespaceMetadata(namespace()).get(PIPELINE_TABLE + pipeline);
    if (table == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          stores.computeIfAbsent(
              pipeline, p -> new LedgerStore(id(table).toString(), catalog.loadTable(id(table)))));
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<CheckResult> check(Pipeline pipeline, Optional<Set<String>> windowIds, String runId) {
    return store(pipeline.name())
        .map(
            s ->
                new IcebergChecks(s, ledger)
                    .check(pipeline, windowIds, runId, services.clock().instant()))
        .orElse(List.of());
  }

  @Override
  public List<CheckResult> checks(String pipeline) {
    return store(pipeline)
        .map(s -> new IcebergChecks(s, ledger).checks(pipeline))
        .orElse(List.of());
  }

  /** Changes nothing: never creates the table or the ledger. */
  @Override
  public List<Finding> diagnose(Pipeline pipeline) {
    return store(pipeline.name())
        .map(s -> new IcebergDoctor(s, ledger, services.clock()).diagnose(pipeline.name()))
        .orElse(List.of());
  }

  @Override
  public Ledger ledger() {
    return ledger;
  }

  @Override
  public WindowWrite begin(Pipeline pipeline, Lease lease, RunContext context) {
    LedgerStore store = stores.get(pipeline.name());
    if (store == null) {
      throw new IllegalStateException("pipeline " + pipeline.name() + " was not prepared");
    }
    return new IcebergWindowWrite(
        store,
        schemas.get(pipeline.name()),
        pipeline,
        lease,
        context,
        services.clock(),
        services.workers());
  }

  @Override
  public long rowsInTarget(Pipeline pipeline, String windowId) {
    Optional<LedgerStore> store = store(pipeline.name());
    if (store.isEmpty()) {
      return 0;
    }
    store.get().table().refresh();
    long n = 0;
    for (DataFile f :
        new TableFiles(store.get().table())
            .files(Expressions.equal(TableSchema.WINDOW, windowId))) {
      n += f.recordCount();
    }
    return n;
  }

  @Override
  public void dropTarget(Pipeline pipeline) {
    String name = pipeline.target().table();
    Optional<LedgerStore> store = store(pipeline.name());
    store.ifPresent(
        s -> {
          if (s.io() instanceof SupportsPrefixOperations prefix) {
            prefix.deletePrefix(s.directory());
          }
        });
    catalog.dropTable(id(name), true);
    stores.remove(pipeline.name());
  }

  @Override
  public String describe() {
    return settings.describe();
  }

  /** Drops every table of the namespace with its ledger, then the namespace (a scratch's close). */
  private void dropNamespace() {
    if (!(catalog instanceof SupportsNamespaces ns) || !ns.namespaceExists(namespace())) {
      return;
    }
    for (TableIdentifier t : catalog.listTables(namespace())) {
      Table table = catalog.loadTable(t);
      if (table.io() instanceof SupportsPrefixOperations prefix) {
        prefix.deletePrefix(LedgerStore.directoryOf(table));
      }
      catalog.dropTable(t, true);
    }
    ns.dropNamespace(namespace());
  }

  @Override
  public List<String> tombstones(Pipeline pipeline) {
    List<String> out = new ArrayList<>();
    store(pipeline.name())
        .ifPresent(
            st ->
                st.read()
                    .tombstones(SlicePlanner.newer(pipeline.target()))
                    .forEach(
                        (key, t) ->
                            out.add(
                                "key " + key + " version " + t.version + " window " + t.window)));
    out.sort(null);
    return out;
  }

  @Override
  public List<String> tableRows(String table) {
    Table t;
    try {
      t = catalog.loadTable(id(table));
    } catch (NoSuchTableException e) {
      return List.of();
    }
    List<String> rows = new ArrayList<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
      for (Record r : it) {
        StringBuilder b = new StringBuilder();
        for (Types.NestedField f : t.schema().columns()) {
          if (f.name().equals(TableSchema.WINDOW_ORDER)) {
            continue; // idem's own tie-breaker, not part of the data
          }
          Object v = r.getField(f.name());
          b.append(b.length() == 0 ? "" : "|")
              .append(f.name())
              .append('=')
              .append(v instanceof java.math.BigDecimal d ? d.toPlainString() : v);
        }
        rows.add(b.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading iceberg table " + table, e);
    }
    rows.sort(null);
    return rows;
  }

  @Override
  public Destination reopen(RunServices services) {
    return new IcebergDestination(settings, services);
  }

  public IcebergSettings settings() {
    return settings;
  }

  @Override
  public void check(Pipeline pipeline) {
    if (pipeline.transformSql() != null) {
      throw new ConfigException(
          "an iceberg destination has no SQL engine for transform: use row functions, or load"
              + " into DuckDB or PostgreSQL and transform there");
    }
  }

  @Override
  public void close() {
    if (scratch) {
      dropNamespace();
    }
    if (catalog instanceof Closeable c) {
      try {
        c.close();
      } catch (IOException e) {
        throw new UncheckedIOException("closing the iceberg catalog", e);
      }
    }
  }
}
