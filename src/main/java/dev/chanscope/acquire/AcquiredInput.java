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
 */
public record AcquiredInput(Path core, Optional<Path> binary, List<String> layers, Path original) {}
