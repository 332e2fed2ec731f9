package dev.chanscope.binary;

import dev.chanscope.goruntime.Pclntab;
import java.util.List;

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

    private final List<String> modules;

    /** @param modules module paths of the program (main module and dependencies); empty when unknown */
    public GoPackages(List<String> modules) {
        this.modules = List.copyOf(modules);
    }

    /**
     * The package path of a function, as the runtime's funcpkgpath finds it: on the printed
     * name (generic arguments as "[...]"), up to the first '.' after the last '/'.
     */
    public static String packageOf(String function) {
        String name = Pclntab.printName(function);
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

    public Origin origin(String function) {
        String pkg = unescape(packageOf(function));
        if (pkg.equals("runtime") || pkg.startsWith("runtime/") || pkg.startsWith("internal/")
                || pkg.equals("reflect") || pkg.startsWith("reflect/")) {
            return Origin.RUNTIME;
        }
        if (pkg.equals("main")) {
            return Origin.USER;
        }
        if (!modules.isEmpty()) {
            for (String m : modules) {
                if (pkg.equals(m) || pkg.startsWith(m + "/")) {
                    return Origin.USER;
                }
            }
            return Origin.STANDARD;
        }
        // Without build info: standard-library paths have no dot in their first element.
        int slash = pkg.indexOf('/');
        String first = slash < 0 ? pkg : pkg.substring(0, slash);
        return first.contains(".") && !pkg.startsWith("type:") && !pkg.startsWith("go:") ? Origin.USER : Origin.STANDARD;
    }
}
