package dev.chanscope.batch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Optional;

/**
 * One core's analyze report as the batch receives it: everything but the goroutine list as a
 * (small) tree, and the list as something that writes itself into the line. At 100,000
 * goroutines the list as a tree took 2 GB (issue 17); written straight into the line's bytes it
 * needs none.
 *
 * @param head       the report without its {@code goroutines} field
 * @param goroutines writes the {@code goroutines} field, placed right after {@code goroutineCount}
 */
public record CoreReport(ObjectNode head, Optional<ListWriter> goroutines) {
    /** Writes one field (its name and value) of the report. */
    @FunctionalInterface
    public interface ListWriter {
        void write(JsonGenerator g) throws IOException;
    }

    /** A report that is all tree (a crash log's, a test's). */
    public static CoreReport of(ObjectNode report) {
        return new CoreReport(report, Optional.empty());
    }
}
