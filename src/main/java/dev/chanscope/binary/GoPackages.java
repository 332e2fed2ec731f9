package dev.chanscope.binary;

import java.util.List;
import java.util.Set;

/**
 * Which package a function belongs to, and whether that package is the Go runtime's own, the
 * standard library's, or the program's (its main module and its dependencies, from the
 * binary's build info).
 */
public final class GoPackages {

    /** Where a function's code comes from. */
    public enum Origin {
        /** runtime, runtime/*, internal/*, reflect: the machinery channel operations are made of */
        RUNTIME,
        /** the rest of the Go distribution (sync, time, net/http, ...) and compiler-generated type functions */
        STANDARD,
        /** package main, the main module and its dependencies */
        USER
    }

    /**
     * The first element of every standard-library import path that Go 1.18 to 1.27 ship ({@code go
     * list std}, first path element; "uuid" is new in 1.27). The standard library is what the
     * toolchain ships; a path not under one of these is the program's own or a dependency's,
     * with or without a dot (a module named {@code svc}, a GOPATH package, a test binary).
     */
    static final Set<String> STD_ROOTS = Set.of("archive", "bufio", "builtin", "bytes", "cmp", "compress",
            "container", "context", "crypto", "database", "debug", "embed", "encoding", "errors", "expvar", "flag",
            "fmt", "go", "hash", "html", "image", "index", "internal", "io", "iter", "log", "maps", "math", "mime",
            "net", "os", "path", "plugin", "reflect", "regexp", "runtime", "slices", "sort", "strconv", "strings",
            "structs", "sync", "syscall", "testing", "text", "time", "unicode", "unique", "unsafe", "uuid", "vendor",
            "weak");

    private final List<String> modules;
    private final String mainPackage;

    /** @param modules module paths of the program (main module and dependencies); empty when unknown */
    public GoPackages(List<String> modules) {
        this(modules, "");
    }

    /**
     * @param modules     module paths of the program (main module and dependencies); empty when unknown
     * @param mainPackage the main package's import path from the build info ("" when unknown):
     *                    {@code command-line-arguments} for {@code go build file.go}, "x.test" for
     *                    {@code go test -c}
     */
    public GoPackages(List<String> modules, String mainPackage) {
        this.modules = List.copyOf(modules);
        this.mainPackage = mainPackage;
    }

    /**
     * The package path of a function, as the runtime's funcpkgpath finds it: on the printed
     * name (generic arguments as "[...]"), up to the first '.' after the last '/'.
     */
    public static String packageOf(String function) {
        // The symbol name, not the traceback's print name (which shows runtime.gopanic as
        // "panic"); type arguments, which hold dots and slashes of their own, cut off.
        int bracket = function.indexOf('[');
        String name = bracket < 0 ? function : function.substring(0, bracket);
        int slash = name.lastIndexOf('/');
        int dot = name.indexOf('.', Math.max(slash, 0));
        return dot < 0 ? name : name.substring(0, dot);
    }

    /**
     * An import path as the linker escapes it in symbol names undone: cmd/internal/objabi
     * PathToPrefix writes '.' in the last element, '%', '"' and control characters as %xx
     * ("gopkg.in/yaml%2ev3" is gopkg.in/yaml.v3).
     */
    public static String unescape(String pkg) {
        if (pkg.indexOf('%') < 0) {
            return pkg;
        }
        StringBuilder b = new StringBuilder(pkg.length());
        for (int i = 0; i < pkg.length(); i++) {
            char c = pkg.charAt(i);
            if (c == '%' && i + 2 < pkg.length()
                    && Character.digit(pkg.charAt(i + 1), 16) >= 0 && Character.digit(pkg.charAt(i + 2), 16) >= 0) {
                b.append((char) Integer.parseInt(pkg.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * RUNTIME for the runtime's machinery; USER for package main, {@code command-line-arguments},
     * the build info's main package and every package of a module the build info lists; STANDARD
     * for compiler-generated functions ("type:", "go:") and the packages the toolchain ships;
     * USER for anything else (a module or GOPATH package the build info does not describe).
     */
    public Origin origin(String function) {
        String pkg = unescape(packageOf(function));
        if (pkg.equals("runtime") || pkg.startsWith("runtime/") || pkg.startsWith("internal/")
                || pkg.equals("reflect") || pkg.startsWith("reflect/")) {
            return Origin.RUNTIME;
        }
        if (pkg.equals("main") || pkg.equals("command-line-arguments")
                || !mainPackage.isEmpty() && (pkg.equals(mainPackage) || pkg.equals(stripTest(mainPackage)))) {
            return Origin.USER;
        }
        for (String m : modules) {
            if (pkg.equals(m) || pkg.startsWith(m + "/")) {
                return Origin.USER;
            }
        }
        // Compiler-generated: "type:eq.T", "go:buildid" (Go 1.20+), "type..eq.T" (before).
        if (pkg.startsWith("type:") || pkg.startsWith("go:") || pkg.equals("type")) {
            return Origin.STANDARD;
        }
        int slash = pkg.indexOf('/');
        String first = slash < 0 ? pkg : pkg.substring(0, slash);
        return STD_ROOTS.contains(first) ? Origin.STANDARD : Origin.USER;
    }

    /** "example/hello/pkg.test" → "example/hello/pkg": a test binary's package under test. */
    private static String stripTest(String mainPackage) {
        return mainPackage.endsWith(".test") ? mainPackage.substring(0, mainPackage.length() - 5) : mainPackage;
    }
}
