package dev.chanscope.proc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Read-only view of a target's address space. Implementations must be cheap for small reads
 * (the unwinder reads words one at a time) and have a bulk path for large ones.
 * All multi-byte values are little-endian (amd64, arm64).
 */
public interface Memory {
    /**
     * Reads {@code length} bytes at {@code address}.
     *
     * @throws MemoryAccessException if any byte of the range is not mapped in the target
     */
    byte[] read(long address, int length);

    /** True when the whole range can be read. Implementations override it when they can tell without copying. */
    default boolean isReadable(long address, int length) {
        try {
            read(address, length);
            return true;
        } catch (MemoryAccessException e) {
            return false;
        }
    }

    default ByteBuffer buffer(long address, int length) {
        return ByteBuffer.wrap(read(address, length)).order(ByteOrder.LITTLE_ENDIAN);
    }

    default long u64(long address) {
        return buffer(address, 8).getLong();
    }

    default long u32(long address) {
        return Integer.toUnsignedLong(buffer(address, 4).getInt());
    }

    default int u16(long address) {
        return Short.toUnsignedInt(buffer(address, 2).getShort());
    }

    default int u8(long address) {
        return Byte.toUnsignedInt(read(address, 1)[0]);
    }

    /** Reads an unsigned integer of 1, 2, 4 or 8 bytes. */
    default long uint(long address, int size) {
        return switch (size) {
            case 1 -> u8(address);
            case 2 -> u16(address);
            case 4 -> u32(address);
            case 8 -> u64(address);
            default -> throw new IllegalArgumentException("integer size " + size);
        };
    }

    /** Reads a Go string's bytes (pointer and length given) as UTF-8, capped at {@code max} bytes. */
    default String goString(long ptr, long len, int max) {
        if (len <= 0 || ptr == 0) {
            return "";
        }
        int n = (int) Math.min(len, max);
        return new String(read(ptr, n), java.nio.charset.StandardCharsets.UTF_8);
    }
}
