package dev.idem.bench;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Deterministic orders as JSON: a quarter of the messages update one of the 50,000 most recent
 * orders (a new customer, amount and a later {@code ts}), the rest are new orders. The key is the
 * order id, so an order's versions are in one partition, in order.
 */
final class OrderMessages {
  final String[] keys;
  final String[] values;
  final long distinct;

  /** The expected final table: sum of amounts, sum of ts in epoch milliseconds (as UTC). */
  private final BigDecimal amounts;

  private final long millis;

  private OrderMessages(
      String[] keys, String[] values, long distinct, BigDecimal amounts, long millis) {
    this.keys = keys;
    this.values = values;
    this.distinct = distinct;
    this.amounts = amounts;
    this.millis = millis;
  }

  int size() {
    return keys.length;
  }

  static OrderMessages generate(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    String[] keys = new String[n];
    String[] values = new String[n];
    int recentSize = 50_000;
    long[] recent = new long[recentSize];
    long nextId = 1;
    Map<Long, long[]> last = new HashMap<>(); // id -> [amount in cents, ts millis]
    LocalDateTime start = LocalDateTime.of(2024, 3, 1, 0, 0);
    long startMillis = start.toEpochSecond(ZoneOffset.UTC) * 1000;
    DateTimeFormatter format = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS");
    StringBuilder b = new StringBuilder(96);
    for (int i = 0; i < n; i++) {
      long id;
      if (nextId > 1 && random.nextInt(4) == 0) {
        id = recent[random.nextInt((int) Math.min(nextId - 1, recentSize))];
      } else {
        id = nextId++;
        recent[(int) ((id - 1) % recentSize)] = id;
      }
      long cents = random.nextInt(10_000_000);
      long millis = startMillis + i;
      String ts = start.plus(Duration.ofMillis(i)).format(format);
      b.setLength(0);
      b.append("{\"id\":")
          .append(id)
          .append(",\"customer\":\"c")
          .append(random.nextInt(100_000))
          .append("\",\"amount\":")
          .append(cents / 100)
          .append('.')
          .append(cents % 100 < 10 ? "0" : "")
          .append(cents % 100)
          .append(",\"ts\":\"")
          .append(ts)
          .append("\"}");
      keys[i] = Long.toString(id);
      values[i] = b.toString();
      last.put(id, new long[] {cents, millis});
    }
    long cents = 0;
    long millis = 0;
    for (long[] v : last.values()) {
      cents += v[0];
      millis += v[1];
    }
    return new OrderMessages(keys, values, last.size(), BigDecimal.valueOf(cents, 2), millis);
  }

  /** The table holds exactly the latest version of every order. */
  void check(String url, String table) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*), sum(amount), sum((extract(epoch FROM ts) * 1000)::bigint) FROM "
                    + table)) {
      rs.next();
      long rows = rs.getLong(1);
      BigDecimal sum = rs.getBigDecimal(2);
      long ts = rs.getLong(3);
      if (rows != distinct || sum.compareTo(amounts) != 0 || ts != millis) {
        throw new IllegalStateException(
            table
                + " holds "
                + rows
                + " rows, amounts "
                + sum
                + ", ts "
                + ts
                + "; expected "
                + distinct
                + ", "
                + amounts
                + ", "
                + millis);
      }
    }
  }
}
