package dev.chanscope.batch;

import java.util.regex.Matcher;

/**
 * Shard K of N ({@code --shard K/N}, K from 1): a deterministic share of a corpus, so that N
 * machines given the same PATH arguments analyze every core exactly once between them.
 *
 * <p>A core belongs to the shard picked by the SHA-256 of its <em>key</em>: its path relative to
 * the PATH argument it was found under (the file name for a file argument). Not its content
 * hash: that would make every machine read the whole corpus before starting, which is most of
 * the cost sharding should divide. Not its absolute path: machines mount the corpus at different
 * places. The relative path is free to compute and the same everywhere the corpus has the same
 * layout.
 */
public record Shard(int index, int count) {
    private static final java.util.regex.Pattern FORM = java.util.regex.Pattern.compile("(\\d{1,6})/(\\d{1,6})");

    /** Everything. */
    public static final Shard ALL = new Shard(1, 1);

    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("shard " + index + "/" + count + " is not one of 1/" + Math.max(count, 1)
                    + " to " + Math.max(count, 1) + "/" + Math.max(count, 1));
        }
    }

    /** "2/4" */
    public static Shard parse(String text) {
        Matcher m = FORM.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not K/N (e.g. 1/4: the first of 4 shards)");
        }
        return new Shard(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    public boolean contains(String key) {
        if (count == 1) {
            return true;
        }
        byte[] h = ContentHash.sha256(key);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (h[i] & 0xff);
        }
        return Long.remainderUnsigned(v, count) == index - 1;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
