package dev.idem.cli.pipelinefile;

import dev.idem.ConfigException;
import dev.idem.jdbc.source.JdbcSource;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.Schema;
import dev.idem.source.Source;
import dev.idem.source.file.CsvFormat;
import dev.idem.source.file.CsvSource;
import dev.idem.source.file.FileSet;
import dev.idem.source.file.JsonLinesSource;
import dev.idem.kafka.KafkaDestinationConfig;
import dev.idem.kafka.KafkaSource;
import dev.idem.kafka.KafkaSourceConfig;
import dev.idem.window.WindowKind;
import dev.idem.window.WindowSpec;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binds a YAML pipeline file (format: docs/pipeline-file.md) to the core model. Everything is
 * checked here, once: a problem is a {@link PipelineFileException} whose one-line message names
 * the file, the line and what was expected, including problems found by the core builders.
 */
public final class PipelineFile {
  private static final Pattern NOT_NULL = Pattern.compile("(?i)^(.*?)\\s+not\\s+null$");
  private static final Pattern GLOB = Pattern.compile("[*?\\[{]");
  private static final Pattern SECRET_KEY = Pattern.compile("(?i)password|pwd|secret|token");
  private static final Pattern URL_PASSWORD = Pattern.compile("//[^/@?#:]*:([^/@?#]+)@");
  private static final Pattern URL_SECRET_PARAM = Pattern.compile("(?i)(?:password|pwd|secret|token)=([^&;]+)");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private final String name;
  private final Path dir;
  private final Redactor redactor;

  private PipelineFile(String name, Path dir, Redactor redactor) {
    this.name = name;
    this.dir = dir;
    this.redactor = redactor;
  }

  /**
   * Reads, overrides and binds a pipeline file.
   *
   * @param sets     {@code path=value} overrides, applied in order before binding
   * @param env      looks up {@code ${env:NAME}}; null means unset
   * @param redactor learns every substituted value so it can be masked in output
   */
  public static PipelineDefinition load(Path file, List<String> sets, Function<String, String> env, Redactor redactor) {
    String name = file.toString();
    YamlReader reader = new YamlReader(env, redactor);
    YamlNode.Mapping root = Overrides.apply(reader.readFile(file, name), sets, reader);
    Path dir = file.toAbsolutePath().normalize().getParent();
    return new PipelineFile(name, dir, redactor).bind(file, root);
  }

  private PipelineDefinition bind(Path file, YamlNode.Mapping root) {
    checkKeys(root, "");
    YamlNode.Scalar nameNode = requiredScalar(root, "", "pipeline");
    String pipelineName = nameNode.value();
    Pipeline.Builder b = core(nameNode, "pipeline", () -> Pipeline.builder(pipelineName));
    YamlNode.Scalar version = optionalScalar(root, "", "version");
    if (version != null) {
      b.version(version.value());
    }
    Schema input = columns(required(root, "", "columns"), "columns");
    YamlNode.Mapping sourceNode = mapping(required(root, "", "source"), "source");
    Source source = source(sourceNode, input);
    b.source(source);
    YamlNode windowsNode = root.get("windows");
    boolean stream = source instanceof KafkaSource;
    if (windowsNode != null && !isNull(windowsNode)) {
      YamlNode.Mapping w = mapping(windowsNode, "windows");
      WindowSpec spec = windows(w);
      if (stream != (spec.kind() == WindowKind.OFFSETS)) {
        throw new PipelineFileException(w.get("kind").where(), stream
            ? "windows.kind: a kafka source has offsets windows (or leave windows out)"
            : "windows.kind: offsets windows are for kafka sources");
      }
      b.windows(spec);
    } else if (stream) {
      b.windows(WindowSpec.offsets());
    }
    YamlNode transformNode = root.get("transform");
    if (transformNode != null && !isNull(transformNode)) {
      YamlNode.Mapping t = mapping(transformNode, "transform");
      checkKeys(t, "transform");
      b.transform(requiredScalar(t, "transform", "sql").value());
    }
    YamlNode.Mapping targetNode = mapping(required(root, "", "target"), "target");
    target(targetNode, b, input, transformNode != null && !isNull(transformNode));
    b.badRecords(badRecords(root));
    YamlNode.Scalar drift = optionalScalar(root, "", "schema_drift");
    if (drift != null) {
      try {
        b.schemaDrift(DriftPolicy.parse(drift.value()));
      } catch (ConfigException e) {
        throw new PipelineFileException(drift.where(), "schema_drift: unknown policy '" + drift.display() + "': expected evolve, freeze or discard");
      }
    }
    Pipeline pipeline;
    try {
      pipeline = b.build();
    } catch (ConfigException e) {
      throw coreError(e, root, targetNode);
    }
    DestinationSpec destination = destination(root.get("destination"), pipelineName);
    return new PipelineDefinition(file, pipeline, destination);
  }

