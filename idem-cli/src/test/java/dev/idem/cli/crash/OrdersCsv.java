package dev.idem.cli.crash;

import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Random;

/**
 * The input of the kill suites: one CSV file of orders per day ({@code orders-<day>.csv}: order_id,
 * customer, amount, ingested_at), ids drawn from half as many as there are rows so that later days
 * correct earlier ones, and optionally exact duplicate lines, which a load folds.
 */
final class OrdersCsv {
  private OrdersCsv() {}

  /**
   * Writes {@code days} files from {@code from} into {@code dir}, the same for the same arguments.
   *
   * @param customer the customers' prefix (a quote in it exercises quoting in the destination)
   * @param duplicateOneIn one line in this many is written twice; 0 for none
   */
  static void write(
      Path dir,
      long seed,
      LocalDate from,
      int days,
      int rowsPerDay,
      String customer,
      int customers,
      int duplicateOneIn)
      throws IOException {
    Files.createDirectories(dir);
    Random random = new Random(seed);
    for (int day = 0; day < days; day++) {
      LocalDate d = from.plusDays(day);
      try (BufferedWriter w =
          Files.newBufferedWriter(dir.resolve("orders-" + d + ".csv"), StandardCharsets.UTF_8)) {
        w.write("order_id,customer,amount,ingested_at\n");
        for (int i = 0; i < rowsPerDay; i++) {
          long id = random.nextInt(days * rowsPerDay / 2);
          String line =
              id
                  + ","
                  + customer
                  + random.nextInt(customers)
                  + ","
                  + BigDecimal.valueOf(random.nextInt(100_000), 2)
                  + ","
                  + d
                  + " "
                  + String.format(
                      Locale.ROOT,
                      "%02d:%02d:%02d",
                      i * 24 / rowsPerDay,
                      random.nextInt(60),
                      random.nextInt(60))
                  + "\n";
          w.write(line);
          if (duplicateOneIn > 0 && random.nextInt(duplicateOneIn) == 0) {
            w.write(line);
          }
        }
      }
    }
  }
}
