package dev.chanscope.acquire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What one unpacking found and chose: the core, the likeliest program, and the notes and
 * listings that explain it (or explain why there is no core). It writes the two chosen files
 * into the workspace; nothing else from a bundle is ever written.
 */
final class Selection {
    private static final int LISTED_NAMES = 8;
    private static final Pattern SHARED_LIBRARY = Pattern.compile(".*\\.so(\\.[0-9.]+)?$");

    private record CorePick(String memberPath, Path file, long size, List<Format> layers) {}

    /** @param score higher is likelier the program that dumped: ET_EXEC 2, executable bit 1 */
    private record BinaryPick(String memberPath, Path file, long size, int score) {}

    private final Workspace workspace;
    private final SparseCopier copier;
    private final long maxCoreSize;
    private final List<String> notes = new ArrayList<>();
    private final List<String> listed = new ArrayList<>();
    private int files;
    private int skipped;
    private boolean memberLimitHit;
    private Format firstBundle;
    private CorePick core;
    /** True while the core's bytes are being written: damage then is fatal, not skippable. */
    private boolean writingCore;
    private InputFault firstDamaged;
    /** The programs kept, likeliest first. */
    private final List<BinaryPick> binaries = new ArrayList<>();
    private int binaryCounter;

    Selection(Workspace workspace, SparseCopier copier, long maxCoreSize) {
        this.workspace = workspace;
        this.copier = copier;
        this.maxCoreSize = maxCoreSize;
    }

    void enterBundle(Format bundle) {
        if (firstBundle == null) {
            firstBundle = bundle;
        }
    }

    /** A non-directory member, listed in the "no core" message. */
    void saw(Origin member) {
        files++;
        if (listed.size() < LISTED_NAMES) {
            listed.add(member.memberPath());
        }
    }

    void skipped(Format bundle, Origin member, String reason) {
        skipped++;
        notes.add("skipped " + bundle.label() + " member '" + member.memberPath() + "': " + reason);
    }

    void memberLimitHit(int limit) {
        memberLimitHit = true;
        notes.add("stopped after " + limit + " bundle members; later members were not searched");
    }

    void takeCore(Peeled peeled, Origin origin) throws IOException {
        takeCore(peeled, origin, -1);
    }

    /**
     * @param declaredSize the size the bundle states for the core's bytes (a tar member stored
     *                     uncompressed, sparse or not), -1 when unknown: one over the cap is refused
     *                     before a byte is expanded (a sparse member can claim exabytes of holes)
     */
    void takeCore(Peeled peeled, Origin origin, long declaredSize) throws IOException {
        if (core != null) {
            notes.add("found a second core, '" + origin.memberPath() + "'; using the first, '"
                    + core.memberPath() + "'");
            return;
        }
        writingCore = true;
        if (declaredSize > maxCoreSize) {
            throw InputFault.overCap(origin.prefix() + "the core", maxCoreSize);
        }
        Path file = workspace.file("core");
        long size = copier.copy(peeled.stream(), file, maxCoreSize,
                () -> InputFault.overCap(origin.prefix() + "the core", maxCoreSize));
        writingCore = false;
        core = new CorePick(origin.memberPath(), file, size, peeled.layers());
    }

    long coreSize() {
        return core.size();
    }

