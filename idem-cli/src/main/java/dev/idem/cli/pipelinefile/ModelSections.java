package dev.idem.cli.pipelinefile;

import dev.idem.ConfigException;
import dev.idem.connector.ConfigNode;
import dev.idem.connector.ConfigProblem;
import dev.idem.connector.Section;
import dev.idem.key.KeySpec;
import dev.idem.pipeline.BadRecordPolicy;
import dev.idem.pipeline.DeleteRule;
import dev.idem.pipeline.OnBadValue;
import dev.idem.pipeline.Pipeline;
import dev.idem.pipeline.Target;
import dev.idem.pipeline.WriteStrategy;
import dev.idem.schema.Column;
import dev.idem.schema.DataType;
import dev.idem.schema.DriftPolicy;
import dev.idem.schema.Schema;
import dev.idem.window.WindowSpec;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The connector-neutral sections of a pipeline file, bound to the core model: columns, windows,
 * target, the bad-record limits and the schema drift policy. Every problem names its line.
 */
final class ModelSections {
  private static final Pattern NOT_NULL = Pattern.compile("(?i)^(.*?)\\s+not\\s+null$");

  private ModelSections() {}

  /** A section of the file format whose keys are checked against {@link Layout}. */
  static Section checked(String path, ConfigNode node) {
    Section s = Section.of(path, node);
    List<String> allowed = Layout.keys(path).orElseThrow();
    if (allowed != Layout.ANY) {
      s.checkKeys(allowed);
    }
    return s;
  }

  static Schema columns(ConfigNode node, String path) {
    ConfigNode.Mapping m = Section.mapping(node, path);
    if (m.entries().isEmpty()) {
      throw new ConfigProblem(m.where(), path + ": expected at least one column, as name: type");
    }
    List<Column> columns = new ArrayList<>();
    for (ConfigNode.Entry e : m.entries().values()) {
      ConfigNode.Scalar typeNode = typeOf(e, path);
      if (typeNode.isNull()) {
        throw new ConfigProblem(
            e.where(),
            path
                + "."
                + e.key()
                + ": expected a type, e.g. string, integer, decimal(12,2), timestamp");
      }
      String text = typeNode.value().strip();
      boolean nullable = true;
      Matcher nn = NOT_NULL.matcher(text);
      if (nn.matches()) {
        text = nn.group(1);
        nullable = false;
      }
      String typeText = text;
      DataType type = Section.bind(typeNode, path + "." + e.key(), () -> DataType.parse(typeText));
      boolean isNullable = nullable;
      columns.add(
          Section.bind(
              typeNode, path + "." + e.key(), () -> new Column(e.key(), type, isNullable)));
    }
    return Section.bind(m, path, () -> new Schema(columns));
  }

  /**
   * A column's type: the value of {@code name: type}, or of {@code type} in the long form {@code
   * name: {type: ..., on_bad_value: ...}} (on_bad_value only for input columns).
   */
  private static ConfigNode.Scalar typeOf(ConfigNode.Entry e, String path) {
    String at = path + "." + e.key();
    if (e.value() instanceof ConfigNode.Mapping detailed) {
      Section column = Section.of(at, detailed);
      column.checkKeys(path.equals("columns") ? List.of("type", "on_bad_value") : List.of("type"));
      return column.requiredScalar("type");
    }
    return Section.scalar(e.value(), at);
  }

  /** The input columns' own {@code on_bad_value}, for those declared in the long form with one. */
  static Map<String, OnBadValue> columnPolicies(ConfigNode node) {
    Map<String, OnBadValue> policies = new LinkedHashMap<>();
    for (ConfigNode.Entry e : Section.mapping(node, "columns").entries().values()) {
      if (e.value() instanceof ConfigNode.Mapping detailed
          && detailed.entries().containsKey("on_bad_value")) {
        policies.put(
            e.key(),
            onBadValue(detailed.get("on_bad_value"), "columns." + e.key() + ".on_bad_value"));
      }
    }
    return policies;
  }

  /** {@code on_bad_value}: {@code null} (YAML's null, or the text) or {@code dead_letter}. */
  static OnBadValue onBadValue(ConfigNode node, String path) {
    ConfigNode.Scalar s = Section.scalar(node, path);
    String text = s.isNull() ? s.source().strip() : s.value().strip();
    for (OnBadValue p : OnBadValue.values()) {
      if (p.spelling().equals(text) || (p == OnBadValue.NULL && text.equals("~"))) {
        return p;
      }
    }
    throw new ConfigProblem(
        s.where(),
        path
            + ": expected null or dead_letter, got "
            + (text.isEmpty() ? "nothing" : "'" + s.display() + "'"));
  }

