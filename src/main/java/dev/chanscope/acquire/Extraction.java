package dev.chanscope.acquire;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * One unpacking of one input into a workspace: peels compression and walks bundles (whose
 * members may be compressed, or bundles themselves), handing each member's data to a
 * {@link Selection} that keeps the core and the program. Used for one call.
 */
final class Extraction {
    /** Members looked at per input, over all nested bundles: a bound on work, not on disk. */
    static final int MAX_MEMBERS = 10_000;
    private static final int TAR_BUFFER = 1 << 16;

    private interface Opener {
        InputStream open() throws IOException;
    }

    private final Workspace workspace;
    private final long maxCoreSize;
    private final long streamCap;
    private final Peeler peeler;
    private final ProgressListener progress;
    private final SparseCopier copier = new SparseCopier();
    private final Selection selection;
    private int visited;
    private int zipCounter;

    Extraction(Workspace workspace, long maxCoreSize, ProgressListener progress) {
        this.workspace = workspace;
        this.maxCoreSize = maxCoreSize;
        this.streamCap = maxCoreSize > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : maxCoreSize * 2;
        this.peeler = new Peeler(streamCap, maxCoreSize);
        this.progress = progress;
        this.selection = new Selection(workspace, copier, maxCoreSize);
    }

    Manifest run(Path input, long size) throws IOException {
        String label = "unpacking " + input.getFileName();
        Origin origin = Origin.file(size);
        try (InputStream raw = new ProgressStream(new ReadFaultStream(Files.newInputStream(input)),
                progress, label, size);
             Peeled peeled = peeler.peel(raw, List.of(), origin)) {
            switch (peeled.format()) {
                case TAR -> scanTar(peeled, origin);
                // A zip needs random access (its directory is at the end, and symlinks are
                // only marked there): read the input in place when it is a plain zip.
                case ZIP -> scanZip(peeled, origin, peeled.layers().isEmpty() ? input : null);
                default -> takeWhole(peeled, origin);
            }
        } catch (InputFault fault) {
            selection.salvage(fault);
        }
        progress.progress(label, size, size);
        return selection.finish();
    }