  // ---- sections ------------------------------------------------------------------------------

  private Source source(YamlNode.Mapping node, Schema schema) {
    YamlNode.Scalar typeNode = node.get("type") == null ? null : requiredScalar(node, "source", "type");
    String type = typeNode == null ? null : typeNode.value().strip().toLowerCase(Locale.ROOT);
    if ("jdbc".equals(type)) {
      return jdbcSource(node, schema);
    }
    if ("kafka".equals(type)) {
      return kafkaSource(node, schema);
    }
    // A file source (or no type yet): its keys are fixed, so a typo is reported as such.
    checkKeys(node, "source", Layout.FILE_SOURCE);
    typeNode = requiredScalar(node, "source", "type");
    YamlNode.Scalar pathNode = requiredScalar(node, "source", "path");
    FileSet files = fileSet(pathNode);
    Charset encoding = charset(optionalScalar(node, "source", "encoding"));
    switch (type) {
      case "csv" -> {
        CsvFormat d = CsvFormat.DEFAULT;
        char delimiter = character(optionalScalar(node, "source", "delimiter"), "source.delimiter", d.delimiter());
        char quote = character(optionalScalar(node, "source", "quote"), "source.quote", d.quote());
        boolean header = bool(optionalScalar(node, "source", "header"), "source.header", d.header());
        // `null: NULL` must mean the text NULL, though YAML reads a plain NULL as no value.
        YamlNode nullNode = node.get("null");
        String nullMarker = d.nullMarker();
        if (nullNode != null) {
          YamlNode.Scalar s = scalar(nullNode, "source.null");
          nullMarker = s.isNull() && (s.value().isEmpty() || s.value().equals("~")) ? "" : s.value();
        }
        String marker = nullMarker;
        CsvFormat format = core(node, "source", () -> new CsvFormat(delimiter, quote, header, marker, encoding == null ? d.encoding() : encoding));
        return core(node, "source", () -> new CsvSource(files, schema, format));
      }
      case "jsonl" -> {
        for (String csvOnly : List.of("delimiter", "quote", "header", "null")) {
          YamlNode.Entry e = node.entries().get(csvOnly);
          if (e != null) {
            throw new PipelineFileException(e.where(), "source." + csvOnly + ": only csv sources have '" + csvOnly + "', this source is jsonl");
          }
        }
        return core(node, "source", () -> new JsonLinesSource(files, schema, encoding == null ? StandardCharsets.UTF_8 : encoding));
      }
      default -> throw new PipelineFileException(typeNode.where(), "source.type: unknown source type '" + typeNode.display() + "': expected csv, jsonl, jdbc or kafka");
    }
  }

