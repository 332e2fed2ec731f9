package dev.chanscope.cli;

import dev.chanscope.diagnose.SourceIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where the diagnosis may look for the program's source. */
final class DiagnoseOptions {
    @Option(names = "--source-root", paramLabel = "DIR",
            description = "A checkout of the program's source. Files are matched by the longest suffix of the path"
                    + " the binary recorded, so the checkout may live anywhere. Repeatable. Without it, the recorded"
                    + " paths are used when they exist on this machine.")
    List<Path> sourceRoots = new ArrayList<>();

    @Option(names = "--no-source", description = "Diagnose from the Go program's memory (the core, or the live process) and its binary only,"
            + " ignoring any source.")
    boolean noSource;

    @Option(names = {"-v", "--verbose"}, description = "Also print the evidence with its weights and the machine code"
            + " notation, the patterns considered, and the calls the binary scan could not follow (the JSON always"
            + " has them).")
    boolean verbose;

    /** @throws dev.chanscope.ChanscopeException when a --source-root is not a readable directory */
    SourceIndex sourceIndex() {
        sourceRoots.forEach(d -> PathCheck.directory(d, "--source-root"));
        return noSource ? SourceIndex.none() : new SourceIndex(sourceRoots);
    }
}
