package dev.chanscope.proc;

/** A read of target memory that is not mapped (or was not saved in the core). */
public final class MemoryAccessException extends RuntimeException {
    private final long address;

    public MemoryAccessException(long address, int length) {
        super(String.format("cannot read %d bytes at 0x%x", length, address));
        this.address = address;
    }

    public long address() {
        return address;
    }
}
