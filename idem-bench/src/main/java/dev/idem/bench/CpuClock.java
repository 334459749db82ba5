package dev.idem.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * CPU time of this JVM (the broker included) plus PostgreSQL's: the postmaster, its live children
 * and the children it has reaped (connections closed). On a machine shared with other work, CPU
 * time varies much less than wall time.
 */
final class CpuClock {
  private static final double TICKS = 100; // USER_HZ, 100 on Linux
  private final long postmaster;

  private CpuClock(long postmaster) {
    this.postmaster = postmaster;
  }

  static CpuClock of(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      long[] st = stat(rs.getLong(1)); // read while the backend lives: its parent is the postmaster
      return new CpuClock(st == null ? -1 : st[0]);
    }
  }

  /** This JVM only: for cases with no database server. */
  static CpuClock jvmOnly() {
    return new CpuClock(-1);
  }

  double jvm() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1e9;
  }

  double postgres() {
    if (postmaster < 0) {
      return 0;
    }
    long ticks = 0;
    File[] procs =
        new File("/proc").listFiles((dir, name) -> name.chars().allMatch(Character::isDigit));
    for (File f : procs == null ? new File[0] : procs) {
      long pid = Long.parseLong(f.getName());
      long[] st = stat(pid);
      if (st == null) {
        continue;
      }
      if (pid == postmaster) {
        ticks += st[1] + st[2];
      } else if (st[0] == postmaster) {
        ticks += st[1];
      }
    }
    return ticks / TICKS;
  }

  /** [ppid, own utime+stime, reaped children's cutime+cstime] of a process, or null if gone. */
  private static long[] stat(long pid) {
    try {
      String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ", -1);
      // after "pid (comm) ": state ppid ... utime(12) stime(13) cutime(14) cstime(15), 0-based from
      // state
      return new long[] {
        Long.parseLong(f[1]),
        Long.parseLong(f[11]) + Long.parseLong(f[12]),
        Long.parseLong(f[13]) + Long.parseLong(f[14])
      };
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
