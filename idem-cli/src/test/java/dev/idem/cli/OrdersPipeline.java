package dev.idem.cli;

/**
 * The pipeline file the CLI tests load: CSV orders (order_id, customer, amount, ingested_at) in day
 * windows by {@code ingested_at}, merged into table {@code orders} by {@code order_id}.
 */
public final class OrdersPipeline {
  private OrdersPipeline() {}

  /**
   * The pipeline file's text, one key per line.
   *
   * @param path the source's path glob
   * @param orderBy the target's order_by column, or null for none
   * @param url the destination URL as written in YAML (quoted or not)
   * @param extra more lines at the end (top-level keys or destination properties), or ""
   */
  public static String yaml(String name, String path, String orderBy, String url, String extra) {
    return String.join(
        "\n",
        "pipeline: " + name,
        "source:",
        "  type: csv",
        "  path: " + path,
        "columns:",
        "  order_id: integer",
        "  customer: string",
        "  amount: decimal(12,2)",
        "  ingested_at: timestamp",
        "windows:",
        "  kind: day",
        "  column: ingested_at",
        "target:",
        "  table: orders",
        "  key: [order_id]",
        "  strategy: merge",
        orderBy == null ? "" : "  order_by: " + orderBy,
        "destination:",
        "  url: " + url,
        extra,
        "");
  }
}
