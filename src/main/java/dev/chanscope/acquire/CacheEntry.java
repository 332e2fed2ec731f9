package dev.chanscope.acquire;

import java.nio.file.Path;

/** A complete cache entry: a directory named by the input's content hash, and its manifest. */
record CacheEntry(Path dir, Manifest manifest) {
    Path core() {
        return dir.resolve(manifest.core());
    }

    AcquiredInput toInput(Path original) {
        java.util.List<AcquiredInput.Candidate> all = new java.util.ArrayList<>();
        manifest.binary().ifPresent(b -> all.add(new AcquiredInput.Candidate(dir.resolve(b), manifest.binaryMember())));
        manifest.alternates().forEach(a -> all.add(new AcquiredInput.Candidate(dir.resolve(a.file()), a.member())));
        return new AcquiredInput(core(), manifest.binary().map(dir::resolve), manifest.layers(), original,
                java.util.List.copyOf(all));
    }
}