    /**
     * A compressed file that is not a bundle: handed on as the core (or the executable) when
     * its first decompressed bytes are ELF. Anything else (a compressed log, a disk image) is
     * refused from those bytes, before a byte is written: decompressing it whole into the cache
     * first turned a 14 MB input into 3.1 GB on disk.
     */
    private void takeWhole(Peeled peeled, Origin origin) throws IOException {
        if (peeled.format() != Format.ELF && peeled.head().length > 0) {
            // A damaged stream can decode to garbage before its checksum fails (bzip2 checks a
            // block's CRC at its end, up to 900 kB on): read a little further, writing nothing,
            // so that damage is reported as damage rather than as "not a core".
            byte[] sink = new byte[1 << 16];
            long budget = 2L << 20;
            InputStream in = peeled.stream();
            int n;
            while (budget > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, budget))) > 0) {
                budget -= n;
            }
            String chain = peeled.layers().stream().map(Format::label).collect(java.util.stream.Collectors.joining(" → "));
            throw new InputFault(origin.prefix() + "the " + chain + " data is not a core: it holds "
                    + describe(peeled.head()) + ", not an ELF core, an ELF executable or a tar/zip bundle;"
                    + " nothing was unpacked");
        }
        selection.takeCore(peeled, origin);
        if (selection.coreSize() == 0) {
            Format last = peeled.layers().get(peeled.layers().size() - 1);
            throw new InputFault("the " + last.noun() + " holds no data (0 bytes once decompressed)");
        }
    }

    /** The first bytes, for a message: printable ASCII as text (escaped otherwise), else hex. */
    static String describe(byte[] head) {
        int n = Math.min(head.length, 16);
        if (n == 0) {
            return "nothing (0 bytes)";
        }
        int printable = 0;
        for (int i = 0; i < n; i++) {
            int b = head[i] & 0xff;
            if (b >= 0x20 && b < 0x7f || b == '\n' || b == '\t' || b == '\r') {
                printable++;
            }
        }
        StringBuilder sb = new StringBuilder();
        if (printable == n) {
            sb.append("text \"");
            for (int i = 0; i < n; i++) {
                char c = (char) (head[i] & 0xff);
                sb.append(c < 0x20 ? String.format("\\x%02x", (int) c) : String.valueOf(c));
            }
            return sb.append(head.length > n ? "…\"" : "\"").toString();
        }
        sb.append("bytes ");
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x", head[i] & 0xff));
        }
        return sb.append(head.length > n ? "…" : "").toString();
    }

    private void scanTar(Peeled peeled, Origin origin) throws IOException {
        Peeler.requireDepth(peeled.layers(), Format.TAR, origin);
        selection.enterBundle(Format.TAR);
        List<Format> layers = append(peeled.layers(), Format.TAR);
        // tar reads 512-byte records; buffering spares a native zstd call per record
        EofWatch watch = new EofWatch(new BufferedInputStream(peeled.stream(), TAR_BUFFER));
        LayerGuard.Blame blame = new LayerGuard.Blame(origin, Format.TAR, watch::reachedEnd,
                peeled.truncatedHint());
        TarReader tar = new TarReader(watch);
        InputStream memberData = new CloseShield(new LayerGuard(tar.data(), blame));
        while (visited <= MAX_MEMBERS) {
            // null only at the end-of-archive record: a cut between members is an EOFException
            TarReader.Entry entry = LayerGuard.guarded(blame, tar::next);
            if (entry == null) {
                return;
            }
            visit(Member.of(entry), () -> memberData, layers, Format.TAR, origin);
        }
    }

    /** @param inPlace the zip file itself, or null when it must first be written out from a stream */
    private void scanZip(Peeled peeled, Origin origin, Path inPlace) throws IOException {
        Peeler.requireDepth(peeled.layers(), Format.ZIP, origin);
        selection.enterBundle(Format.ZIP);
        List<Format> layers = append(peeled.layers(), Format.ZIP);
        Path file = inPlace;
        if (file == null) {
            file = workspace.file("bundle-" + ++zipCounter + ".zip");
            copier.copy(peeled.stream(), file, streamCap,
                    () -> InputFault.overStreamCap(origin.prefix() + "the zip data", maxCoreSize));
        }
        LayerGuard.Blame blame = new LayerGuard.Blame(origin, Format.ZIP, () -> false, peeled.truncatedHint());
        try (ZipFile zip = openZip(file, origin)) {
            for (ZipArchiveEntry entry : Collections.list(zip.getEntriesInPhysicalOrder())) {
                if (visited > MAX_MEMBERS) {
                    break;
                }
                String label = "unpacking " + origin.member(entry.getName(), Format.ZIP).memberPath();
                Opener opener = () -> new ProgressStream(
                        new LayerGuard(LayerGuard.guarded(blame, () -> zip.getInputStream(entry)), blame),
                        progress, label, entry.getSize());
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
                    + InputFault.oneLine(e) + ")", InputFault.Kind.CORRUPT, origin.memberPath());
        }
    }

    private void visit(Member member, Opener opener, List<Format> layers, Format bundle, Origin origin)
            throws IOException {
        if (++visited > MAX_MEMBERS) {
            selection.memberLimitHit(MAX_MEMBERS);
            return;
        }
        if (member instanceof Member.Directory) {
            return;
        }
        Origin memberOrigin = origin.member(member.name(), bundle);
        selection.saw(memberOrigin);
        if (member instanceof Member.Skipped skip) {
            selection.skipped(bundle, memberOrigin, skip.reason());
            return;
        }
        try (InputStream raw = opener.open(); Peeled peeled = peeler.peel(raw, layers, memberOrigin)) {
            // a tar member's own size (expanded, when sparse) is the core's when no compression
            // was peeled inside it
            long declared = bundle == Format.TAR && peeled.layers().size() == layers.size()
                    ? ((Member.Regular) member).size() : -1;
            consider((Member.Regular) member, peeled, memberOrigin, declared);
        } catch (InputFault fault) {
            selection.skipDamaged(fault, memberOrigin);
        }
    }

    private void consider(Member.Regular member, Peeled peeled, Origin origin, long declaredSize) throws IOException {
        switch (peeled.format()) {
            case TAR -> scanTar(peeled, origin);
            case ZIP -> scanZip(peeled, origin, null);
            case ELF -> {
                Optional<ElfHeader> header = ElfHeader.parse(peeled.head(), peeled.head().length);
                if (header.isPresent() && header.get().isCore()) {
                    selection.takeCore(peeled, origin, declaredSize);
                } else if (header.isPresent() && header.get().isProgram()) {
                    selection.offerBinary(member, header.get(), peeled, origin);
                }
            }
            default -> {
                // not a core, not a program: read past it
            }
        }
    }

    private static List<Format> append(List<Format> layers, Format next) {
        List<Format> all = new ArrayList<>(layers);
        all.add(next);
        return List.copyOf(all);
    }
}
