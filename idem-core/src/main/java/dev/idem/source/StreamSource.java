package dev.idem.source;

import java.util.List;

/**
 * A source that reads a stream cut into offsets windows (a Kafka topic). Its windows are planned
 * from the ledger ({@link #windows(dev.idem.window.WindowSpec, java.util.List)}); a run either
 * loads what the stream holds when it starts, or follows it.
 */
public interface StreamSource extends Source {
  /**
   * A new instance of this source whose input ends where the stream ends when it first plans (a
   * bounded run).
   */
  StreamSource upToNow();

  /**
   * A new instance of this source that follows the stream: each plan goes up to the stream's end at
   * that moment.
   */
  StreamSource following();

  /**
   * Each partition's lag as the last plan ({@link #windows(dev.idem.window.WindowSpec,
   * java.util.List)}) saw it: the offsets from the next position to load to the stream's end. Empty
   * before the first plan, or when the source cannot tell. Read once per round, so it comes from
   * what the plan already asked the stream, not from a request of its own.
   */
  default List<PartitionLag> lag() {
    return List.of();
  }
}
