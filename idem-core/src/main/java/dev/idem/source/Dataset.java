package dev.idem.source;

import java.util.Objects;

/**
 * Where a pipeline reads from or writes to, named for lineage (OpenLineage's dataset naming): a
 * {@code namespace} for the system ({@code file}, {@code kafka://broker:9092}, a JDBC URL) and a
 * {@code name} within it (a path or glob, a topic, a table). Never holds credentials.
 */
public record Dataset(String namespace, String name) {
  public Dataset {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }
}