  /**
   * {@code type: jdbc}: a query per window. Keys other than the source's own are JDBC connection
   * properties (user, password, sslmode, ...), as in {@code destination}.
   */
  private Source jdbcSource(YamlNode.Mapping node, Schema schema) {
    for (String fileKey : Layout.FILE_SOURCE) {
      YamlNode.Entry e = node.entries().get(fileKey);
      if (e != null && !fileKey.equals("type")) {
        throw new PipelineFileException(e.where(), "source." + fileKey + ": jdbc sources have no '" + fileKey + "': expected "
            + String.join(", ", Layout.JDBC_SOURCE) + " and JDBC connection properties");
      }
    }
    YamlNode.Scalar urlNode = requiredScalar(node, "source", "url");
    String url = jdbcUrl(urlNode, "source.url");
    try {
      java.sql.DriverManager.getDriver(url); // its "no suitable driver" message would quote the URL whole
    } catch (java.sql.SQLException e) {
      throw new PipelineFileException(urlNode.where(), "source.url: no JDBC driver accepts '"
          + (urlNode.secret() ? urlNode.display() : DestinationSpec.mask(url)) + "': expected jdbc:postgresql://host:port/db or jdbc:duckdb:file");
    }
    String query = requiredScalar(node, "source", "query").value();
    YamlNode.Scalar fpNode = optionalScalar(node, "source", "fingerprint_query");
    java.util.Optional<String> fingerprintQuery = fpNode == null || fpNode.value().isBlank()
        ? java.util.Optional.empty() : java.util.Optional.of(fpNode.value());
    java.time.Duration lag = duration(optionalScalar(node, "source", "lag"), "source.lag", java.time.Duration.ZERO);
    int fetchSize = positiveInt(optionalScalar(node, "source", "fetch_size"), "source.fetch_size", 10_000);
    Properties properties = properties(node, "source", Layout.JDBC_SOURCE);
    redactUrlSecrets(url);
    return core(node, "source", () -> new JdbcSource(url, properties, query, schema, fingerprintQuery, lag, fetchSize));
  }

  /**
   * {@code type: kafka}: a topic read in offsets windows. Keys other than the source's own are
   * Kafka client properties (security.protocol, sasl.jaas.config, ...).
   */
  private Source kafkaSource(YamlNode.Mapping node, Schema schema) {
    for (String fileKey : Layout.FILE_SOURCE) {
      YamlNode.Entry e = node.entries().get(fileKey);
      if (e != null && !fileKey.equals("type")) {
        throw new PipelineFileException(e.where(), "source." + fileKey + ": kafka sources have no '" + fileKey + "': expected "
            + String.join(", ", Layout.KAFKA_SOURCE) + " and Kafka client properties");
      }
    }
    Map<String, Object> client = new java.util.HashMap<>();
    properties(node, "source", Layout.KAFKA_SOURCE).forEach((k, v) -> client.put((String) k, v));
    client.put("bootstrap.servers", requiredScalar(node, "source", "bootstrap_servers").value().strip());
    String topic = requiredScalar(node, "source", "topic").value().strip();
    long maxRecords = positiveInt(optionalScalar(node, "source", "max_records"), "source.max_records", 100_000);
    YamlNode.Scalar startNode = optionalScalar(node, "source", "start_from");
    KafkaSourceConfig.StartFrom start = KafkaSourceConfig.StartFrom.EARLIEST;
    if (startNode != null) {
      String s = startNode.value().strip().toLowerCase(Locale.ROOT);
      if (!s.equals("earliest") && !s.equals("latest")) {
        throw new PipelineFileException(startNode.where(), "source.start_from: expected earliest or latest, got '" + startNode.display() + "'");
      }
      start = KafkaSourceConfig.StartFrom.valueOf(s.toUpperCase(Locale.ROOT));
    }
    java.time.Duration readTimeout = duration(optionalScalar(node, "source", "read_timeout"), "source.read_timeout", java.time.Duration.ofSeconds(60));
    KafkaSourceConfig.StartFrom from = start;
    return core(node, "source", () -> new KafkaSource(schema, new KafkaSourceConfig(client, topic, maxRecords, from, readTimeout)));
  }

  /** A JDBC URL; a bad one is shown masked (or as the placeholder it came from), never as written. */
  private static String jdbcUrl(YamlNode.Scalar urlNode, String path) {
    String url = urlNode.value().strip();
    if (!url.startsWith("jdbc:")) {
      throw new PipelineFileException(urlNode.where(), path + ": expected a JDBC URL such as jdbc:duckdb:orders.duckdb or jdbc:postgresql://host/db, got '"
          + (urlNode.secret() ? urlNode.display() : DestinationSpec.mask(url)) + "'");
    }
    return url;
  }

  /** A password in a URL's user-info or parameters is masked in any output, wherever it comes from. */
  private void redactUrlSecrets(String url) {
    Matcher userInfo = URL_PASSWORD.matcher(url);
    while (userInfo.find()) {
      redactor.add(userInfo.group(1));
    }
    Matcher param = URL_SECRET_PARAM.matcher(url);
    while (param.find()) {
      redactor.add(param.group(1));
    }
  }

