package dev.chanscope.batch;

import java.util.Locale;
import java.util.Optional;

/** What became of one core in a batch: the {@code status} field of its JSON line. */
public enum Status {
    /** Analyzed completely. */
    OK,
    /** Analyzed, but some structure could not be read ({@code partial: true}; the warnings say what). */
    PARTIAL,
    /** Not analyzed: the core, its binary or gdb failed; {@code error} says why. */
    ERROR,
    /** Not analyzed within {@code --timeout}; its gdb was stopped. */
    TIMEOUT,
    /** Not a core (an executable, some other file): {@code skipped} says why. Not counted as a core. */
    SKIPPED;

    /** The lower-case name used in JSON and tables. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Status> of(String id) {
        for (Status s : values()) {
            if (s.id().equals(id)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** True when the line carries an analysis (and so a root-cause signature). */
    public boolean analyzed() {
        return this == OK || this == PARTIAL;
    }
}
