package dev.chanscope.binary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The allocation entry points compiled code calls (cmd/compile/internal/ssagen, Go 1.22 to 1.27). */
class AllocatorsTest {
    @Test
    void theTypeDescriptorArgumentOfEachAllocator() {
        assertEquals(0, Allocators.typeArgument("runtime.newobject"));
        assertEquals(1, Allocators.typeArgument("runtime.mallocgc"));
        assertEquals(1, Allocators.typeArgument("runtime.mallocgcSmallScanNoHeaderSC2"));
        assertEquals(1, Allocators.typeArgument("runtime.mallocgcSmallScanNoHeaderSC11"));
        assertEquals(1, Allocators.typeArgument("runtime.mallocgcSmallNoScanSC3"));
        assertEquals(1, Allocators.typeArgument("runtime.mallocgcTinySC2"));
        assertEquals(-1, Allocators.typeArgument("runtime.mallocgcSmallScanNoHeader")); // the generic path, not an entry point
        assertEquals(-1, Allocators.typeArgument("runtime.makechan"));
        assertEquals(-1, Allocators.typeArgument("main.newobject"));
    }

    @Test
    void raceHooks() {
        assertTrue(Allocators.isRaceHook("runtime.racefuncenter"));
        assertTrue(Allocators.isRaceHook("runtime.racewrite"));
        assertTrue(Allocators.isRaceHook("runtime.racereadrange"));
        assertFalse(Allocators.isRaceHook("runtime.racecall"));
        assertFalse(Allocators.isRaceHook("runtime.newproc"));
    }
}
