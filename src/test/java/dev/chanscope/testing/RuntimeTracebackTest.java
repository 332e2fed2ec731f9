package dev.chanscope.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chanscope.testing.RuntimeTraceback.CreatedBy;
import dev.chanscope.testing.RuntimeTraceback.Frame;
import dev.chanscope.testing.RuntimeTraceback.Goroutine;
import dev.chanscope.testing.RuntimeTraceback.Panic;
import dev.chanscope.testing.RuntimeTraceback.Signal;
import dev.chanscope.testing.SampleCores.Entry;
import dev.chanscope.testing.SampleCores.Site;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RuntimeTracebackTest {

    private static final String GO122 = "/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/";
    private static final String FIXTURE = "/work/main/src/test/go/recovered-repanic/main.go";

    /** go1.22.12/recovered-repanic/stderr.txt of one run, checked by hand line by line. */
    static final String REPANIC_122 = """
            panic: send on closed channel [recovered]
            	panic: send on closed channel

            goroutine 19 gp=0xc00009c380 m=0 mp=0x506700 [running]:
            panic({0x47a9a0?, 0x4a4218?})
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/panic.go:779 +0x158 fp=0xc000089da8 sp=0xc000089cf8 pc=0x430098
            main.(*Gateway).safeGo.func1.1()
            	/work/main/src/test/go/recovered-repanic/main.go:57 +0x45 fp=0xc000089dd0 sp=0xc000089da8 pc=0x470985
            panic({0x47a9a0?, 0x4a4218?})
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/panic.go:770 +0x132 fp=0xc000089e80 sp=0xc000089dd0 pc=0x430072
            runtime.chansend(0xc0000800c0, 0xc000089f68, 0x1, 0x488020?)
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/chan.go:206 +0x568 fp=0xc000089ef0 sp=0xc000089e80 pc=0x4054a8
            runtime.chansend1(0xc000092048?, 0x0?)
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/chan.go:145 +0x17 fp=0xc000089f20 sp=0xc000089ef0 pc=0x404f37
            main.(*Gateway).fanout.func1()
            	/work/main/src/test/go/recovered-repanic/main.go:70 +0x9c fp=0xc000089fb0 sp=0xc000089f20 pc=0x47101c
            main.(*Gateway).safeGo.func1()
            	/work/main/src/test/go/recovered-repanic/main.go:60 +0x50 fp=0xc000089fe0 sp=0xc000089fb0 pc=0x470910
            runtime.goexit({})
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/asm_amd64.s:1695 +0x1 fp=0xc000089fe8 sp=0xc000089fe0 pc=0x45e8c1
            created by main.(*Gateway).safeGo in goroutine 1
            	/work/main/src/test/go/recovered-repanic/main.go:53 +0x67

            goroutine 1 gp=0xc0000061c0 m=nil [sleep]:
            runtime.gopark(0xfc180ee94d?, 0x0?, 0x0?, 0x0?, 0x0?)
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/proc.go:402 +0xce fp=0xc000088ea8 sp=0xc000088e88 pc=0x433a4e
            time.Sleep(0x77359400)
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/time.go:195 +0x115 fp=0xc000088ee8 sp=0xc000088ea8 pc=0x45d555
            main.main()
            	/work/main/src/test/go/recovered-repanic/main.go:100 +0x1c5 fp=0xc000088f50 sp=0xc000088ee8 pc=0x471205
            runtime.main()
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/proc.go:271 +0x29d fp=0xc000088fe0 sp=0xc000088f50 pc=0x43361d
            runtime.goexit({})
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/asm_amd64.s:1695 +0x1 fp=0xc000088fe8 sp=0xc000088fe0 pc=0x45e8c1

            goroutine 2 gp=0xc000006700 m=nil [force gc (idle)]:
            runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/proc.go:402 +0xce fp=0xc000040fa8 sp=0xc000040f88 pc=0x433a4e
            runtime.goparkunlock(...)
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/proc.go:408
            runtime.forcegchelper()
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/proc.go:326 +0xb3 fp=0xc000040fe0 sp=0xc000040fa8 pc=0x4338d3
            runtime.goexit({})
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/asm_amd64.s:1695 +0x1 fp=0xc000040fe8 sp=0xc000040fe0 pc=0x45e8c1
            created by runtime.init.6 in goroutine 1
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/proc.go:314 +0x1a

            goroutine 3 gp=0xc000006c40 m=nil [GC sweep wait]:
            runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/proc.go:402 +0xce fp=0xc000041780 sp=0xc000041760 pc=0x433a4e
            runtime.goparkunlock(...)
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/proc.go:408
            runtime.bgsweep(0xc000060000)
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/mgcsweep.go:278 +0x94 fp=0xc0000417c8 sp=0xc000041780 pc=0x4207f4
            runtime.gcenable.gowrap1()
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/mgc.go:203 +0x25 fp=0xc0000417e0 sp=0xc0000417c8 pc=0x415345
            runtime.goexit({})
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/asm_amd64.s:1695 +0x1 fp=0xc0000417e8 sp=0xc0000417e0 pc=0x45e8c1
            created by runtime.gcenable in goroutine 1
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/mgc.go:203 +0x66

            goroutine 4 gp=0xc000006e00 m=nil [GC scavenge wait]:
            runtime.gopark(0xc000060000?, 0x4a3580?, 0x1?, 0x0?, 0xc000006e00?)
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/proc.go:402 +0xce fp=0xc000041f78 sp=0xc000041f58 pc=0x433a4e
            runtime.goparkunlock(...)
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/proc.go:408
            runtime.(*scavengerState).park(0x5060a0)
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/mgcscavenge.go:425 +0x49 fp=0xc000041fa8 sp=0xc000041f78 pc=0x41e1e9
            runtime.bgscavenge(0xc000060000)
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/mgcscavenge.go:653 +0x3c fp=0xc000041fc8 sp=0xc000041fa8 pc=0x41e77c
            runtime.gcenable.gowrap2()
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/mgc.go:204 +0x25 fp=0xc000041fe0 sp=0xc000041fc8 pc=0x4152e5
            runtime.goexit({})
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/asm_amd64.s:1695 +0x1 fp=0xc000041fe8 sp=0xc000041fe0 pc=0x45e8c1
            created by runtime.gcenable in goroutine 1
            	/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/src/runtime/mgc.go:204 +0xa5
            """;

    /**
     * go1.26.8/watchdog-abort/stderr.txt of one run, cut down to the SIGABRT section's first
     * goroutine and register dump and the first SIGQUIT section of another M (a g0 stack).
     */
    static final String SIGNAL_126 = """
            SIGABRT: abort
            PC=0x40816e m=0 sigcode=0

            goroutine 6 gp=0x292c29475680 m=0 mp=0x56e820 [running]:
            internal/runtime/syscall/linux.Syscall6()
            	/usr/local/go/src/internal/runtime/syscall/linux/asm_linux_amd64.s:36 +0xe fp=0x292c294dae90 sp=0x292c294dae88 pc=0x40816e
            syscall.RawSyscall6(0x292c29500000?, 0x292c29500000?, 0x292c294cc070?, 0x292c29500000?, 0x292c294daf90?, 0x292c29500150?, 0x0?)
            	/usr/local/go/src/syscall/syscall_linux.go:65 +0xd fp=0x292c294daed8 sp=0x292c294dae90 pc=0x4897ad
            syscall.RawSyscall(0x292c29500000?, 0x0?, 0xf8fd0df29b?, 0x292c29500000?)
            	/usr/local/go/src/syscall/syscall_linux.go:56 +0x15 fp=0x292c294daf20 sp=0x292c294daed8 pc=0x489795
            syscall.Kill(0x27?, 0x0?)
            	/usr/local/go/src/syscall/zsyscall_linux_amd64.go:611 +0x25 fp=0x292c294daf50 sp=0x292c294daf20 pc=0x488ee5
            main.watchdog(0x292c294cc070, 0x5f5e100)
            	/work/main/src/test/go/watchdog-abort/main.go:58 +0xad fp=0x292c294dafc0 sp=0x292c294daf50 pc=0x495e8d
            main.main.gowrap1()
            	/work/main/src/test/go/watchdog-abort/main.go:68 +0x1c fp=0x292c294dafe0 sp=0x292c294dafc0 pc=0x4963bc
            runtime.goexit({})
            	/usr/local/go/src/runtime/asm_amd64.s:1771 +0x1 fp=0x292c294dafe8 sp=0x292c294dafe0 pc=0x47f441
            created by main.main in goroutine 1
            	/work/main/src/test/go/watchdog-abort/main.go:68 +0xc6


            rax    0x0
            rbx    0x75ae
            rcx    0x40816e
            rdx    0x0
            rdi    0x75ae
            rsi    0x6
            rbp    0x292c294daec8
            rsp    0x292c294dae88
            r8     0x0
            r9     0x0
            r10    0x0
            r11    0x206
            r12    0x292c29500000
            r13    0x0
            r14    0x292c29475680
            r15    0x292c294daf90
            rip    0x40816e
            rflags 0x206
            cs     0x33
            fs     0x0
            gs     0x0

            -----

            SIGQUIT: quit
            PC=0x480f83 m=1 sigcode=0

            goroutine 0 gp=0x292c294745a0 m=1 mp=0x292c294ae008 [idle]:
            runtime.futex(0x56f060, 0x80, 0x0, 0x292c29499ea0, 0x0, 0x0)
            	/usr/local/go/src/runtime/sys_linux_amd64.s:570 +0x23 fp=0x292c29499e70 sp=0x292c29499e68 pc=0x480f83
            runtime.futexsleep(0xf8fd1612ee?, 0x0?, 0x292c294ae008?)
            	/usr/local/go/src/runtime/os_linux.go:79 +0x9f fp=0x292c29499ec0 sp=0x292c29499e70 pc=0x4413ff
            runtime.notetsleep_internal(0x56f060, 0xdf8475800)
            	/usr/local/go/src/runtime/lock_futex.go:89 +0xb3 fp=0x292c29499f00 sp=0x292c29499ec0 pc=0x418d33
            runtime.notetsleep(0xf8fd1611e0?, 0x292c29499f68?)
            	/usr/local/go/src/runtime/lock_futex.go:112 +0x29 fp=0x292c29499f20 sp=0x292c29499f00 pc=0x418e69
            runtime.sysmon()
            	/usr/local/go/src/runtime/proc.go:6542 +0x1d2 fp=0x292c29499fa0 sp=0x292c29499f20 pc=0x4547f2
            runtime.mstart1()
            	/usr/local/go/src/runtime/proc.go:1935 +0x93 fp=0x292c29499fc8 sp=0x292c29499fa0 pc=0x44abf3
            runtime.mstart0()
            	/usr/local/go/src/runtime/proc.go:1888 +0x75 fp=0x292c29499ff8 sp=0x292c29499fc8 pc=0x44ab35
            runtime.mstart()
            	/usr/local/go/src/runtime/asm_amd64.s:426 +0xc fp=0x292c2949a000 sp=0x292c29499ff8 pc=0x47d8ec
            rax    0xfffffffffffffffc
            rbx    0x0
            rcx    0x480f83
            rdx    0x0
            rdi    0x56f060
            rsi    0x80
            rbp    0x292c29499eb0
            rsp    0x292c29499e68
            r8     0x0
            r9     0x0
            r10    0x292c29499ea0
            r11    0x246
            r12    0x292c29499ea0
            r13    0x292c294ae001
            r14    0x292c294745a0
            r15    0xffffffffffffffff
            rip    0x480f83
            rflags 0x246
            cs     0x33
            fs     0x0
            gs     0x0
            """;

    @Test
    void go122RecoveredAndRepanickedByHand() {
        RuntimeTraceback t = RuntimeTraceback.parse(REPANIC_122);

        assertEquals(List.of(
                new Panic("send on closed channel", true, false, "panic: send on closed channel [recovered]"),
                new Panic("send on closed channel", false, false, "\tpanic: send on closed channel")), t.panics());
        assertEquals("send on closed channel", t.panicMessage().orElseThrow());
        assertTrue(t.faultSignal().isEmpty());
        assertTrue(t.fatalError().isEmpty());
        assertTrue(t.signals().isEmpty());
        assertEquals(List.of(), t.otherLines());
        assertEquals(List.of(19L, 1L, 2L, 3L, 4L), t.sections().stream().map(Goroutine::id).toList());
        assertTrue(t.g0Sections().isEmpty());

        Goroutine g = t.panicking().orElseThrow();
        assertEquals(19, g.id());
        assertEquals("goroutine 19 gp=0xc00009c380 m=0 mp=0x506700 [running]:", g.header());
        assertEquals(0xc00009c380L, g.gp());
        assertEquals(0L, g.m());
        assertEquals(0x506700L, g.mp());
        assertEquals("running", g.status());
        assertEquals(0, g.waitMinutes());
        assertFalse(g.lockedToThread());
        assertFalse(g.g0());
        assertFalse(g.stackUnavailable());
        assertEquals(-1, g.signal());
        assertEquals(-1, g.elidedAt());
        assertEquals(List.of(
                new Frame("panic({0x47a9a0?, 0x4a4218?})", "runtime.gopanic", "{0x47a9a0?, 0x4a4218?}", false,
                        GO122 + "runtime/panic.go", 779, 0x158L, 0xc000089da8L, 0xc000089cf8L, 0x430098L),
                new Frame("main.(*Gateway).safeGo.func1.1()", "main.(*Gateway).safeGo.func1.1", "", false,
                        FIXTURE, 57, 0x45L, 0xc000089dd0L, 0xc000089da8L, 0x470985L),
                new Frame("panic({0x47a9a0?, 0x4a4218?})", "runtime.gopanic", "{0x47a9a0?, 0x4a4218?}", false,
                        GO122 + "runtime/panic.go", 770, 0x132L, 0xc000089e80L, 0xc000089dd0L, 0x430072L),
                new Frame("runtime.chansend(0xc0000800c0, 0xc000089f68, 0x1, 0x488020?)", "runtime.chansend",
                        "0xc0000800c0, 0xc000089f68, 0x1, 0x488020?", false,
                        GO122 + "runtime/chan.go", 206, 0x568L, 0xc000089ef0L, 0xc000089e80L, 0x4054a8L),
                new Frame("runtime.chansend1(0xc000092048?, 0x0?)", "runtime.chansend1", "0xc000092048?, 0x0?", false,
                        GO122 + "runtime/chan.go", 145, 0x17L, 0xc000089f20L, 0xc000089ef0L, 0x404f37L),
                new Frame("main.(*Gateway).fanout.func1()", "main.(*Gateway).fanout.func1", "", false,
                        FIXTURE, 70, 0x9cL, 0xc000089fb0L, 0xc000089f20L, 0x47101cL),
                new Frame("main.(*Gateway).safeGo.func1()", "main.(*Gateway).safeGo.func1", "", false,
                        FIXTURE, 60, 0x50L, 0xc000089fe0L, 0xc000089fb0L, 0x470910L),
                new Frame("runtime.goexit({})", "runtime.goexit", "{}", false,
                        GO122 + "runtime/asm_amd64.s", 1695, 0x1L, 0xc000089fe8L, 0xc000089fe0L, 0x45e8c1L)),
                g.frames());
        assertEquals(new CreatedBy("main.(*Gateway).safeGo", "main.(*Gateway).safeGo", 1, FIXTURE, 53, 0x67L),
                g.createdBy().orElseThrow());
        assertEquals(List.of("main.(*Gateway).safeGo.func1.1", "main.(*Gateway).fanout.func1", "main.(*Gateway).safeGo.func1"),
                g.userFrames().stream().map(Frame::function).toList());

        Goroutine main = t.goroutine(1).orElseThrow();
        assertEquals("sleep", main.status());
        assertEquals(0xc0000061c0L, main.gp());
        assertNull(main.m());
        assertNull(main.mp());
        assertEquals(List.of("runtime.gopark", "time.Sleep", "main.main", "runtime.main", "runtime.goexit"),
                main.frames().stream().map(Frame::function).toList());
        assertEquals(100, main.frames().get(2).line());
        assertTrue(main.createdBy().isEmpty());

        Goroutine forcegc = t.goroutine(2).orElseThrow();
        assertEquals("force gc (idle)", forcegc.status());
        Frame inlined = forcegc.frames().get(1);
        assertEquals(new Frame("runtime.goparkunlock(...)", "runtime.goparkunlock", "...", true,
                GO122 + "runtime/proc.go", 408, null, null, null, null), inlined);
        assertEquals(new CreatedBy("runtime.init.6", "runtime.init.6", 1, GO122 + "runtime/proc.go", 314, 0x1aL),
                forcegc.createdBy().orElseThrow());

        Goroutine scavenger = t.goroutine(4).orElseThrow();
        assertEquals("GC scavenge wait", scavenger.status());
        assertEquals("(*scavengerState).park", scavenger.frames().get(2).shortName());
        assertEquals("runtime.gcenable.gowrap2", scavenger.frames().get(4).function());
        assertEquals(204, scavenger.createdBy().orElseThrow().line());
    }

    @Test
    void go126SignalSectionsAndG0StacksByHand() {
        RuntimeTraceback t = RuntimeTraceback.parse(SIGNAL_126);

        assertTrue(t.panics().isEmpty());
        assertTrue(t.panicking().isEmpty());
        assertEquals(List.of(), t.otherLines());
        assertEquals(2, t.signals().size());
        Signal abrt = t.signals().get(0);
        assertEquals("SIGABRT", abrt.name());
        assertEquals("abort", abrt.description());
        assertEquals(0x40816eL, abrt.pc());
        assertEquals(0L, abrt.m());
        assertEquals("0", abrt.sigcode());
        assertNull(abrt.addr());
        assertEquals(List.of("rax", "rbx", "rcx", "rdx", "rdi", "rsi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12",
                "r13", "r14", "r15", "rip", "rflags", "cs", "fs", "gs"), List.copyOf(abrt.registers().keySet()));
        assertEquals(0x40816eL, abrt.registers().get("rip"));
        assertEquals(0x292c294dae88L, abrt.registers().get("rsp"));
        assertEquals(0x292c29475680L, abrt.registers().get("r14")); // g of the signalled goroutine
        Signal quit = t.signals().get(1);
        assertEquals("SIGQUIT", quit.name());
        assertEquals("quit", quit.description());
        assertEquals(1L, quit.m());
        assertEquals(0x480f83L, quit.pc());
        assertEquals(-4L, quit.registers().get("rax")); // 0xfffffffffffffffc
        assertEquals(21, quit.registers().size());
        assertEquals(0x292c294745a0L, quit.registers().get("r14")); // g0 of m1, as in its header

        assertEquals(2, t.sections().size());
        Goroutine watchdog = t.sections().get(0);
        assertEquals(6, watchdog.id());
        assertEquals(0, watchdog.signal());
        assertFalse(watchdog.g0());
        assertEquals("running", watchdog.status());
        assertEquals(List.of("internal/runtime/syscall/linux.Syscall6", "syscall.RawSyscall6", "syscall.RawSyscall",
                "syscall.Kill", "main.watchdog", "main.main.gowrap1", "runtime.goexit"),
                watchdog.frames().stream().map(Frame::function).toList());
        assertEquals(58, watchdog.frames().get(4).line());
        assertEquals("Syscall6", watchdog.frames().get(0).shortName());
        assertEquals(68, watchdog.createdBy().orElseThrow().line());

        Goroutine g0 = t.g0Sections().get(0);
        assertEquals(0, g0.id());
        assertTrue(g0.g0());
        assertEquals(1, g0.signal());
        assertEquals("idle", g0.status());
        assertEquals(0x292c294745a0L, g0.gp());
        assertEquals(1L, g0.m());
        assertEquals(0x292c294ae008L, g0.mp());
        assertEquals(8, g0.frames().size());
        assertEquals("runtime.futex", g0.frames().get(0).function());
        assertEquals(0x480f83L, g0.frames().get(0).pc());
        assertEquals("runtime.mstart", g0.frames().get(7).function());
        assertTrue(g0.createdBy().isEmpty());
        assertEquals(List.of(watchdog), t.goroutines());
    }

    @Test
    void olderHeadersElisionAndOtherThreads() {
        RuntimeTraceback t = RuntimeTraceback.parse("""
                panic: boom
                \tsecond line of the message
                [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4553b2]

                goroutine 1 [chan receive, 12 minutes, locked to thread]:
                main.main()
                \t/src/x/main.go:10 +0x25
                ...additional frames elided...

                goroutine 7 [running]:
                \tgoroutine running on other thread; stack unavailable
                created by main.start
                \t/src/x/main.go:20 +0x3f

                goroutine 9 gp=0xc000100000 m=nil [select, 3 minutes]:
                runtime.gopark(...)
                \t/usr/lib/go/src/runtime/proc.go:398
                main.loop(0xc000010000, {0x1, 0x2, ...})
                \t/src/x/loop.go:44 +0x1a5
                ...12 frames elided...
                main.(*T[...]).run(...)
                \t/src/x/loop.go:50
                main.start.func1()
                \t/src/x/loop.go:60 +0x10
                created by main.start in goroutine 1
                \t/src/x/main.go:21 +0x55
                """);
        assertEquals(List.of(new Panic("boom\nsecond line of the message", false, false,
                "panic: boom\n\tsecond line of the message")), t.panics());
        assertEquals("[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4553b2]", t.faultSignal().orElseThrow());
        assertEquals(List.of(), t.otherLines());

        Goroutine g1 = t.goroutine(1).orElseThrow();
        assertEquals(t.panicking().orElseThrow(), g1);
        assertNull(g1.gp());
        assertEquals("chan receive", g1.status());
        assertEquals("chan receive, 12 minutes, locked to thread", g1.rawStatus());
        assertEquals(12, g1.waitMinutes());
        assertTrue(g1.lockedToThread());
        assertTrue(g1.truncated());
        assertEquals(1, g1.frames().size());
        assertNull(g1.frames().get(0).pc());
        assertEquals(0x25L, g1.frames().get(0).entryOffset());

        Goroutine g7 = t.goroutine(7).orElseThrow();
        assertTrue(g7.stackUnavailable());
        assertTrue(g7.frames().isEmpty());
        assertEquals(new CreatedBy("main.start", "main.start", 0, "/src/x/main.go", 20, 0x3fL), g7.createdBy().orElseThrow());

        Goroutine g9 = t.goroutine(9).orElseThrow();
        assertEquals("select", g9.status());
        assertEquals(3, g9.waitMinutes());
        assertFalse(g9.lockedToThread());
        assertEquals(12, g9.elidedFrames());
        assertEquals(2, g9.elidedAt());
        assertEquals(List.of("runtime.gopark", "main.loop", "main.(*T[...]).run", "main.start.func1"),
                g9.frames().stream().map(Frame::function).toList());
        assertEquals("0xc000010000, {0x1, 0x2, ...}", g9.frames().get(1).args());
        assertTrue(g9.frames().get(2).inlined());
        assertFalse(g9.frames().get(1).inlined());
        assertEquals(1, g9.createdBy().orElseThrow().parentGoroutine());
    }

    @Test
    void fatalErrorRuntimeStackAndAHeaderOnThePanicLine() {
        RuntimeTraceback t = RuntimeTraceback.parse("""
                fatal error: all goroutines are asleep - deadlock!

                runtime stack:
                runtime.throw({0x4a1b2c?, 0x0?})
                \t/usr/local/go/src/runtime/panic.go:1023 +0x5c fp=0x7ffd1000 sp=0x7ffd0fd0 pc=0x433d7c
                runtime.checkdead.func1(0xc000006000)
                \t/usr/local/go/src/runtime/proc.go:5603 +0x34 fp=0x7ffd1030 sp=0x7ffd1000 pc=0x43f8f4

                goroutine 1 gp=0xc0000061c0 m=nil [chan receive]:
                main.main()
                \t/src/x/main.go:5 +0x1d fp=0xc000070f50 sp=0xc000070f30 pc=0x45e3dd
                """);
        assertEquals("all goroutines are asleep - deadlock!", t.fatalError().orElseThrow());
        assertTrue(t.panicking().isEmpty());
        assertEquals(1, t.g0Sections().size());
        assertEquals(-1, t.g0Sections().get(0).id());
        assertEquals(List.of("runtime.throw", "runtime.checkdead.func1"),
                t.g0Sections().get(0).frames().stream().map(Frame::function).toList());
        assertEquals(List.of(1L), t.goroutines().stream().map(Goroutine::id).toList());

        RuntimeTraceback joined = RuntimeTraceback.parse("""
                panic: send on closed channel goroutine 5 [running]:
                main.send(...)
                \t/src/x/main.go:9
                created by main.main in goroutine 1
                \t/src/x/main.go:12 +0x2c
                """);
        assertEquals("send on closed channel", joined.panicMessage().orElseThrow());
        Goroutine g5 = joined.panicking().orElseThrow();
        assertEquals(5, g5.id());
        assertEquals("running", g5.status());
        assertEquals("main.send", g5.frames().get(0).function());
        assertTrue(g5.frames().get(0).inlined());

        RuntimeTraceback repanicked = RuntimeTraceback.parse("panic: send on closed channel [recovered, repanicked]\n");
        assertEquals(List.of(new Panic("send on closed channel", true, true,
                "panic: send on closed channel [recovered, repanicked]")), repanicked.panics());
    }

    @Test
    void argumentListsAreStrippedFromTheEnd() {
        assertEquals("main.(*Pool[...]).Go", RuntimeTraceback.stripArgs("main.(*Pool[...]).Go(...)"));
        assertEquals("main.fanIn.func1", RuntimeTraceback.stripArgs("main.fanIn.func1({{0x51595d?, 0x0?}, 0x0?, 0x0?})"));
        assertEquals("main.(*T).M", RuntimeTraceback.stripArgs("main.(*T).M(0xc000010000, ...)"));
        assertEquals("runtime.gopanic", RuntimeTraceback.normalize("panic"));
        assertEquals("main.panic", RuntimeTraceback.normalize("main.panic"));
    }

    // ---- every stderr.txt of sample-cores ----

    static Stream<Entry> samples() {
        List<Entry> all = SampleCores.all();
        assertFalse(all.isEmpty(), "no sample cores under " + SampleCores.sampleCoresDir());
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everySampleStderrParses(Entry e) {
        String text = e.stderrText();
        RuntimeTraceback t = RuntimeTraceback.parse(text);
        SampleCores.Truth truth = e.truth();

        assertEquals(List.of(), t.otherLines(), "lines the parser did not recognise");
        long headers = text.lines().filter(l -> l.startsWith("goroutine ") || l.equals("runtime stack:")).count();
        assertEquals(headers, t.sections().size(), "one section per goroutine header");
        Set<Long> ids = new HashSet<>();
        for (Goroutine g : t.goroutines()) {
            assertTrue(ids.add(g.id()), "goroutine " + g.id() + " printed twice");
            if (!g.stackUnavailable()) {
                assertFalse(g.frames().isEmpty(), "goroutine " + g.id() + " has frames");
            }
            assertEquals(g.id() != 1, g.createdBy().isPresent(), "created-by of goroutine " + g.id());
            assertTrue(g.gp() != null, "GOTRACEBACK=crash prints gp= for goroutine " + g.id());
        }
        for (Goroutine g : t.sections()) {
            for (Frame f : g.frames()) {
                assertFalse(f.file().isBlank());
                assertTrue(f.line() > 0, f.toString());
                assertEquals(f.inlined(), f.pc() == null, "only inlined frames lack pc: " + f);
                // no +0x offset: an inlined frame, or a goroutine that has not run yet (pc == entry)
                if (f.inlined()) {
                    assertNull(f.entryOffset(), f.toString());
                }
            }
        }

        if (truth.panicMessage() != null) {
            assertFalse(t.panics().isEmpty());
            assertEquals(truth.panicMessage(), t.panics().get(0).message());
            if (truth.repanicked()) {
                Panic last = t.panics().get(t.panics().size() - 1);
                boolean go125 = last.repanicked() && t.panics().size() == 1;
                boolean older = t.panics().size() == 2 && t.panics().get(0).recovered() && !last.recovered();
                assertTrue(go125 || older, "recovered and re-panicked: " + t.panics());
            } else {
                assertEquals(1, t.panics().size());
            }
            Goroutine victim = t.panicking().orElseThrow();
            assertEquals(t.sections().get(0), victim, "the panicking goroutine is printed first");
            assertEquals("running", victim.status());
            assertEquals("runtime.gopanic", victim.frames().get(0).function());
            for (Site v : truth.victim()) {
                assertTrue(victim.frames().stream().anyMatch(f -> f.function().equals(v.function())
                                && f.line() == v.line() && f.file().endsWith("/" + v.file())), // -trimpath: module-relative
                        "victim " + v + " on the panicking goroutine");
            }
            String site = switch (truth.panicSite().get(0)) {
                case "chansend-first-check", "chansend-after-park" -> "runtime.chansend";
                case "selectgo" -> "runtime.selectgo";
                case "closechan" -> "runtime.closechan";
                default -> null;
            };
            Set<String> functions = victim.frames().stream().map(Frame::function).collect(Collectors.toSet());
            if (site != null) {
                assertTrue(functions.contains(site), site + " on the panicking goroutine");
            } else {
                assertFalse(functions.contains("runtime.chansend") || functions.contains("runtime.closechan")
                        || functions.contains("runtime.selectgo"));
            }
        } else {
            assertTrue(t.panics().isEmpty());
            assertEquals(truth.fatalSignal(), t.signals().get(0).name());
            assertTrue(t.signals().size() >= 2, "SIGQUIT relayed to the other Ms");
            assertFalse(t.g0Sections().isEmpty());
            for (Signal s : t.signals()) {
                // the runtime's dumpregs: amd64 rax..rip, arm64 r0..r29, lr, sp, pc, fault
                assertTrue(s.registers().containsKey(e.arch().equals("arm64") ? "pc" : "rip"),
                        s.name() + " has a register dump");
                assertTrue(s.m() != null && s.pc() != null);
            }
            for (int i = 1; i < t.signals().size(); i++) {
                assertEquals("SIGQUIT", t.signals().get(i).name());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manyGoroutines")
    void manyGoroutinesHasTheOracleShape(Entry e) {
        RuntimeTraceback t = e.traceback();
        List<Goroutine> gs = t.goroutines();
        assertTrue(gs.size() >= 950 && gs.size() <= 1100, gs.size() + " goroutines");
        Set<String> statuses = gs.stream().map(Goroutine::status).collect(Collectors.toSet());
        for (String s : List.of("running", "chan receive", "chan send", "select", "sleep", "IO wait", "sync.Mutex.Lock",
                "sync.RWMutex.RLock", "sync.Cond.Wait", "chan receive (nil chan)", "select (no cases)")) {
            assertTrue(statuses.contains(s), "some goroutine is [" + s + "]: " + statuses);
        }
        assertTrue(statuses.contains("sync.WaitGroup.Wait") || statuses.contains("semacquire"), statuses.toString());
        assertEquals(1, gs.stream().filter(Goroutine::lockedToThread).count());
        Goroutine deep = gs.stream().filter(g -> g.elidedFrames() > 0).findFirst().orElseThrow();
        assertTrue(deep.frames().size() >= 100, "the deep goroutine prints its inner and outer frames");
        assertTrue(deep.frames().stream().anyMatch(f -> f.function().equals("main.nested")));
    }

    static Stream<Entry> manyGoroutines() {
        return SampleCores.named("many-goroutines").stream();
    }
}
