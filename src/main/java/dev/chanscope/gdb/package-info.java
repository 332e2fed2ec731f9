/**
 * gdb in machine-interface mode (MI3): the process, the record parser, command quoting and
 * timeouts. Nothing outside {@code target} talks to this package.
 */
package dev.chanscope.gdb;
