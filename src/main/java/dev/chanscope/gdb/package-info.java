/**
 * gdb in machine-interface mode (MI3): the process, the record parser, command quoting and
 * timeouts; and the lookups that go through it (symbols, threads, struct layouts from
 * {@code ptype/o}). The two targets, {@code core} and {@code live}, use it; above them only
 * {@code cli} does, to check gdb once before a batch and to name its errors.
 */
package dev.chanscope.gdb;
