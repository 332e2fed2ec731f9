package dev.chanscope.acquire;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * One unpacking of one input into a workspace: peels compression, searches bundles (members
 * may be compressed, or bundles themselves) for the core and the program, and writes only
 * those two. Everything else in a bundle is read past, never written. Used for one call.
 */
final class Extraction {
    /** Members looked at per input, over all nested bundles: a bound on work, not on disk. */
    static final int MAX_MEMBERS = 10_000;
    private static final int LISTED_NAMES = 8;
    private static final Pattern SHARED_LIBRARY = Pattern.compile(".*\\.so(\\.[0-9.]+)?$");

    private record CorePick(String memberPath, Path file, long size, List<Format> layers) {}

    /** @param score higher is likelier the program that dumped: ET_EXEC 2, executable bit 1 */
    private record BinaryPick(String memberPath, Path file, long size, int score) {}

    private interface Opener {
        InputStream open() throws IOException;
    }

    private final Workspace workspace;
    private final long maxCoreSize;
    private final long streamCap;
    private final Peeler peeler;
    private final ProgressListener progress;
    private final SparseCopier copier = new SparseCopier();
    private final List<String> notes = new ArrayList<>();
    private final List<String> listed = new ArrayList<>();
    private int visited;
    private int files;
    private int skipped;
    private boolean memberLimitHit;
    private Format firstBundle;
    private CorePick core;
    private BinaryPick binary;
    private int fileCounter;

    Extraction(Workspace workspace, long maxCoreSize, ProgressListener progress) {
        this.workspace = workspace;
        this.maxCoreSize = maxCoreSize;
        this.streamCap = maxCoreSize > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : maxCoreSize * 2;
        this.peeler = new Peeler(streamCap, maxCoreSize);
        this.progress = progress;
    }

    Manifest run(Path input, long size) throws IOException {
        String label = "unpacking " + input.getFileName();
        Origin origin = Origin.file(size);
        try (InputStream raw = new ProgressStream(new ReadFaultStream(Files.newInputStream(input)),
                progress, label, size)) {
            try (Peeled peeled = peeler.peel(raw, List.of(), origin)) {
                switch (peeled.format()) {
                    case TAR -> scanTar(peeled, origin);
                    // A zip needs random access (its directory is at the end, and symlinks are
                    // only marked there): read the input in place when it is a plain zip.
                    case ZIP -> scanZip(peeled, origin, peeled.layers().isEmpty() ? input : null);
                    default -> takeWhole(peeled, origin);
                }
            }
        }
        progress.progress(label, size, size);
        if (core == null) {
            throw noCore();
        }
        return manifest();
    }

    /** A compressed file that is not a bundle: whatever it holds is handed on as the core. */
    private void takeWhole(Peeled peeled, Origin origin) throws IOException {
        takeCore(peeled, origin);
        if (core.size() == 0) {
            Format last = peeled.layers().get(peeled.layers().size() - 1);
            throw new InputFault("the " + last.noun() + " holds no data (0 bytes once decompressed)");
        }
    }

    private void scanTar(Peeled peeled, Origin origin) throws IOException {
        Peeler.requireDepth(peeled.layers(), Format.TAR, origin);
        enterBundle(Format.TAR);
        List<Format> layers = append(peeled.layers(), Format.TAR);
        TarEndWatch end = new TarEndWatch(peeled.stream());
        EofWatch watch = new EofWatch(end);
        LayerGuard.Blame blame = new LayerGuard.Blame(origin.prefix(), Format.TAR, watch::reachedEnd,
                peeled.truncatedHint());
        TarArchiveInputStream tar = new TarArchiveInputStream(watch);
        InputStream memberData = new CloseShield(new LayerGuard(tar, blame));
        while (!memberLimitHit) {
            TarArchiveEntry entry = LayerGuard.guarded(blame, tar::getNextEntry);
            if (entry == null) {
                if (!end.endedCleanly()) {
                    endedEarly(blame.endsEarly());
                }
                return;
            }
            visit(Member.of(entry), () -> memberData, layers, Format.TAR, origin);
        }
    }

    /**
     * A bundle cut short between members: fatal if the core was not reached, only worth a note
     * if it was (the core itself was read whole, or its member would have failed).
     */
    private void endedEarly(InputFault fault) throws InputFault {
        if (core == null) {
            throw fault;
        }
        notes.add(fault.getMessage() + "; the core comes before the cut and is complete");
    }

