package dev.idem.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare HTTP/1.0 GET or POST on a socket, so a test can send any Host header (a browser would).
 */
record Http(int status, String headers, String body) {
  static Http get(int port, String path) throws IOException {
    return get(port, path, "127.0.0.1:" + port);
  }

  static Http get(int port, String path, String host) throws IOException {
    return send(port, "GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n", "");
  }

  /** A form's POST ({@code origin} null: no Origin header, as curl sends it). */
  static Http post(int port, String path, String origin, String form) throws IOException {
    byte[] body = form.getBytes(StandardCharsets.UTF_8);
    return send(
        port,
        "POST "
            + path
            + " HTTP/1.0\r\nHost: 127.0.0.1:"
            + port
            + "\r\n"
            + (origin == null ? "" : "Origin: " + origin + "\r\n")
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
            + body.length
            + "\r\n",
        form);
  }

  private static Http send(int port, String request, String body) throws IOException {
    try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      out.write((request + "Connection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int split = response.indexOf("\r\n\r\n");
      String head = response.substring(0, split);
      int status = Integer.parseInt(head.substring(9, 12));
      return new Http(status, head, response.substring(split + 4));
    }
  }
}
