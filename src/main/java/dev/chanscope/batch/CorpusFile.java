package dev.chanscope.batch;

import java.nio.file.Path;

/**
 * A core to analyze.
 *
 * @param path the file, as found under the PATH argument (relative when the argument was)
 * @param key  its path relative to that argument, '/'-separated: what {@link Shard} splits by
 */
public record CorpusFile(Path path, String key) {}
