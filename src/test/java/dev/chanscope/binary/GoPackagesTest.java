package dev.chanscope.binary;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chanscope.binary.GoPackages.Origin;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The program's own code is what the build info and the toolchain's package list say, not
 * whether a path has a dot: a module named {@code fixtures}, a test binary, a GOPATH package.
 */
class GoPackagesTest {
    private static final GoPackages DOTLESS = new GoPackages(List.of("fixtures"), "fixtures");
    private static final GoPackages NO_INFO = new GoPackages(List.of());

    @Test
    void aDotlessModulesPackagesAreTheProgramsOwn() {
        assertEquals(Origin.USER, DOTLESS.origin("fixtures/x/pool.(*Pool).Watchdog"));
        assertEquals(Origin.USER, DOTLESS.origin("fixtures.helper"));
        // Without build info, a path the toolchain does not ship is the program's (GOPATH, old binaries).
        assertEquals(Origin.USER, NO_INFO.origin("fixtures/x/pool.(*Pool).Watchdog"));
        assertEquals(Origin.USER, NO_INFO.origin("svc/work.(*Pool).Stop"));
    }

    @Test
    void theStandardLibraryIsWhatTheToolchainShips() {
        for (GoPackages p : List.of(DOTLESS, NO_INFO)) {
            assertEquals(Origin.STANDARD, p.origin("sync.(*Once).Do"));
            assertEquals(Origin.STANDARD, p.origin("net/http.(*Server).Serve"));
            assertEquals(Origin.STANDARD, p.origin("context.(*cancelCtx).propagateCancel.func2"));
            assertEquals(Origin.STANDARD, p.origin("vendor/golang.org/x/net/http2/hpack.(*Decoder).Write"));
            assertEquals(Origin.STANDARD, p.origin("uuid.New")); // new in Go 1.27
            assertEquals(Origin.STANDARD, p.origin("type:.eq.main.Sample"));
            assertEquals(Origin.STANDARD, p.origin("go:buildid"));
            assertEquals(Origin.RUNTIME, p.origin("runtime.chansend1"));
            assertEquals(Origin.RUNTIME, p.origin("internal/sync.(*Mutex).Lock"));
        }
    }

    @Test
    void mainCommandLineArgumentsAndTestBinariesAreTheProgramsOwn() {
        assertEquals(Origin.USER, NO_INFO.origin("main.main.gowrap1"));
        assertEquals(Origin.USER, NO_INFO.origin("command-line-arguments.produce"));
        GoPackages test = new GoPackages(List.of("example/hello"), "example/hello/pkg.test");
        assertEquals(Origin.USER, test.origin("example/hello/pkg.TestShutdown"));
        assertEquals(Origin.USER, test.origin("example/hello/pkg.produce.gowrap1"));
        assertEquals(Origin.STANDARD, test.origin("testing.tRunner"));
    }

    @Test
    void aModuleTheBuildInfoListsIsUserCodeEvenUnderAStandardName() {
        // A dependency's path is matched by the build info before the standard list.
        GoPackages deps = new GoPackages(List.of("svc", "golang.org/x/sync"), "svc");
        assertEquals(Origin.USER, deps.origin("golang.org/x/sync/errgroup.(*Group).Go"));
        assertEquals(Origin.USER, deps.origin("github.com/unlisted/dep.F"));
        assertEquals(Origin.STANDARD, deps.origin("time.Sleep"));
    }
}