  /** Every key of a section but {@code own} is a JDBC connection property, passed to the driver as is. */
  private Properties properties(YamlNode.Mapping m, String section, List<String> own) {
    Properties properties = new Properties();
    for (Map.Entry<String, YamlNode.Entry> e : m.entries().entrySet()) {
      if (!own.contains(e.getKey())) {
        String value = scalarValue(e.getValue().value(), section + "." + e.getKey(), "a connection property value");
        properties.setProperty(e.getKey(), value);
        if (SECRET_KEY.matcher(e.getKey()).find()) {
          redactor.add(value); // written in the file rather than taken from ${env:...}: masked all the same
        }
      }
    }
    return properties;
  }

  /**
   * A relative path stays as written, against the pipeline file's directory, so the source's
   * description (part of the definition hash) does not change when the project moves. An absolute
   * path is split at its first glob segment: the part before is the base directory.
   */
  private FileSet fileSet(YamlNode.Scalar node) {
    String text = node.value().strip().replace('\\', '/');
    if (text.isEmpty()) {
      throw new PipelineFileException(node.where(), "source.path: expected a file path or glob, got an empty string");
    }
    try {
      if (!text.startsWith("/")) {
        return new FileSet(dir, text);
      }
      String[] parts = text.substring(1).split("/+");
      int firstGlob = parts.length - 1;
      for (int i = 0; i < parts.length; i++) {
        if (GLOB.matcher(parts[i]).find()) {
          firstGlob = i;
          break;
        }
      }
      String base = "/" + String.join("/", java.util.Arrays.copyOfRange(parts, 0, firstGlob));
      String pattern = String.join("/", java.util.Arrays.copyOfRange(parts, firstGlob, parts.length));
      return core(node, "source.path", () -> new FileSet(Path.of(base), pattern));
    } catch (java.nio.file.InvalidPathException e) {
      throw new PipelineFileException(node.where(), "source.path: '" + node.display() + "' is not a valid path");
    }
  }

  private Schema columns(YamlNode node, String path) {
    YamlNode.Mapping m = mapping(node, path);
    if (m.entries().isEmpty()) {
      throw new PipelineFileException(m.where(), path + ": expected at least one column, as name: type");
    }
    List<Column> columns = new ArrayList<>();
    for (YamlNode.Entry e : m.entries().values()) {
      YamlNode.Scalar typeNode = scalar(e.value(), path + "." + e.key());
      if (typeNode.isNull()) {
        throw new PipelineFileException(e.where(), path + "." + e.key() + ": expected a type, e.g. string, integer, decimal(12,2), timestamp");
      }
      String text = typeNode.value().strip();
      boolean nullable = true;
      Matcher nn = NOT_NULL.matcher(text);
      if (nn.matches()) {
        text = nn.group(1);
        nullable = false;
      }
      String typeText = text;
      DataType type = core(typeNode, path + "." + e.key(), () -> DataType.parse(typeText));
      boolean isNullable = nullable;
      columns.add(core(typeNode, path + "." + e.key(), () -> new Column(e.key(), type, isNullable)));
    }
    return core(m, path, () -> new Schema(columns));
  }

