package dev.idem.jdbc.dialect.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy between a client and PostgreSQL that injects one network fault when armed: the
 * connection reset after a given number of bytes in either direction (mid-COPY, mid-statement,
 * mid-result), a stall past the client's socket timeout followed by a reset, or a COMMIT that
 * reaches the server while its reply is dropped (the commit happened; the client cannot know).
 * After the fault fired it forwards faithfully, so retries can succeed.
 */
final class FaultProxy implements AutoCloseable {
  enum Fault {
    NONE,
    CUT_TO_SERVER,
    CUT_TO_CLIENT,
    STALL,
    DROP_COMMIT_REPLY,
    DROP_WINDOW_COMMIT_REPLY
  }

  /**
   * One armed fault: the byte offset it fires at (from arming), or for a COMMIT, how many COMMITs
   * to let through first.
   */
  record Plan(Fault fault, long offset, int commitsToSkip) {
    static final Plan NONE = new Plan(Fault.NONE, 0, 0);
  }

  private static final byte[] COMMIT = "COMMIT\0".getBytes(StandardCharsets.US_ASCII);

  /** idem takes the transaction id just before a window's COMMIT. */
  private static final byte[] XACT_ID = "pg_current_xact_id".getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket listener;
  private final int targetPort;
  private final Duration stall;
  private volatile Plan plan = Plan.NONE;
  private final AtomicBoolean fired = new AtomicBoolean(true);
  private final AtomicLong toServer = new AtomicLong();
  private final AtomicLong toClient = new AtomicLong();
  private final AtomicInteger commits = new AtomicInteger();
  private volatile boolean closed;

  FaultProxy(int targetPort, Duration stall) throws IOException {
    this.targetPort = targetPort;
    this.stall = stall;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::acceptLoop, "fault-proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Arms one fault; counters start from zero. */
  void arm(Plan p) {
    toServer.set(0);
    toClient.set(0);
    commits.set(0);
    plan = p;
    fired.set(p.fault() == Fault.NONE);
  }

  boolean fired() {
    return plan.fault() != Fault.NONE && fired.get();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        Pair pair = new Pair(client, server);
        start(pair, true);
        start(pair, false);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void start(Pair pair, boolean towardServer) {
    Thread t =
        new Thread(() -> pump(pair, towardServer), "fault-proxy-" + (towardServer ? "up" : "down"));
    t.setDaemon(true);
    t.start();
  }

  /** The two ends of one proxied connection. */
  private static final class Pair {
    final Socket client;
    final Socket server;
    volatile boolean dropNextReply;
    volatile boolean windowCommitNext;

    Pair(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    /** Both ends closed with a TCP reset, as a broken network or a killed peer would. */
    void reset() {
      for (Socket s : new Socket[] {client, server}) {
        try {
          s.setSoLinger(true, 0);
          s.close();
        } catch (IOException ignored) {
          // already gone
        }
      }
    }
  }

  private void pump(Pair pair, boolean towardServer) {
    byte[] buf = new byte[8192];
    try {
      InputStream in = (towardServer ? pair.client : pair.server).getInputStream();
      OutputStream out = (towardServer ? pair.server : pair.client).getOutputStream();
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        Plan p = plan;
        if (!fired.get()) {
          if (towardServer && (p.fault() == Fault.CUT_TO_SERVER || p.fault() == Fault.STALL)) {
            long before = toServer.getAndAdd(n);
            if (before + n > p.offset() && fired.compareAndSet(false, true)) {
              out.write(buf, 0, (int) (p.offset() - before));
              out.flush();
              if (p.fault() == Fault.STALL) {
                Thread.sleep(stall.toMillis());
              }
              pair.reset();
              return;
            }
          } else if (!towardServer && p.fault() == Fault.CUT_TO_CLIENT) {
            long before = toClient.getAndAdd(n);
            if (before + n > p.offset() && fired.compareAndSet(false, true)) {
              out.write(buf, 0, (int) (p.offset() - before));
              out.flush();
              pair.reset();
              return;
            }
          } else if (towardServer
              && p.fault() == Fault.DROP_WINDOW_COMMIT_REPLY
              && contains(buf, n, XACT_ID)) {
            pair.windowCommitNext = true;
          } else if (towardServer
              && (p.fault() == Fault.DROP_COMMIT_REPLY || pair.windowCommitNext)
              && contains(buf, n, COMMIT)
              && commits.incrementAndGet() > p.commitsToSkip()) {
            pair.dropNextReply = true;
          } else if (!towardServer && pair.dropNextReply && fired.compareAndSet(false, true)) {
            // the server has executed the COMMIT and answered: the answer is lost
            pair.reset();
            return;
          }
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // the other side is gone: close ours too
    }
    pair.reset();
  }

  private static boolean contains(byte[] buf, int n, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= n; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (buf[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
  }
}
