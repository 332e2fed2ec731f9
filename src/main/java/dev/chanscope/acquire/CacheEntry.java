package dev.chanscope.acquire;

import java.nio.file.Path;

/** A complete cache entry: a directory named by the input's content hash, and its manifest. */
record CacheEntry(Path dir, Manifest manifest) {
    Path core() {
        return dir.resolve(manifest.core());
    }

    AcquiredInput toInput(Path original) {
        return new AcquiredInput(core(), manifest.binary().map(dir::resolve), manifest.layers(), original);
    }
}
