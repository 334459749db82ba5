package dev.idem.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A bare HTTP/1.0 GET on a socket, so a test can send any Host header (a browser would). */
record Http(int status, String headers, String body) {
  static Http get(int port, String path) throws IOException {
    return get(port, path, "127.0.0.1:" + port);
  }

  static Http get(int port, String path, String host) throws IOException {
    try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
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
