package dev.chanscope.acquire;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * @param core      a plain (uncompressed) file to analyze: an ELF core, or whatever the input
 *                  unwrapped to (the target layer decides whether it is a core)
 * @param binary    the executable found next to the core inside a bundle, if any
 * @param layers    the containers unwrapped, outermost first, e.g. ["tar", "zstd"]; empty for a plain file
 * @param original  the path the user gave
 * @param binaries  every program the bundle held (at most {@link #MAX_BINARIES}), likeliest first ({@code binary}
 *                  is the first): the caller picks the one whose build id is the core's
 */
public record AcquiredInput(Path core, Optional<Path> binary, List<String> layers, Path original,
                            List<Candidate> binaries) {
    /** Programs kept from one bundle. */
    public static final int MAX_BINARIES = 4;

    /** A program found in a bundle: the unpacked file and the member it came from. */
    public record Candidate(Path file, String member) {}

    public AcquiredInput(Path core, Optional<Path> binary, List<String> layers, Path original) {
        this(core, binary, layers, original, binary.map(b -> List.of(new Candidate(b, b.getFileName().toString())))
                .orElse(List.of()));
    }
}
