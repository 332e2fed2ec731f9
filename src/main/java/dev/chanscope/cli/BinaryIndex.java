package dev.chanscope.cli;

import dev.chanscope.acquire.AcquiredInput;
import dev.chanscope.acquire.Acquirer;
import dev.chanscope.acquire.Format;
import dev.chanscope.elf.BuildSearch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The {@code --binary-search} index: built on first use, then shared by every core of a batch
 * (from any of its threads), so the directories are walked and the candidates' build ids read
 * once, not once per core.
 */
final class BinaryIndex {
    private final List<Path> roots;
    private BuildSearch.Index index; // guarded by this

    BinaryIndex(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    synchronized BuildSearch.Index get() {
        if (index == null) {
            index = new BuildSearch(unwrapper(null)).index(roots);
        }
        return index;
    }

    /**
     * Compressed candidates go through the acquisition layer: its decoders for the first bytes,
     * and, for the one that matches, its unpacking into the cache.
     *
     * @param acquirer the analysis's acquirer, or null while indexing (nothing is unpacked then)
     */
    static BuildSearch.Unwrapper unwrapper(Acquirer acquirer) {
        return new BuildSearch.Unwrapper() {
            @Override
            public boolean recognises(byte[] head) {
                return Format.detect(head, head.length).kind() == Format.Kind.COMPRESSED;
            }

            @Override
            public InputStream open(Path file) throws IOException {
                return Acquirer.openDecompressed(file);
            }

            @Override
            public Optional<Path> unwrap(Path file) {
                return acquirer == null ? Optional.empty() : Optional.of(acquirer.acquire(file)).map(AcquiredInput::core);
            }
        };
    }
}