  private WindowSpec windows(YamlNode.Mapping node) {
    checkKeys(node, "windows");
    YamlNode.Scalar kindNode = requiredScalar(node, "windows", "kind");
    String kind = kindNode.value().strip().toLowerCase(Locale.ROOT);
    // The kind decides which other keys make sense, so an unknown one is reported first.
    if (!List.of("day", "hour", "full", "batch", "file", "offsets").contains(kind)) {
      throw new PipelineFileException(kindNode.where(), "windows.kind: unknown window kind '" + kindNode.display() + "': expected day, hour, full, batch, file or offsets");
    }
    YamlNode.Scalar columnNode = optionalScalar(node, "windows", "column");
    YamlNode.Scalar zoneNode = optionalScalar(node, "windows", "zone");
    String column = columnNode == null ? null : columnNode.value();
    ZoneId zone = null;
    if (zoneNode != null) {
      try {
        zone = ZoneId.of(zoneNode.value().strip());
      } catch (DateTimeException e) {
        throw new PipelineFileException(zoneNode.where(), "windows.zone: unknown time zone '" + zoneNode.display() + "': expected a region such as Europe/Paris, or UTC");
      }
    }
    boolean timeBased = kind.equals("day") || kind.equals("hour");
    if (!timeBased) {
      for (YamlNode.Scalar s : new YamlNode.Scalar[] {columnNode, zoneNode}) {
        if (s != null) {
          throw new PipelineFileException(s.where(), "windows: " + kind + " windows have no column or zone: only day and hour windows do");
        }
      }
    }
    ZoneId z = zone;
    return switch (kind) {
      case "day" -> core(node, "windows", () -> WindowSpec.day(column, z));
      case "hour" -> core(node, "windows", () -> WindowSpec.hour(column, z));
      case "full" -> WindowSpec.full();
      case "batch" -> WindowSpec.batch();
      case "file" -> WindowSpec.file();
      case "offsets" -> WindowSpec.offsets();
      default -> throw new IllegalStateException("window kind checked above: " + kind);
    };
  }

  private Target target(YamlNode.Mapping node, Pipeline.Builder b, Schema input, boolean hasTransform) {
    checkKeys(node, "target");
    String table = requiredScalar(node, "target", "table").value();
    b.table(table);
    Schema columns = null;
    YamlNode columnsNode = node.get("columns");
    if (columnsNode != null && !isNull(columnsNode)) {
      columns = columns(columnsNode, "target.columns");
      b.targetColumns(columns);
    } else if (hasTransform) {
      throw new PipelineFileException(node.where(), "target.columns: required because there is a transform: declare its output columns as name: type");
    }
    KeySpec key = null;
    YamlNode keyNode = node.get("key");
    if (keyNode != null && !isNull(keyNode)) {
      key = key(keyNode);
      b.key(key);
    }
    YamlNode.Scalar strategyNode = requiredScalar(node, "target", "strategy");
    WriteStrategy strategy;
    try {
      strategy = WriteStrategy.parse(strategyNode.value());
    } catch (ConfigException e) {
      throw new PipelineFileException(strategyNode.where(), "target.strategy: unknown strategy '" + strategyNode.display()
          + "': expected append, merge, replace_window or replace_table");
    }
    b.strategy(strategy);
    YamlNode.Scalar orderBy = optionalScalar(node, "target", "order_by");
    if (orderBy != null) {
      b.orderBy(orderBy.value());
    }
    YamlNode.Scalar deleteFlag = optionalScalar(node, "target", "delete_flag");
    if (deleteFlag != null) {
      b.deleteFlag(deleteFlag.value());
    }
    Schema cols = columns == null ? input : columns;
    KeySpec k = key;
    // Checked here as well as in Pipeline.build() so the message can name the target's line.
    return core(node, "target", () -> new Target(table, cols, k, strategy, orderBy == null ? null : orderBy.value(), deleteFlag == null ? null : deleteFlag.value()));
  }

  private KeySpec key(YamlNode node) {
    if (node instanceof YamlNode.Mapping m) {
      checkKeys(m, "target.key");
      YamlNode hash = m.get("hash");
      if (hash == null) {
        throw new PipelineFileException(m.where(), "target.key: a hash key is written {hash: [field, ...]}");
      }
      List<String> fields = names(hash, "target.key.hash");
      return core(m, "target.key", () -> KeySpec.hash(fields.toArray(String[]::new)));
    }
    List<String> fields = names(node, "target.key");
    return core(node, "target.key", () -> KeySpec.columns(fields.toArray(String[]::new)));
  }