  static WindowSpec windows(ConfigNode node) {
    Section s = checked("windows", node);
    ConfigNode.Scalar kindNode = s.requiredScalar("kind");
    String kind = kindNode.value().strip().toLowerCase(Locale.ROOT);
    // The kind decides which other keys make sense, so an unknown one is reported first.
    if (!List.of("day", "hour", "full", "batch", "file", "offsets").contains(kind)) {
      throw new ConfigProblem(
          kindNode.where(),
          "windows.kind: unknown window kind '"
              + kindNode.display()
              + "': expected day, hour, full, batch, file or offsets");
    }
    ConfigNode.Scalar columnNode = s.optionalScalar("column");
    ConfigNode.Scalar zoneNode = s.optionalScalar("zone");
    String column = columnNode == null ? null : columnNode.value();
    ZoneId zone = null;
    if (zoneNode != null) {
      try {
        zone = ZoneId.of(zoneNode.value().strip());
      } catch (DateTimeException e) {
        throw new ConfigProblem(
            zoneNode.where(),
            "windows.zone: unknown time zone '"
                + zoneNode.display()
                + "': expected a region such as Europe/Paris, or UTC");
      }
    }
    boolean timeBased = kind.equals("day") || kind.equals("hour");
    if (!timeBased) {
      for (ConfigNode.Scalar v : new ConfigNode.Scalar[] {columnNode, zoneNode}) {
        if (v != null) {
          throw new ConfigProblem(
              v.where(),
              "windows: " + kind + " windows have no column or zone: only day and hour windows do");
        }
      }
    }
    ZoneId z = zone;
    return switch (kind) {
      case "day" -> Section.bind(s.node(), "windows", () -> WindowSpec.day(column, z));
      case "hour" -> Section.bind(s.node(), "windows", () -> WindowSpec.hour(column, z));
      case "full" -> WindowSpec.full();
      case "batch" -> WindowSpec.batch();
      case "file" -> WindowSpec.file();
      case "offsets" -> WindowSpec.offsets();
      default -> throw new IllegalStateException("window kind checked above: " + kind);
    };
  }

  static Target target(Section s, Pipeline.Builder b, Schema input, boolean hasTransform) {
    s.checkKeys(Layout.keys("target").orElseThrow());
    String table = s.requiredScalar("table").value();
    b.table(table);
    Schema columns = null;
    if (s.has("columns")) {
      columns = columns(s.get("columns"), "target.columns");
      b.targetColumns(columns);
    } else if (hasTransform) {
      throw new ConfigProblem(
          s.where(),
          "target.columns: required because there is a transform: declare its output columns as name: type");
    }
    KeySpec key = null;
    if (s.has("key")) {
      key = key(s.get("key"));
      b.key(key);
    }
    ConfigNode.Scalar strategyNode = s.requiredScalar("strategy");
    WriteStrategy strategy;
    try {
      strategy = WriteStrategy.parse(strategyNode.value());
    } catch (ConfigException e) {
      throw new ConfigProblem(
          strategyNode.where(),
          "target.strategy: unknown strategy '"
              + strategyNode.display()
              + "': expected append, merge, replace_window or replace_table");
    }
    b.strategy(strategy);
    Schema cols = columns == null ? input : columns;
    List<String> orderBy = s.has("order_by") ? orderBy(s.get("order_by"), cols) : List.of();
    b.orderBy(orderBy);
    DeleteRule rule = deletes(s);
    ConfigNode.Scalar retention = s.optionalScalar("tombstone_retention");
    if (retention != null && rule == null) {
      throw new ConfigProblem(
          retention.where(),
          "target.tombstone_retention: there are no tombstones without deletes (delete_flag or deletes)");
    }
    DeleteRule deletes =
        retention == null
            ? rule
            : Section.bind(
                retention,
                "target.tombstone_retention",
                () -> rule.retainedFor(s.duration("tombstone_retention", null)));
    if (deletes != null) {
      b.deletes(deletes);
    }
    KeySpec k = key;
    // Checked here as well as in Pipeline.build() so the message can name the target's line.
    return Section.bind(
        s.node(), "target", () -> new Target(table, cols, k, strategy, orderBy, deletes));
  }

  /**
   * {@code order_by}: a column or a list of them, compared in that order; a column that is not
   * declared is refused at the line that names it.
   */
  private static List<String> orderBy(ConfigNode node, Schema cols) {
    List<String> names = names(node, "target.order_by");
    for (int i = 0; i < names.size(); i++) {
      ConfigNode at = node instanceof ConfigNode.Sequence seq ? seq.items().get(i) : node;
      String name = names.get(i);
      try {
        cols.require(name, "order_by column");
      } catch (ConfigException e) {
        throw new ConfigProblem(at.where(), "target.order_by: " + e.getMessage());
      }
    }
    return names;
  }

