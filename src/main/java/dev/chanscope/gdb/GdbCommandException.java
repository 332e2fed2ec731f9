package dev.chanscope.gdb;

/** gdb answered {@code ^error}: the command was understood but failed (no such symbol, bad address...). */
public class GdbCommandException extends GdbException {
    private final String command;

    public GdbCommandException(String command, String gdbMessage) {
        super(gdbMessage);
        this.command = command;
    }

    public String command() {
        return command;
    }
}
