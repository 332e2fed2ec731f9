# lib-chancheck.py: a gdb Python script used by scripts/make-sample-cores to check a
# fixture's truth (channelElemType, channelCapacity) against the channel in the core.
#
#   CHAN=0xADDR [SCASE=1] gdb -nx -batch -iex 'set auto-load off' BINARY CORE \
#       -ex 'source scripts/lib-chancheck.py'
#
# CHAN is the first argument of the panicking goroutine's runtime.chansend/closechan frame
# (an *hchan) or, with SCASE=1, of runtime.selectgo (cas0, the first scase: sends come
# first). Prints "chancheck elem=<type string> cap=<N> qcount=<N> closed=<N>", reading the
# element type's name through runtime.firstmoduledata.types + _type.Str as the runtime does.
import os

import gdb


def _varint(mem, off):
    value, shift = 0, 0
    while True:
        b = mem[off]
        off += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b & 0x80 == 0:
            return value, off


def _field(v, *names):
    # runtime._type's fields were renamed when it became internal/abi.Type (Go 1.21: str -> Str)
    for n in names:
        try:
            return v[n]
        except gdb.error:
            continue
    raise gdb.error("no field %s" % "/".join(names))


def _type_string(t):
    types = int(gdb.lookup_global_symbol("runtime.firstmoduledata").value()["types"])
    mem = bytes(gdb.selected_inferior().read_memory(types + int(_field(t, "Str", "str")), 1024))
    n, p = _varint(mem, 1)  # abi.Name: one flag byte, a varint length, the bytes (Go 1.17 and later)
    s = mem[p : p + n].decode()
    if int(_field(t, "TFlag", "tflag")) & 2:  # TFlagExtraStar
        s = s[1:]
    return s



def main():
    addr = int(os.environ["CHAN"], 16)
    if os.environ.get("SCASE"):
        addr = int(gdb.Value(addr).cast(gdb.lookup_type("runtime.scase").pointer()).dereference()["c"])
    c = gdb.Value(addr).cast(gdb.lookup_type("runtime.hchan").pointer()).dereference()
    elem = _type_string(c["elemtype"].dereference())  # *runtime._type or *internal/abi.Type
    print("chancheck elem=%s cap=%d qcount=%d closed=%d" % (elem, int(c["dataqsiz"]), int(c["qcount"]), int(c["closed"])))


main()
