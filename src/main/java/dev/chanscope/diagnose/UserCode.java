package dev.chanscope.diagnose;

/** Tells the program's own code from the Go distribution's. */
final class UserCode {
    private UserCode() {
    }

    /**
     * Standard-library import paths have no dot in their first element ("net/http", "sync");
     * module paths do ("github.com/x/y"), and package main is the program itself.
     */
    static boolean isUser(String function) {
        if (function.startsWith("main.")) {
            return true;
        }
        int slash = function.indexOf('/');
        int dot = function.indexOf('.');
        if (slash < 0) {
            return false; // "sync.(*Once).Do", "runtime.gopanic"
        }
        String first = function.substring(0, slash);
        return first.contains(".") && (dot < 0 || dot < slash);
    }
}