  /**
   * {@code delete_flag: col} (a boolean column), or {@code deletes: {column: col, when: not_null}},
   * {@code {column: col, equals: VALUE}} or {@code {column: col, when: true}}; null when neither.
   */
  private static DeleteRule deletes(Section s) {
    ConfigNode.Scalar flag = s.optionalScalar("delete_flag");
    if (flag != null && s.has("deletes")) {
      throw new ConfigProblem(
          flag.where(),
          "target: give delete_flag or deletes, not both (delete_flag: c is deletes: {column: c, when: true})");
    }
    if (flag != null) {
      return Section.bind(flag, "target.delete_flag", () -> DeleteRule.flag(flag.value()));
    }
    if (!s.has("deletes")) {
      return null;
    }
    // checked here, not in Layout (whose map is full): the keys of target.deletes
    Section d = Section.of("target.deletes", Section.mapping(s.get("deletes"), "target.deletes"));
    d.checkKeys(List.of("column", "when", "equals"));
    String column = d.requiredScalar("column").value();
    ConfigNode.Scalar when = d.optionalScalar("when");
    ConfigNode.Scalar equals = d.optionalScalar("equals");
    if ((when == null) == (equals == null)) {
      throw new ConfigProblem(
          d.where(),
          "target.deletes: give one of when: not_null, when: true or equals: VALUE (the value that marks a delete, e.g. equals: d)");
    }
    if (equals != null) {
      if (equals.isNull()) {
        throw new ConfigProblem(
            equals.where(),
            "target.deletes.equals: expected the value that marks a delete (for a set value use when: not_null)");
      }
      return Section.bind(
          d.node(), "target.deletes", () -> DeleteRule.equalTo(column, equals.value()));
    }
    String w = when.value().strip().toLowerCase(Locale.ROOT);
    return switch (w) {
      case "not_null" -> Section.bind(d.node(), "target.deletes", () -> DeleteRule.notNull(column));
      case "true" -> Section.bind(d.node(), "target.deletes", () -> DeleteRule.flag(column));
      default ->
          throw new ConfigProblem(
              when.where(),
              "target.deletes.when: unknown condition '"
                  + when.display()
                  + "': expected not_null or true (or equals: VALUE instead of when)");
    };
  }

  private static KeySpec key(ConfigNode node) {
    if (node instanceof ConfigNode.Mapping m) {
      checked("target.key", m);
      ConfigNode hash = m.get("hash");
      if (hash == null) {
        throw new ConfigProblem(
            m.where(), "target.key: a hash key is written {hash: [field, ...]}");
      }
      List<String> fields = names(hash, "target.key.hash");
      return Section.bind(m, "target.key", () -> KeySpec.hash(fields.toArray(String[]::new)));
    }
    List<String> fields = names(node, "target.key");
    return Section.bind(node, "target.key", () -> KeySpec.columns(fields.toArray(String[]::new)));
  }

  /** A column name or a list of them. */
  private static List<String> names(ConfigNode node, String path) {
    if (node instanceof ConfigNode.Scalar s && !s.isNull()) {
      return List.of(s.value());
    }
    if (node instanceof ConfigNode.Sequence seq) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < seq.items().size(); i++) {
        names.add(Section.scalarValue(seq.items().get(i), path + "[" + i + "]", "a column name"));
      }
      return names;
    }
    throw new ConfigProblem(
        node.where(),
        path + ": expected a column name or a list of column names, got " + node.describeKind());
  }

  /** {@code schema_drift}: evolve, freeze or discard; null when not given. */
  static DriftPolicy drift(Section top) {
    ConfigNode.Scalar drift = top.optionalScalar("schema_drift");
    if (drift == null) {
      return null;
    }
    try {
      return DriftPolicy.parse(drift.value());
    } catch (ConfigException e) {
      throw new ConfigProblem(
          drift.where(),
          "schema_drift: unknown policy '"
              + drift.display()
              + "': expected evolve, freeze or discard");
    }
  }

  /**
   * {@code max_bad_records} (a whole number, default 0), {@code max_bad_ratio} (0 to 1, default
   * none) and {@code on_bad_value} (default dead_letter), with the input columns' own policies.
   */
  static BadRecordPolicy badRecords(Section top, Map<String, OnBadValue> columns) {
    ConfigNode.Scalar count = top.optionalScalar("max_bad_records");
    ConfigNode.Scalar ratio = top.optionalScalar("max_bad_ratio");
    long max = 0;
    if (count != null) {
      try {
        max =
            count.type() == ConfigNode.Scalar.Type.INTEGER
                ? Long.parseLong(count.value().strip())
                : -1;
      } catch (NumberFormatException e) {
        max = -1;
      }
      if (max < 0) {
        throw new ConfigProblem(
            count.where(),
            "max_bad_records: expected a whole number of 0 or more, got '" + count.display() + "'");
      }
    }
    Double r = null;
    if (ratio != null) {
      try {
        r = Double.parseDouble(ratio.value().strip());
      } catch (NumberFormatException e) {
        r = -1.0;
      }
      if (!(r >= 0 && r <= 1)) {
        throw new ConfigProblem(
            ratio.where(),
            "max_bad_ratio: expected a fraction from 0 to 1 (0.01 = 1%), got '"
                + ratio.display()
                + "'");
      }
    }
    OnBadValue policy =
        top.node().entries().containsKey("on_bad_value")
            ? onBadValue(top.get("on_bad_value"), "on_bad_value")
            : OnBadValue.DEAD_LETTER;
    return new BadRecordPolicy(max, r, policy, columns);
  }
}
