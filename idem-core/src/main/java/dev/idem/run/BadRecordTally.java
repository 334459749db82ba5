package dev.idem.run;

import dev.idem.DataException;
import dev.idem.destination.WindowWrite;
import dev.idem.ledger.DeadLetter;
import dev.idem.pipeline.Pipeline;
import dev.idem.source.SourceRecord;
import dev.idem.window.Window;
import java.util.ArrayList;
import java.util.List;

/**
 * A window's bad records, and the one place the pipeline's bad-record limits are judged. Records
 * the reader or the destination refused one by one go to the write's dead letters as they come and
 * are judged at once ({@link #add}) and for the whole window once read ({@link #finish}); rows the
 * destination refuses when it prepares the window are judged with them ({@link
 * #refusedWhenPrepared}). The first {@value #KEPT_LETTERS} letters are also kept here, outside the
 * window's transaction: a window failed on them is rolled back, and they are written again with its
 * failure.
 */
final class BadRecordTally {
  /**
   * Dead letters kept in memory for a window that fails on them (they are written again after the
   * rollback).
   */
  static final int KEPT_LETTERS = 1_000;

  private final Pipeline pipeline;
  private final Window window;
  private final List<DeadLetter> kept = new ArrayList<>();
  private long count;
  private long read;

  BadRecordTally(Pipeline pipeline, Window window) {
    this.pipeline = pipeline;
    this.window = window;
  }

  /**
   * A bad record, the {@code read}-th record of the window: dead-lettered in {@code write}, and the
   * window fails once past the limits.
   */
  void add(WindowWrite write, SourceRecord record, long read) {
    DeadLetter letter = DeadLetter.of(window.id(), record);
    write.deadLetter(letter);
    keep(letter);
    check(pipeline.badRecords().exceeded(++count, read, false));
  }

  /** The window is read, {@code read} records in all: judged as a whole. */
  void finish(long read) {
    this.read = read;
    check(pipeline.badRecords().exceeded(count, read, true));
  }

  /**
   * Staged rows the destination refused while preparing the window, already in its dead letters:
   * counted with the others, and the window fails once past the limits.
   */
  void refusedWhenPrepared(List<DeadLetter> letters) {
    letters.forEach(this::keep);
    check(pipeline.badRecords().exceeded(count + letters.size(), read, true));
  }

  /**
   * Bad records counted so far (the destination's refusals when preparing not included: they are
   * its counts).
   */
  long count() {
    return count;
  }

  /**
   * The failure a data error becomes: with the letters kept so far, or as it is when there are
   * none.
   */
  DataException failure(DataException stopped) {
    return kept.isEmpty() ? stopped : new BadRecords(stopped, kept);
  }

  private void keep(DeadLetter letter) {
    if (kept.size() < KEPT_LETTERS) {
      kept.add(letter);
    }
  }

  private void check(String exceeded) {
    if (exceeded != null) {
      throw new BadRecords(window, exceeded, kept);
    }
  }
}
