package dev.chanscope.binary;

/** A function and a source line, as the runtime names them (generic shapes printed as [...]). */
public record SourcePos(String function, String file, int line) {
    public String location() {
        return file + ":" + line;
    }
}
