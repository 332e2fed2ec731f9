package dev.chanscope.acquire;

import java.util.Optional;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * One entry of a bundle, as far as acquisition cares: data worth looking at, a directory, or
 * something refused for safety. Regular members are only ever read into files with generated
 * names, so even an unsafe name could not escape; refusing them anyway keeps a hostile
 * archive from steering which member becomes "the core".
 */
sealed interface Member permits Member.Regular, Member.Directory, Member.Skipped {
    String name();

    /** @param mode the Unix permission bits, or -1 when the archive did not record them */
    record Regular(String name, long size, int mode) implements Member {
        boolean executable() {
            return mode >= 0 && (mode & 0111) != 0;
        }
    }

    record Directory(String name) implements Member {}

    record Skipped(String name, String reason) implements Member {}

    static Member of(TarReader.Entry e) {
        String name = e.name();
        switch (e.type()) {
            case '2' -> {
                return new Skipped(name, "a symbolic link to '" + e.linkName() + "' (links are not followed)");
            }
            case '1' -> {
                return new Skipped(name, "a hard link to '" + e.linkName() + "' (links are not followed)");
            }
            case '3', '4' -> {
                return new Skipped(name, "a device file");
            }
            case '6' -> {
                return new Skipped(name, "a named pipe");
            }
            default -> {
            }
        }
        if (e.isDirectory()) {
            return new Directory(name);
        }
        if (!e.isRegular()) {
            return new Skipped(name, "not a regular file");
        }
        return pathProblem(name).<Member>map(p -> new Skipped(name, p))
                .orElseGet(() -> new Regular(name, e.size(), e.mode()));
    }

    static Member of(ZipArchiveEntry e, ZipFile zip) {
        String name = e.getName();
        if (e.isUnixSymlink()) {
            return new Skipped(name, "a symbolic link (links are not followed)");
        }
        if (e.isDirectory()) {
            return new Directory(name);
        }
        Optional<String> problem = pathProblem(name);
        if (problem.isPresent()) {
            return new Skipped(name, problem.get());
        }
        if (!zip.canReadEntryData(e)) {
            return new Skipped(name, "encrypted or compressed with a method chanscope cannot read");
        }
        int mode = e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX ? e.getUnixMode() & 07777 : -1;
        return new Regular(name, e.getSize(), mode);
    }

    /** Why a member's name is refused: it would land outside the directory it is unpacked in. */
    static Optional<String> pathProblem(String name) {
        if (name.isEmpty()) {
            return Optional.of("it has an empty name");
        }
        if (name.indexOf('\0') >= 0) {
            return Optional.of("its name contains a NUL byte");
        }
        if (name.startsWith("/") || name.startsWith("\\")
                || (name.length() >= 2 && name.charAt(1) == ':' && Character.isLetter(name.charAt(0)))) {
            return Optional.of("its path is absolute");
        }
        for (String part : name.split("[/\\\\]")) {
            if (part.equals("..")) {
                return Optional.of("its path contains '..'");
            }
        }
        return Optional.empty();
    }
}
