package dev.chanscope.acquire;

/**
 * Where a stream comes from, for messages: the input file itself, or a member of a bundle.
 *
 * @param prefix         put before a fault message ("" for the file, "member 'x' of the tar: ")
 * @param truncatedHint  what it means when the first layer's data stops early
 * @param memberPath     "" for the file; the member's path for a member ("a.zip/b.tar/core"
 *                       when bundles nest), as shown in notes and "no core" listings
 */
record Origin(String prefix, String truncatedHint, String memberPath) {

    static Origin file(long size) {
        return new Origin("", "the file is truncated (" + size + " bytes)", "");
    }

    /** A member of a bundle that came from {@code this}. */
    Origin member(String name, Format bundle) {
        String path = memberPath.isEmpty() ? name : memberPath + "/" + name;
        return new Origin("member '" + path + "' of the " + bundle.label() + ": ",
                "it was cut short before it was put into the " + bundle.label(), path);
    }

    /** For a layer inside another compressed layer, whose output ended cleanly. */
    String innerTruncatedHint(Format outer) {
        return "it was cut short before it was compressed with " + outer.label();
    }
}
