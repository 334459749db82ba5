package dev.idem.testkit.source;

import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Deterministic orders: {@code rows} rows spread evenly over {@code days} daily CSV files ({@code
 * orders-YYYY-MM-DD.csv}), order ids unique, values from a seeded generator, so two runs produce
 * byte-identical files. The benchmarks' data (idem-bench's cases, idem-spark's {@code SparkBench}).
 */
public final class OrdersGenerator {
  public static final String HEADER = "order_id,customer,product,quantity,amount,status,updated_at";
  public static final LocalDate FIRST_DAY = LocalDate.of(2024, 1, 1);
  private static final String[] STATUS = {"new", "paid", "shipped", "delivered", "returned"};

  private OrdersGenerator() {}

  /**
   * Writes the files; returns the sum of every row's {@code amount} (order ids are 1 to {@code
   * rows}), for a check of a loaded table.
   */
  public static BigDecimal generate(Path dir, long rows, int days, long seed) throws IOException {
    return generate(dir, rows, days, seed, 1);
  }

  /**
   * As {@link #generate(Path, long, int, long)}, but each order has {@code versions} rows in its
   * day's file (a change feed's updates), spread over the file and later by {@code updated_at} each
   * time; returns the sum of each order's last {@code amount}. Order ids are 1 to {@link
   * #orders(long, int, int)}.
   */
  public static BigDecimal generate(Path dir, long rows, int days, long seed, int versions)
      throws IOException {
    long cents = 0;
    Files.createDirectories(dir);
    SplittableRandom random = new SplittableRandom(seed);
    long id = 0;
    for (int d = 0; d < days; d++) {
      LocalDate day = FIRST_DAY.plusDays(d);
      long n = dayRows(rows, days, d);
      long orders = dayOrders(n, versions);
      long first = id;
      id += orders;
      try (BufferedWriter w =
          Files.newBufferedWriter(dir.resolve("orders-" + day + ".csv"), StandardCharsets.UTF_8)) {
        w.write(HEADER);
        w.write('\n');
        StringBuilder line = new StringBuilder(96);
        for (long i = 0; i < n; i++) {
          long seconds = i * 86_400L / n;
          line.setLength(0);
          line.append(first + i % orders + 1)
              .append(",c")
              .append(random.nextInt(100_000))
              .append(",p")
              .append(random.nextInt(500))
              .append(',')
              .append(1 + random.nextInt(9))
              .append(',');
          int whole = random.nextInt(1_000_000) / 100;
          int fraction = random.nextInt(100);
          if (i + orders >= n) { // the order's last version
            cents += whole * 100L + fraction;
          }
          line.append(whole)
              .append('.')
              .append(String.format(Locale.ROOT, "%02d", fraction))
              .append(',')
              .append(STATUS[random.nextInt(STATUS.length)])
              .append(',')
              .append(day)
              .append(' ')
              .append(
                  String.format(
                      Locale.ROOT,
                      "%02d:%02d:%02d",
                      seconds / 3600,
                      seconds / 60 % 60,
                      seconds % 60))
              .append('\n');
          w.append(line);
        }
      }
    }
    return BigDecimal.valueOf(cents, 2);
  }

  /** How many orders {@link #generate(Path, long, int, long, int)} writes. */
  public static long orders(long rows, int days, int versions) {
    long orders = 0;
    for (int d = 0; d < days; d++) {
      orders += dayOrders(dayRows(rows, days, d), versions);
    }
    return orders;
  }

  /** The rows of day {@code d}: an even share, the last day taking the rest. */
  private static long dayRows(long rows, int days, int d) {
    long perDay = rows / days;
    return d == days - 1 ? rows - perDay * (days - 1) : perDay;
  }

  /**
   * The orders of a day of {@code n} rows, {@code versions} rows an order (the last may have
   * fewer).
   */
  private static long dayOrders(long n, int versions) {
    return (n + versions - 1) / versions;
  }
}