  /** A column name or a list of them. */
  private List<String> names(YamlNode node, String path) {
    if (node instanceof YamlNode.Scalar s && !s.isNull()) {
      return List.of(s.value());
    }
    if (node instanceof YamlNode.Sequence seq) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < seq.items().size(); i++) {
        names.add(scalarValue(seq.items().get(i), path + "[" + i + "]", "a column name"));
      }
      return names;
    }
    throw new PipelineFileException(node.where(), path + ": expected a column name or a list of column names, got " + node.describeKind());
  }

  private DestinationSpec destination(YamlNode node, String pipelineName) {
    if (node == null || isNull(node)) {
      return new DestinationSpec("jdbc:duckdb:" + dir.resolve(pipelineName + ".duckdb"), new Properties());
    }
    YamlNode.Mapping m = mapping(node, "destination");
    YamlNode.Scalar typeNode = optionalScalar(m, "destination", "type");
    String type = typeNode == null ? "jdbc" : typeNode.value().strip().toLowerCase(Locale.ROOT);
    if (type.equals("kafka")) {
      return kafkaDestination(m);
    }
    if (!type.equals("jdbc")) {
      throw new PipelineFileException(typeNode.where(), "destination.type: unknown destination type '" + typeNode.display() + "': expected jdbc (the default) or kafka");
    }
    YamlNode.Scalar urlNode = requiredScalar(m, "destination", "url");
    String url = jdbcUrl(urlNode, "destination.url");
    Properties properties = properties(m, "destination", List.of("type", "url"));
    redactUrlSecrets(url);
    return new DestinationSpec(resolveDuckDb(url), properties);
  }

  /**
   * {@code type: kafka}: the target table is the output topic. Keys other than the destination's
   * own are Kafka client properties.
   */
  private DestinationSpec kafkaDestination(YamlNode.Mapping m) {
    YamlNode.Entry url = m.entries().get("url");
    if (url != null) {
      throw new PipelineFileException(url.where(), "destination.url: a kafka destination has bootstrap_servers, not url");
    }
    Map<String, Object> client = new java.util.HashMap<>();
    properties(m, "destination", Layout.KAFKA_DESTINATION).forEach((k, v) -> client.put((String) k, v));
    client.put("bootstrap.servers", requiredScalar(m, "destination", "bootstrap_servers").value().strip());
    KafkaDestinationConfig d = KafkaDestinationConfig.of("defaults");
    YamlNode.Scalar ledger = optionalScalar(m, "destination", "ledger_topic");
    YamlNode.Scalar prefix = optionalScalar(m, "destination", "id_prefix");
    String ledgerTopic = ledger == null ? d.ledgerTopic() : ledger.value().strip();
    int partitions = positiveInt(optionalScalar(m, "destination", "partitions"), "destination.partitions", d.partitions());
    int replication = positiveInt(optionalScalar(m, "destination", "replication_factor"), "destination.replication_factor", d.replicationFactor());
    String idPrefix = prefix == null ? d.idPrefix() : prefix.value().strip();
    java.time.Duration txTimeout = duration(optionalScalar(m, "destination", "transaction_timeout"), "destination.transaction_timeout", d.transactionTimeout());
    java.time.Duration timeout = duration(optionalScalar(m, "destination", "timeout"), "destination.timeout", d.timeout());
    return core(m, "destination", () -> new DestinationSpec(new KafkaDestinationConfig(client, ledgerTopic, partitions, replication, idPrefix, txTimeout, timeout)));
  }

  /** Makes a relative DuckDB file path absolute against the pipeline file's directory. */
  private String resolveDuckDb(String url) {
    String prefix = "jdbc:duckdb:";
    if (!url.startsWith(prefix)) {
      return url;
    }
    String rest = url.substring(prefix.length());
    int q = rest.indexOf('?');
    String file = q < 0 ? rest : rest.substring(0, q);
    String params = q < 0 ? "" : rest.substring(q);
    if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("md:") || file.startsWith("motherduck:") || Path.of(file).isAbsolute()) {
      return url;
    }
    return prefix + dir.resolve(file).normalize() + params;
  }

  // ---- core errors ---------------------------------------------------------------------------

  interface CoreCall<T> {
    T get();
  }

  /** Runs a core constructor; its ConfigException is reported at the node being bound. */
  private static <T> T core(YamlNode node, String path, CoreCall<T> call) {
    try {
      return call.get();
    } catch (PipelineFileException e) {
      throw e;
    } catch (ConfigException e) {
      throw new PipelineFileException(node.where(), path + ": " + e.getMessage(), e);
    }
  }

  /** Pipeline.build() checks the whole definition; point at the key its message is about. */
  private PipelineFileException coreError(ConfigException e, YamlNode.Mapping root, YamlNode.Mapping target) {
    String m = e.getMessage();
    record Rule(String phrase, YamlNode.Mapping section, String sectionName, String key) {}
    YamlNode windows = root.get("windows");
    YamlNode.Mapping windowsMap = windows instanceof YamlNode.Mapping w ? w : null;
    List<Rule> rules = List.of(
        new Rule("window column", windowsMap, "windows", "column"),
        new Rule("key hash field", target, "target", "key"),
        new Rule("key column", target, "target", "key"),
        new Rule("order_by", target, "target", "order_by"),
        new Rule("delete_flag", target, "target", "delete_flag"),
        new Rule("replace_table", target, "target", "strategy"),
        new Rule("reserved prefix", root, "", "columns"),
        new Rule("schema_drift", root, "", "schema_drift"),
        new Rule("transform", target, "target", "columns"));
    for (Rule r : rules) {
      if (m.contains(r.phrase()) && r.section() != null) {
        YamlNode.Entry entry = r.section().entries().get(r.key());
        String where = entry != null ? entry.where() : r.section().where();
        String path = r.sectionName().isEmpty() ? r.key() : r.sectionName() + "." + r.key();
        return new PipelineFileException(where, path + ": " + m, e);
      }
    }
    return new PipelineFileException(target.where(), m, e);
  }

  // ---- typed access --------------------------------------------------------------------------

  private void checkKeys(YamlNode.Mapping node, String section) {
    checkKeys(node, section, Layout.keys(section).orElseThrow());
  }

  private void checkKeys(YamlNode.Mapping node, String section, List<String> allowed) {
    if (allowed == Layout.ANY) {
      return;
    }
    for (YamlNode.Entry e : node.entries().values()) {
      if (!allowed.contains(e.key())) {
        throw new PipelineFileException(e.where(), Layout.unknownKey(e.key(), section, allowed));
      }
    }
  }

  private static boolean isNull(YamlNode node) {
    return node instanceof YamlNode.Scalar s && s.isNull();
  }

  private static YamlNode required(YamlNode.Mapping parent, String section, String key) {
    YamlNode node = parent.get(key);
    String path = section.isEmpty() ? key : section + "." + key;
    if (node == null) {
      String in = section.isEmpty() ? "" : section + ": ";
      throw new PipelineFileException(parent.where(), in + "missing required key '" + key + "'" + (section.isEmpty() ? " at the top level" : ""));
    }
    if (isNull(node)) {
      throw new PipelineFileException(node.where(), path + ": expected a value, got nothing");
    }
    return node;
  }

  private static YamlNode.Scalar requiredScalar(YamlNode.Mapping parent, String section, String key) {
    String path = section.isEmpty() ? key : section + "." + key;
    YamlNode.Scalar s = scalar(required(parent, section, key), path);
    if (s.value().isBlank()) {
      throw new PipelineFileException(s.where(), path + ": expected a value, got an empty string");
    }
    return s;
  }

  /** A scalar, or null when the key is absent or has no value. */
  private static YamlNode.Scalar optionalScalar(YamlNode.Mapping parent, String section, String key) {
    YamlNode node = parent.get(key);
    if (node == null || isNull(node)) {
      return null;
    }
    return scalar(node, section.isEmpty() ? key : section + "." + key);
  }

  private static YamlNode.Scalar scalar(YamlNode node, String path) {
    if (node instanceof YamlNode.Scalar s) {
      return s;
    }
    throw new PipelineFileException(node.where(), path + ": expected a single value, got " + node.describeKind());
  }

  private static String scalarValue(YamlNode node, String path, String expected) {
    if (node instanceof YamlNode.Scalar s && !s.isNull()) {
      return s.value();
    }
    throw new PipelineFileException(node.where(), path + ": expected " + expected + ", got " + node.describeKind());
  }

  private static YamlNode.Mapping mapping(YamlNode node, String path) {
    if (node instanceof YamlNode.Mapping m) {
      return m;
    }
    throw new PipelineFileException(node.where(), path + ": expected a mapping (key: value lines), got " + node.describeKind());
  }

  private static char character(YamlNode.Scalar s, String path, char fallback) {
    if (s == null) {
      return fallback;
    }
    String v = s.value();
    if (v.equals("\\t") || v.equals("tab")) {
      return '\t';
    }
    if (v.length() != 1) {
      throw new PipelineFileException(s.where(), path + ": expected one character (quote it, e.g. \";\"), got '" + s.display() + "'");
    }
    return v.charAt(0);
  }

  private static boolean bool(YamlNode.Scalar s, String path, boolean fallback) {
    if (s == null) {
      return fallback;
    }
    if (s.type() == YamlNode.Scalar.Type.BOOLEAN) {
      String v = s.value().toLowerCase(Locale.ROOT);
      return v.equals("true") || v.equals("yes") || v.equals("on") || v.equals("y");
    }
    throw new PipelineFileException(s.where(), path + ": expected true or false, got " + s.describeKind() + " '" + s.display() + "'");
  }

  /** {@code 10m}, {@code 30s}, {@code 2h}, {@code 1d}, {@code 500ms}, {@code 0} or ISO-8601 ({@code PT10M}). */
  private static java.time.Duration duration(YamlNode.Scalar s, String path, java.time.Duration fallback) {
    if (s == null) {
      return fallback;
    }
    String t = s.value().strip().toLowerCase(Locale.ROOT);
    Matcher m = DURATION.matcher(t);
    try {
      if (t.equals("0")) {
        return java.time.Duration.ZERO;
      }
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> java.time.Duration.ofMillis(n);
          case "s" -> java.time.Duration.ofSeconds(n);
          case "m" -> java.time.Duration.ofMinutes(n);
          case "h" -> java.time.Duration.ofHours(n);
          default -> java.time.Duration.ofDays(n);
        };
      }
      java.time.Duration d = java.time.Duration.parse(s.value().strip());
      if (!d.isNegative()) {
        return d;
      }
    } catch (ArithmeticException | java.time.format.DateTimeParseException e) {
      // reported below
    }
    throw new PipelineFileException(s.where(), path + ": expected a duration such as 10m, 30s, 2h, 1d or PT10M, got '" + s.display() + "'");
  }

  /** {@code max_bad_records} (a whole number, default 0) and {@code max_bad_ratio} (0 to 1, default none). */
  private static BadRecordPolicy badRecords(YamlNode.Mapping root) {
    YamlNode.Scalar count = optionalScalar(root, "", "max_bad_records");
    YamlNode.Scalar ratio = optionalScalar(root, "", "max_bad_ratio");
    long max = 0;
    if (count != null && !count.isNull()) {
      try {
        max = count.type() == YamlNode.Scalar.Type.INTEGER ? Long.parseLong(count.value().strip()) : -1;
      } catch (NumberFormatException e) {
        max = -1;
      }
      if (max < 0) {
        throw new PipelineFileException(count.where(), "max_bad_records: expected a whole number of 0 or more, got '" + count.display() + "'");
      }
    }
    Double r = null;
    if (ratio != null && !ratio.isNull()) {
      try {
        r = Double.parseDouble(ratio.value().strip());
      } catch (NumberFormatException e) {
        r = -1.0;
      }
      if (!(r >= 0 && r <= 1)) {
        throw new PipelineFileException(ratio.where(), "max_bad_ratio: expected a fraction from 0 to 1 (0.01 = 1%), got '" + ratio.display() + "'");
      }
    }
    return new BadRecordPolicy(max, r);
  }

  private static int positiveInt(YamlNode.Scalar s, String path, int fallback) {
    if (s == null) {
      return fallback;
    }
    if (s.type() == YamlNode.Scalar.Type.INTEGER) {
      try {
        int n = Integer.parseInt(s.value().strip());
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new PipelineFileException(s.where(), path + ": expected a whole number of at least 1, got '" + s.display() + "'");
  }

  private static Charset charset(YamlNode.Scalar s) {
    if (s == null) {
      return null;
    }
    try {
      return Charset.forName(s.value().strip());
    } catch (IllegalArgumentException e) {
      throw new PipelineFileException(s.where(), "source.encoding: unknown encoding '" + s.display() + "': expected e.g. UTF-8 or ISO-8859-1");
    }
  }
}
