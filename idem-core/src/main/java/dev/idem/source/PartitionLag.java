package dev.idem.source;

/**
 * How far a stream's partition is behind: {@code records} offsets lie between the next position to
 * load and the partition's end (for Kafka, its last stable offset as the plan saw it).
 */
public record PartitionLag(String topic, int partition, long records) {}
