package dev.idem.source.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The byte check that lets a database split a CSV file itself (ADR 0009): a file passes only when
 * nothing in it could be read differently by Commons CSV and another strict reader; quoted fields
 * pass when they are whole fields on one line.
 */
class PlainCsvFileTest {
  @TempDir Path dir;

  private Optional<PlainCsvFile.Shape> check(byte[] bytes) throws IOException {
    Path f = dir.resolve("f.csv");
    Files.write(f, bytes);
    return PlainCsvFile.check(f, ',', '"');
  }

  private Optional<PlainCsvFile.Shape> check(String text) throws IOException {
    return check(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void plainFilesPassWithTheirHeaderFieldsAndLineEnding() throws IOException {
    assertThat(check("a,b\n1,x\n2,\n")).contains(new PlainCsvFile.Shape("a,b", 2, false));
    assertThat(check("a,b\r\n1,x\r\n,y")).contains(new PlainCsvFile.Shape("a,b", 2, true));
    assertThat(check("a,b\n")).contains(new PlainCsvFile.Shape("a,b", 2, false));
    assertThat(check("a,b\n1, é ß\n")).isPresent();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a,b\n1,x\"y\n", // a quote inside a field
        "a,b\n1,\"x\"y\n", // characters after a closing quote
        "a,b\n1, \"x\"\n", // a quote after a space
        "a,b\n1,\"x\ny\"\n", // a line break inside quotes
        "a,b\r\n1,\"x\ry\"\r\n", // a CR inside quotes
        "a,b\n1,\"x\n", // a quote never closed
        "a,b\n1,\"x", // a quote never closed, at the end of the file
        "\"a\",b\n1,x\n", // a quoted header name
        "a,b\n1,\"x\u0000\"\n", // a NUL inside quotes
        "a,b\n\n1,x\n", // a blank line
        "a,b\n1,x\n\n", // a blank last line
        "a,b\n1,x\rmore\n", // a lone CR
        "a,b\r\n1,x\n", // mixed line endings
        "a,b\n1,x,y\n", // too many fields
        "a,b\n1\n", // too few
        "a,b\n1,x\r", // ends with a CR
        "\uFEFFa,b\n1,x\n", // a byte order mark
        "a,b\n1,\u0000\n", // a NUL
        "" // empty
      })
  void anythingAReaderMightSplitDifferentlyFails(String text) throws IOException {
    assertThat(check(text)).isEmpty();
  }

  @Test
  void wholeFieldsInQuotesOnOneLinePass() throws IOException {
    assertThat(check("a,b\n1,\"x\"\n")).contains(new PlainCsvFile.Shape("a,b", 2, false));
    assertThat(check("a,b\n\"1\",\"x,y\"\n\"\",\"say \"\"hi\"\"\"\n"))
        .as("delimiters and doubled quotes inside, an empty quoted field")
        .contains(new PlainCsvFile.Shape("a,b", 2, false));
    assertThat(check("a,b\r\n1,\"é\"\r\n2,\"x\"")).contains(new PlainCsvFile.Shape("a,b", 2, true));
    assertThat(check("a,b\n1,\"\"\"\"\n")).as("a field of one quote").isPresent();
  }

  @Test
  void invalidUtf8Fails() throws IOException {
    assertThat(check(new byte[] {'a', ',', 'b', '\n', '1', ',', (byte) 0xc3, '\n'})).isEmpty();
  }

  @Test
  void utf8IsCheckedAcrossTheChunksItIsReadIn() throws IOException {
    // two-byte characters on every line, so that one spans the boundary of a 64 KiB chunk
    String valid = "a,b\n" + "1,é\n".repeat(40_000);
    assertThat(check(valid)).isPresent();
    byte[] bytes = (valid + "2,x").getBytes(StandardCharsets.UTF_8);
    bytes[bytes.length - 1] = (byte) 0xc3; // a sequence cut short by the end of the file
    assertThat(check(bytes)).isEmpty();
    bytes[bytes.length - 1] = 'x';
    bytes[100_000] = (byte) 0xff; // never valid, in the middle of the second chunk
    assertThat(check(bytes)).isEmpty();
  }

  @Test
  void aLineOverTheLimitFails() throws IOException {
    assertThat(check("a,b\n1," + "x".repeat(dev.idem.source.CsvFiles.MAX_LINE_BYTES) + "\n"))
        .isEmpty();
  }
}