    /**
     * Keeps the likeliest program seen so far. Shared libraries are ET_DYN too, but a core's
     * program never is one, so members named like libraries are passed over.
     */
    void offerBinary(Member.Regular member, ElfHeader header, Peeled peeled, Origin origin) throws IOException {
        String baseName = member.name().substring(member.name().lastIndexOf('/') + 1);
        if (header.type() == ElfHeader.ET_DYN && SHARED_LIBRARY.matcher(baseName).matches()) {
            return;
        }
        int score = (header.type() == ElfHeader.ET_EXEC ? 2 : 0) + (member.executable() ? 1 : 0);
        // Several programs are kept (the likeliest first): which one is the core's build is for
        // the build ids to say, once the core is open, not for the order of the members.
        if (binaries.size() >= AcquiredInput.MAX_BINARIES && score <= binaries.get(binaries.size() - 1).score()) {
            notes.add("not kept: program '" + origin.memberPath() + "' (the bundle holds more than "
                    + AcquiredInput.MAX_BINARIES + " programs)");
            return;
        }
        Path file = workspace.file("binary-" + ++binaryCounter);
        long size;
        try {
            size = copier.copy(peeled.stream(), file, maxCoreSize,
                    () -> InputFault.overCap(origin.prefix() + "the executable", maxCoreSize));
        } catch (IOException e) {
            Files.deleteIfExists(file); // never leave half a binary where a salvaged entry would keep it
            throw e;
        }
        binaries.add(new BinaryPick(origin.memberPath(), file, size, score));
        binaries.sort(java.util.Comparator.comparingInt(BinaryPick::score).reversed()); // stable: ties by position
        while (binaries.size() > AcquiredInput.MAX_BINARIES) {
            BinaryPick dropped = binaries.remove(binaries.size() - 1);
            Files.deleteIfExists(dropped.file());
            notes.add("not kept: program '" + dropped.memberPath() + "' (the bundle holds more than "
                    + AcquiredInput.MAX_BINARIES + " programs)");
        }
    }

    /**
     * Support bundles hold more than the core: rotated logs still being written when the bundle
     * was made come out truncated. A member damaged in its own layers (the bundle around it being
     * fine) is skipped with a note, unless it is the core. If no core turns up, the first such
     * member is named in the error, as the likeliest place the core was.
     */
    void skipDamaged(InputFault fault, Origin member) throws InputFault {
        if (writingCore || !fault.within(member.memberPath())) {
            throw fault;
        }
        notes.add(fault.getMessage() + "; skipped it");
        if (firstDamaged == null) {
            firstDamaged = fault;
        }
    }

    /**
     * A bundle cut short after its core was read whole (a download stopped at 90 %, the core
     * first in the tar) still gives a usable core: keep it, and say what was lost.
     */
    void salvage(InputFault fault) throws InputFault {
        if (fault.kind() != InputFault.Kind.TRUNCATED || core == null || firstBundle == null) {
            throw fault;
        }
        notes.add(fault.getMessage() + "; the core comes before the cut and is complete");
    }

    /** @throws InputFault when no core was found */
    Manifest finish() throws IOException {
        if (core == null) {
            throw noCore();
        }
        Optional<String> binaryName = Optional.empty();
        long binarySize = 0;
        if (firstBundle != null) {
            notes.add(0, "core: '" + core.memberPath() + "' from the " + firstBundle.label());
        }
        List<Manifest.Alternate> alternates = new ArrayList<>();
        if (!binaries.isEmpty()) {
            BinaryPick binary = binaries.get(0);
            Files.move(binary.file(), workspace.file("binary"));
            binaryName = Optional.of("binary");
            binarySize = binary.size();
            notes.add(1, "executable: '" + binary.memberPath() + "' from the " + firstBundle.label());
            for (int i = 1; i < binaries.size(); i++) {
                BinaryPick b = binaries.get(i);
                String name = "binary-alt-" + i;
                Files.move(b.file(), workspace.file(name));
                alternates.add(new Manifest.Alternate(name, b.size(), b.memberPath()));
                notes.add(1 + i, "also a program: '" + b.memberPath() + "' from the " + firstBundle.label()
                        + " (tried when the first is not the core's build)");
            }
        }
        List<String> labels = core.layers().stream().map(Format::label).toList();
        return new Manifest(labels, core.file().getFileName().toString(), core.size(), binaryName, binarySize,
                notes, alternates);
    }

    private InputFault noCore() {
        StringBuilder message = new StringBuilder("no core found in the ").append(firstBundle.label())
                .append(": it holds ").append(files).append(files == 1 ? " file" : " files");
        if (files > 0) {
            message.append(" (").append(String.join(", ", listed)).append(files > listed.size() ? ", …)" : ")");
        }
        message.append("; expected an ELF core file (e_type ET_CORE)");
        if (skipped > 0) {
            message.append("; ").append(skipped).append(" unsafe or link member(s) were skipped");
        }
        if (memberLimitHit) {
            message.append("; searched only the first ").append(Extraction.MAX_MEMBERS).append(" members");
        }
        if (firstDamaged != null) {
            message.append("; unreadable: ").append(firstDamaged.getMessage());
        }
        return new InputFault(message.toString());
    }
}