    /** @param inPlace the zip file itself, or null when it must first be written out from a stream */
    private void scanZip(Peeled peeled, Origin origin, Path inPlace) throws IOException {
        Peeler.requireDepth(peeled.layers(), Format.ZIP, origin);
        enterBundle(Format.ZIP);
        List<Format> layers = append(peeled.layers(), Format.ZIP);
        Path file = inPlace;
        if (file == null) {
            file = workspace.file("bundle-" + ++fileCounter + ".zip");
            copier.copy(peeled.stream(), file, streamCap,
                    () -> InputFault.overStreamCap(origin.prefix() + "the zip data", maxCoreSize));
        }
        LayerGuard.Blame blame = new LayerGuard.Blame(origin.prefix(), Format.ZIP, () -> false,
                peeled.truncatedHint());
        try (ZipFile zip = openZip(file, origin)) {
            for (ZipArchiveEntry entry : Collections.list(zip.getEntriesInPhysicalOrder())) {
                if (memberLimitHit) {
                    break;
                }
                Origin member = origin.member(entry.getName(), Format.ZIP);
                Opener opener = () -> new ProgressStream(
                        new LayerGuard(LayerGuard.guarded(blame, () -> zip.getInputStream(entry)), blame),
                        progress, "unpacking " + member.memberPath(), entry.getSize());
                visit(Member.of(entry, zip), opener, layers, Format.ZIP, origin);
            }
        } finally {
            if (inPlace == null) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static ZipFile openZip(Path file, Origin origin) throws InputFault {
        try {
            return ZipFile.builder().setPath(file).get();
        } catch (IOException | RuntimeException e) {
            throw new InputFault(origin.prefix() + "the zip archive is damaged or truncated ("
                    + InputFault.oneLine(e) + ")");
        }
    }

    private void visit(Member member, Opener opener, List<Format> layers, Format bundle, Origin origin)
            throws IOException {
        if (++visited > MAX_MEMBERS) {
            memberLimitHit = true;
            notes.add("stopped after " + MAX_MEMBERS + " bundle members; later members were not searched");
            return;
        }
        if (member instanceof Member.Directory) {
            return;
        }
        Origin memberOrigin = origin.member(member.name(), bundle);
        files++;
        if (listed.size() < LISTED_NAMES) {
            listed.add(memberOrigin.memberPath());
        }
        if (member instanceof Member.Skipped skip) {
            skipped++;
            notes.add("skipped " + bundle.label() + " member '" + memberOrigin.memberPath() + "': " + skip.reason());
            return;
        }
        Member.Regular regular = (Member.Regular) member;
        try (InputStream raw = opener.open(); Peeled peeled = peeler.peel(raw, layers, memberOrigin)) {
            consider(regular, peeled, memberOrigin);
        }
    }

    private void consider(Member.Regular member, Peeled peeled, Origin origin) throws IOException {
        switch (peeled.format()) {
            case TAR -> scanTar(peeled, origin);
            case ZIP -> scanZip(peeled, origin, null);
            case ELF -> {
                Optional<ElfHeader> header = ElfHeader.parse(peeled.head(), peeled.head().length);
                if (header.isPresent() && header.get().isCore()) {
                    takeCore(peeled, origin);
                } else if (header.isPresent() && header.get().isProgram()) {
                    offerBinary(member, header.get(), peeled, origin);
                }
            }
            default -> {
                // not a core, not a program: read past it
            }
        }
    }

    private void takeCore(Peeled peeled, Origin origin) throws IOException {
        if (core != null) {
            notes.add("found a second core, '" + origin.memberPath() + "'; using the first, '"
                    + core.memberPath() + "'");
            return;
        }
        Path file = workspace.file("core");
        long size = copier.copy(peeled.stream(), file, maxCoreSize,
                () -> InputFault.overCap(origin.prefix() + "the core", maxCoreSize));
        core = new CorePick(origin.memberPath(), file, size, peeled.layers());
    }

    /**
     * Keeps the likeliest program seen so far. Shared libraries are ET_DYN too, but a core's
     * program never is one, so members named like libraries are passed over.
     */
    private void offerBinary(Member.Regular member, ElfHeader header, Peeled peeled, Origin origin)
            throws IOException {
        String baseName = member.name().substring(member.name().lastIndexOf('/') + 1);
        if (header.type() == ElfHeader.ET_DYN && SHARED_LIBRARY.matcher(baseName).matches()) {
            return;
        }
        int score = (header.type() == ElfHeader.ET_EXEC ? 2 : 0) + (member.executable() ? 1 : 0);
        if (binary != null && score <= binary.score()) {
            return;
        }
        Path file = workspace.file("binary-" + ++fileCounter);
        long size = copier.copy(peeled.stream(), file, maxCoreSize,
                () -> InputFault.overCap(origin.prefix() + "the executable", maxCoreSize));
        if (binary != null) {
            Files.deleteIfExists(binary.file());
        }
        binary = new BinaryPick(origin.memberPath(), file, size, score);
    }

    private void enterBundle(Format bundle) {
        if (firstBundle == null) {
            firstBundle = bundle;
        }
    }

    private Manifest manifest() throws IOException {
        Optional<String> binaryName = Optional.empty();
        long binarySize = 0;
        if (firstBundle != null) {
            notes.add(0, "core: '" + core.memberPath() + "' from the " + firstBundle.label());
        }
        if (binary != null) {
            Files.move(binary.file(), workspace.file("binary"));
            binaryName = Optional.of("binary");
            binarySize = binary.size();
            notes.add(1, "executable: '" + binary.memberPath() + "' from the " + firstBundle.label());
        }
        List<String> labels = core.layers().stream().map(Format::label).toList();
        return new Manifest(labels, core.file().getFileName().toString(), core.size(), binaryName, binarySize,
                notes);
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
            message.append("; searched only the first ").append(MAX_MEMBERS).append(" members");
        }
        return new InputFault(message.toString());
    }

    private static List<Format> append(List<Format> layers, Format next) {
        List<Format> all = new ArrayList<>(layers);
        all.add(next);
        return List.copyOf(all);
    }
}
