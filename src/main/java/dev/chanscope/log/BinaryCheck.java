package dev.chanscope.log;

import java.util.List;

/**
 * Whether the binary given with the log is the one that crashed: every frame's PC (the named
 * function's entry in the binary's pclntab + the printed {@code +0x} offset) must be the start
 * of an instruction of that function, and the pclntab's line there must be the printed line.
 *
 * @param checked    frames whose PC was checked
 * @param unchecked  frames that could not be checked (no offset, code not decodable)
 * @param mismatches one line per frame that does not fit, naming the function and why
 */
public record BinaryCheck(int checked, int unchecked, List<String> mismatches) {
    public BinaryCheck {
        mismatches = List.copyOf(mismatches);
    }

    public boolean matches() {
        return mismatches.isEmpty() && checked > 0;
    }

    /** One line for the report. */
    public String describe() {
        if (matches()) {
            return "the binary matches the log: " + checked + " frame" + (checked == 1 ? "" : "s")
                    + " land on instruction boundaries of the named functions, at the printed lines";
        }
        if (checked == 0 && mismatches.isEmpty()) {
            return "the log has no frame with an offset to check the binary against";
        }
        return "the binary is not the one that crashed: " + mismatches.size() + " of " + (checked + mismatches.size())
                + " frames do not fit (" + mismatches.get(0) + (mismatches.size() > 1 ? "; ..." : "") + ")";
    }
}
