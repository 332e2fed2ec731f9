package dev.chanscope.binary;

import dev.chanscope.ChanscopeException;
import dev.chanscope.ExitCode;
import dev.chanscope.arch.CallingConvention;
import dev.chanscope.arch.CodeDecoder;
import dev.chanscope.arch.amd64.Amd64Decoder;
import dev.chanscope.binary.AbstractValue.Address;
import dev.chanscope.binary.AbstractValue.Constant;
import dev.chanscope.binary.AbstractValue.Context;
import dev.chanscope.binary.AbstractValue.Field;
import dev.chanscope.binary.AbstractValue.NewObject;
import dev.chanscope.binary.CallGraph.EdgeKind;
import dev.chanscope.binary.CallSite.Wrapper;
import dev.chanscope.elf.ElfFile;
import dev.chanscope.elf.LinkerSymbols;
import dev.chanscope.elf.ElfVirtualMemory;
import dev.chanscope.goruntime.Pclntab;
import dev.chanscope.goruntime.Pclntab.FuncInfo;
import dev.chanscope.goruntime.Pclntab.SourceFrame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Scans a Go executable's code for the facts the diagnosis needs ({@link BinaryFacts}): every
 * function the pclntab lists is decoded from entry to end; direct calls give the call sites of
 * channel operations and the call graph; a dataflow over the functions with {@code go}
 * statements traces the funcval passed to runtime.newproc to the function the goroutine
 * starts in. Input is the executable alone (no core, no gdb). See docs/binary-facts.md.
 */
public final class BinaryScanner {

    private static final Pattern DEFER_WRAPPER = Pattern.compile("\\.deferwrap\\d+$");
    private static final Pattern GO_WRAPPER = Pattern.compile("\\.gowrap\\d+$");
    private static final Pattern CLOSURE = Pattern.compile("\\.func\\d+(\\.\\d+)*$");
    /** A method value's wrapper (pkg.T.M-fm): what {@code f := t.M; go f()} starts in. */
    private static final String METHOD_VALUE_SUFFIX = "-fm";
    private static final Pattern INIT = Pattern.compile("\\.init(\\.\\d+)?");
    /** selectgo(cas0, order0, pc0, nsends, nrecvs, block): the integer argument positions of the counts. */
    private static final int SELECT_NSENDS = 3, SELECT_NRECVS = 4;

    private final ElfFile exe;
    private final Pclntab pclntab;
    private final CodeDecoder decoder;
    private final long bias;
    private final GoPackages packages;
    private final Optional<BuildInfo> buildInfo;
    private final Map<Long, FuncInfo> byEntry = new HashMap<>();
    private final Map<Long, FunctionSummary> summaryByEntry = new HashMap<>();
    private final Map<Long, ClosureFlow> flows = new HashMap<>();
    private final CallGraph graph = new CallGraph();
    private final List<CallSite> sites = new ArrayList<>();
    private final List<GoRoot> roots = new ArrayList<>();
    private final List<Unresolved> unresolved = new ArrayList<>();
    private final Map<Long, SelectShape> selects = new HashMap<>();
    private final Set<Long> consumedAddressPcs = new HashSet<>();
    private final Set<Long> resolvedIndirectPcs = new HashSet<>();
    private final Set<String> indirectCallers = new HashSet<>();
    private final Map<Long, ClosureFlow> operandFlows = new HashMap<>();
    private final Map<Long, ChannelOperand> operands = new HashMap<>();
    private final Map<Long, List<ChannelOperand>> selectSends = new HashMap<>();
    private final Map<String, List<ChannelOperand>> receiveChecks = new HashMap<>();
    private Map<Long, List<FuncInfo>> builders;
    private long[] objectStarts;
    private ElfFile.Symbol[] objectSymbols;

    private BinaryScanner(ElfFile exe, Pclntab pclntab, CodeDecoder decoder) {
        this.exe = exe;
        this.pclntab = pclntab;
        this.decoder = decoder;
        // For a PIE executable the pclntab may come from a core (relocated); the file is not.
        // Without runtime.text (stripped), the pclntab's own header gives the bias: it moves
        // with the image (the .text section's start is not runtime.text under external linking).
        OptionalLong linkText = exe.symbolAddress("runtime.text");
        OptionalLong linkHeader = LinkerSymbols.address(exe, "runtime.pcheader");
        this.bias = linkText.isPresent() ? pclntab.textStart() - linkText.getAsLong()
                : linkHeader.isPresent() ? pclntab.headerAddress() - linkHeader.getAsLong()
                : pclntab.textStart() - exe.section(".text").map(ElfFile.Section::addr).orElse(pclntab.textStart());
        this.buildInfo = BuildInfo.read(exe);
        this.packages = new GoPackages(buildInfo.map(BuildInfo::modules).orElse(List.of()),
                buildInfo.map(BuildInfo::mainPackage).orElse(""));
    }

    /**
     * Scans {@code exe} with the pclntab the caller built (from a core's moduledata, or with
     * {@link #pclntabOf}).
     *
     * @throws ChanscopeException BAD_INPUT for an architecture without a decoder
     */
    public static ScannedBinary scan(ElfFile exe, Pclntab pclntab) {
        return new BinaryScanner(exe, pclntab, decoderFor(exe)).run();
    }

    /** Scans an executable on its own: the pclntab from its sections and symbols ({@link #pclntabOf}). */
    public static ScannedBinary scan(ElfFile exe) {
        return scan(exe, pclntabOf(exe));
    }

    /**
     * The executable's pclntab without a process: pcHeader at the start of {@code .gopclntab}
     * ({@code .data.rel.ro.gopclntab} in older PIE binaries),
     * text at the symbol runtime.text, gofunc at the symbol go:func.* (go.func.* before Go
     * 1.20). Needs the symbol table ({@code -ldflags=-s} removes it; use the moduledata of a
     * core instead).
     *
     * @throws ChanscopeException BAD_INPUT when the section or a symbol is missing
     */
    public static Pclntab pclntabOf(ElfFile exe) {
        // PIE binaries of Go 1.22 and earlier put it in .data.rel.ro.gopclntab (relocated data).
        ElfFile.Section sec = exe.section(".gopclntab").or(() -> exe.section(".data.rel.ro.gopclntab"))
                .orElseThrow(() -> new ChanscopeException(ExitCode.BAD_INPUT,
                exe.path() + " has no .gopclntab section: not a Go executable, or not ELF-linked by Go"));
        // A stripped binary: the same addresses from the moduledata the linker wrote.
        Optional<FileModuledata> md = exe.symbolAddress("runtime.text").isPresent() ? Optional.empty()
                : FileModuledata.read(exe, sec.addr());
        long text = exe.symbolAddress("runtime.text").orElseGet(() -> md.map(FileModuledata::text)
                .orElseThrow(() -> new ChanscopeException(ExitCode.BAD_INPUT,
                exe.path() + " has no symbol runtime.text (stripped?): pass the pclntab from a core")));
        long gofunc = exe.symbolAddress("go:func.*").orElseGet(() -> exe.symbolAddress("go.func.*")
                .orElseGet(() -> md.map(FileModuledata::gofunc).orElseThrow(() -> new ChanscopeException(ExitCode.BAD_INPUT,
                        exe.path() + " has no symbol go:func.* (stripped?): pass the pclntab from a core"))));
        try {
            return new Pclntab(new ElfVirtualMemory(exe), sec.addr(), gofunc, text);
        } catch (IllegalArgumentException e) {
            throw new ChanscopeException(ExitCode.BAD_INPUT, exe.path() + ": " + e.getMessage(), e);
        }
    }

    /** The decoder for the executable's architecture. */
    public static CodeDecoder decoderFor(ElfFile exe) {
        if (exe.machine() == ElfFile.EM_X86_64) {
            return new Amd64Decoder();
        }
        if (exe.machine() == ElfFile.EM_AARCH64) {
            return new dev.chanscope.arch.arm64.Arm64Decoder();
        }
        throw new ChanscopeException(ExitCode.BAD_INPUT, exe.path() + ": machine " + exe.machine()
                + " is not supported by the binary scan (amd64 and arm64 only)");
    }

    /** The compiler-wrapper kind a function's name shows. */
    public static Wrapper wrapperOf(String function) {
        if (DEFER_WRAPPER.matcher(function).find()) {
            return Wrapper.DEFER_WRAPPER;
        }
        if (GO_WRAPPER.matcher(function).find()) {
            return Wrapper.GO_WRAPPER;
        }
        if (CLOSURE.matcher(function).find()) {
            return Wrapper.CLOSURE;
        }
        return Wrapper.NONE;
    }

    // ---- the scan ----

    /** Runtime functions that do not return: a path through a call of one of them ends there. */
    private static final Set<String> NO_RETURN = Set.of("runtime.gopanic", "runtime.throw", "runtime.fatal",
            "runtime.fatalthrow", "runtime.panicIndex", "runtime.panicIndexU", "runtime.panicSliceAlen",
            "runtime.panicSliceAlenU", "runtime.panicSliceAcap", "runtime.panicSliceAcapU", "runtime.panicSliceB",
            "runtime.panicSliceBU", "runtime.panicdivide", "runtime.panicshift", "runtime.panicwrap",
            "runtime.panicnildottype", "runtime.panicdottypeE", "runtime.panicdottypeI", "runtime.panicmem",
            "runtime.panicunsafeslicelen", "runtime.goPanicIndex", "runtime.goPanicSliceAlen",
            "runtime.goPanicSliceAcap", "runtime.goPanicSliceB", "runtime.sigpanic", "runtime.Goexit");

    private ScannedBinary run() {
        long t0 = System.nanoTime();
        List<FuncInfo> functions = pclntab.functions();
        long bytes = 0;
        long instructions = 0;
        int undecodable = 0;
        int misaligned = 0;
        int indirect = 0;
        for (FuncInfo fn : functions) {
            byEntry.put(fn.entry(), fn);
        }
        for (FuncInfo fn : functions) {
            byte[] code = code(fn);
            FunctionSummary s = new FunctionSummary(FunctionCode.decode(decoder, fn, code), decoder.convention());
            summaryByEntry.put(fn.entry(), s);
            bytes += code.length;
            instructions += s.instructions;
            misaligned += s.misalignedTargets;
            indirect += s.indirectCalls.size();
            if (s.undecodableAt != 0) {
                undecodable++;
                unresolved.add(new Unresolved(Unresolved.Kind.UNDECODABLE, fn.name(), s.undecodableAt,
                        position(fn, s.undecodableAt), "the decoder stopped here; calls after it are missing"));
            }
        }
        for (FunctionSummary s : summaryByEntry.values().stream()
                .sorted(Comparator.comparingLong(x -> x.fn.entry())).toList()) {
            scanCalls(s);
        }
        addMainRoots();
        addAddressEdges();
        channelOperands();
        for (FunctionSummary s : summaryByEntry.values()) {
            noteIndirectCalls(s);
        }
        sites.sort(Comparator.comparingLong(CallSite::pc));
        unresolved.sort(Comparator.comparingLong(Unresolved::pc));
        ScanStats stats = new ScanStats(functions.size(), bytes, instructions, undecodable, misaligned, indirect,
                System.nanoTime() - t0);
        ScannedBinary out = new ScannedBinary(List.copyOf(sites), graph, List.copyOf(roots), List.copyOf(unresolved),
                Map.copyOf(selects), Set.copyOf(indirectCallers), packages, buildInfo, stats,
                Map.copyOf(operands), Map.copyOf(selectSends), Map.copyOf(receiveChecks));
        Map<String, FuncInfo> byName = new HashMap<>();
        for (FuncInfo fn : functions) {
            byName.putIfAbsent(fn.name(), fn);
        }
        out.flowSource(name -> Optional.ofNullable(byName.get(name)).map(fn -> new FunctionFlow(fn.name(), fn.entry(),
                fn.end(), FunctionCode.decode(decoder, fn, code(fn)).instructions,
                target -> functionAt(target).map(f -> NO_RETURN.contains(f.name())).orElse(false))),
                pc -> functionAt(pc).map(FuncInfo::name),
                pc -> functionAt(pc).map(fn -> pclntab.frames(fn, pc).stream().map(SourceFrame::function).toList())
                        .orElse(List.of()));
        return out;
    }

    private byte[] code(FuncInfo fn) {
        int len = (int) Math.min(fn.end() - fn.entry(), Integer.MAX_VALUE);
        return exe.readVirtual(fn.entry() - bias, len).orElseThrow(() -> new ChanscopeException(ExitCode.BAD_INPUT,
                String.format("%s: code of %s at 0x%x is not in the file", exe.path(), fn.name(), fn.entry())));
    }

    private Optional<FuncInfo> functionAt(long pc) {
        return pclntab.funcAt(pc);
    }

    /** Direct calls: call-graph edges, and the call sites of channel operations and newproc. */
    private void scanCalls(FunctionSummary s) {
        FuncInfo fn = s.fn;
        boolean runtime = packages.origin(fn.name()) == GoPackages.Origin.RUNTIME;
        for (FunctionSummary.Transfer t : s.transfers) {
            Optional<FuncInfo> callee = functionAt(t.target());
            if (callee.isEmpty()) {
                continue;
            }
            graph.add(fn.name(), callee.get().name(), t.tail() ? EdgeKind.TAIL_CALL : EdgeKind.CALL);
            if (runtime || t.tail() || callee.get().entry() != t.target()) {
                continue;
            }
            Optional<ChannelOp> op = ChannelCallees.op(callee.get().name());
            if (op.isEmpty()) {
                continue;
            }
            switch (op.get()) {
                case GO -> goStatement(fn, t.pc(), callee.get().name());
                case SELECT -> {
                    selectShape(fn, t.pc()).ifPresent(shape -> selects.put(t.pc(), shape));
                    sites.add(site(fn, t.pc(), op.get(), callee.get().name(), Optional.empty()));
                }
                default -> sites.add(site(fn, t.pc(), op.get(), callee.get().name(), Optional.empty()));
            }
        }
    }

    private CallSite site(FuncInfo fn, long pc, ChannelOp op, String callee, Optional<String> goTarget) {
        List<SourceFrame> frames = pclntab.frames(fn, pc);
        SourceFrame inner = frames.get(0);
        List<SourcePos> chain = new ArrayList<>();
        for (int i = 1; i < frames.size(); i++) {
            chain.add(pos(frames.get(i)));
        }
        return new CallSite(pc, op, callee, fn.name(), pos(inner), List.copyOf(chain), wrapperOf(fn.name()), goTarget);
    }

    private static SourcePos pos(SourceFrame f) {
        return new SourcePos(f.printedName(), f.file(), f.line());
    }

    private SourcePos position(FuncInfo fn, long pc) {
        return pos(pclntab.frames(fn, pc).get(0));
    }

    // ---- closure analysis ----

    private ClosureFlow flow(FuncInfo fn) {
        return flows.computeIfAbsent(fn.entry(), e -> ClosureFlow.analyze(
                FunctionCode.decode(decoder, fn, code(fn)).instructions, decoder.convention(), callModel()));
    }

    private ClosureFlow.Calls callModel() {
        return new ClosureFlow.Calls() {
            @Override
            public ClosureFlow.CallKind kind(long target) {
                FuncInfo f = byEntry.get(target);
                if (f == null) {
                    return ClosureFlow.CallKind.OTHER;
                }
                if (Allocators.typeArgument(f.name()) >= 0) {
                    return ClosureFlow.CallKind.NEW_OBJECT;
                }
                if (Allocators.isRaceHook(f.name())) {
                    return ClosureFlow.CallKind.RACE_HOOK;
                }
                return f.name().startsWith("runtime.gcWriteBarrier") ? ClosureFlow.CallKind.WRITE_BARRIER
                        : ClosureFlow.CallKind.OTHER;
            }

            @Override
            public int argumentBytes(long target) {
                FuncInfo f = byEntry.get(target);
                return f == null || f.args() < 0 ? -1 : f.args();
            }

            @Override
            public int bulkDestination(long target) {
                FuncInfo f = functionAt(target).orElse(null);
                CallingConvention cc = decoder.convention();
                return f == null ? -1 : switch (f.name()) {
                    // duffzero/duffcopy are entered in the middle; they write upward from a fixed
                    // register (amd64 DI, arm64 R20/R21).
                    case "runtime.duffzero" -> cc.duffDestinations()[0];
                    case "runtime.duffcopy" -> cc.duffDestinations()[1];
                    case "runtime.memmove", "runtime.memclrNoHeapPointers" -> cc.argument(0);
                    case "runtime.typedmemmove", "runtime.typedmemclr", "runtime.typedslicecopy" -> cc.argument(1);
                    default -> -1;
                };
            }
        };
    }

    private Optional<SelectShape> selectShape(FuncInfo fn, long pc) {
        ClosureFlow f = flow(fn);
        if (f.argumentAt(pc, SELECT_NSENDS) instanceof Constant s && f.argumentAt(pc, SELECT_NRECVS) instanceof Constant r
                && s.value() >= 0 && r.value() >= 0 && s.value() + r.value() < 1 << 16) {
            return Optional.of(new SelectShape((int) s.value(), (int) r.value()));
        }
        return Optional.empty();
    }

    /** A funcval traced to its function: the function, the LEA instructions that named it, and the closures it captured. */
    private record Funcval(FuncInfo fn, Set<Long> addressPcs, Map<Long, Funcval> captured) {}

    private void goStatement(FuncInfo spawner, long pc, String callee) {
        ClosureFlow flow = flow(spawner);
        Optional<Funcval> target = funcval(flow, flow.argumentAt(pc, 0), 0);
        if (target.isEmpty()) {
            sites.add(site(spawner, pc, ChannelOp.GO, callee, Optional.empty()));
            unresolved.add(new Unresolved(Unresolved.Kind.GO_TARGET, spawner.name(), pc, position(spawner, pc),
                    "the funcval passed to runtime.newproc is not a static function or a closure built here"
                            + " (a func value from a variable, parameter or interface)"));
            return;
        }
        Funcval t = target.get();
        // The goroutine's own code is not called by the spawner: no address-taken edge for it.
        consumedAddressPcs.addAll(t.addressPcs());
        CallSite site = site(spawner, pc, ChannelOp.GO, callee, Optional.of(t.fn().name()));
        sites.add(site);
        String name = effectiveRoot(t, spawner, pc);
        roots.add(new GoRoot(name, t.fn().name(), GoRoot.Kind.GO, Optional.of(spawner.name()), pc,
                Optional.of(site.source())));
    }

    /**
     * The function a funcval points to: a static funcval (PC-relative address of a read-only
     * word holding the entry) or a closure object fresh from runtime.newobject whose word 0 was
     * set to a function entry in this function.
     */
    private Optional<Funcval> funcval(ClosureFlow flow, AbstractValue v, int depth) {
        if (v instanceof Address a) {
            FuncInfo f = byEntry.get(readWord(a.address()));
            return f == null ? Optional.empty() : Optional.of(new Funcval(f, Set.of(a.pc()), Map.of()));
        }
        if (v instanceof NewObject o) {
            Map<Long, AbstractValue> words = flow.objectWords(o.allocPc());
            if (!(words.get(0L) instanceof Address code) || !byEntry.containsKey(code.address())) {
                return Optional.empty();
            }
            Map<Long, Funcval> captured = new HashMap<>();
            if (depth < 2) {
                for (Map.Entry<Long, AbstractValue> w : words.entrySet()) {
                    if (w.getKey() > 0) {
                        funcval(flow, w.getValue(), depth + 1).ifPresent(c -> captured.put(w.getKey(), c));
                    }
                }
            }
            return Optional.of(new Funcval(byEntry.get(code.address()), Set.of(code.pc()), Map.copyOf(captured)));
        }
        return Optional.empty();
    }

    private long readWord(long address) {
        if (functionAt(address).isPresent()) {
            return 0; // code, not a funcval
        }
        return exe.readVirtual(address - bias, 8)
                .map(b -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong() + bias)
                .orElse(0L);
    }

    /**
     * The root's name for a goroutine that starts in {@code t}. A go wrapper (gowrapN) or a
     * method value wrapper (-fm) runs one function for the user: the function inlined into it
     * (the outermost inlined frame at its calls), else its only direct callee outside the
     * runtime, else the closure it calls from its captured variables. Any other start function
     * is its own root.
     */
    private String effectiveRoot(Funcval t, FuncInfo spawner, long pc) {
        FuncInfo g = t.fn();
        if (!GO_WRAPPER.matcher(g.name()).find() && !g.name().endsWith(METHOD_VALUE_SUFFIX)) {
            for (Funcval c : t.captured().values()) {
                graph.add(g.name(), c.fn().name(), EdgeKind.ADDRESS_TAKEN);
            }
            return g.name();
        }
        FunctionSummary s = summaryByEntry.get(g.entry());
        Set<String> runs = new LinkedHashSet<>();
        for (FunctionSummary.Transfer tr : s.transfers) {
            Optional<String> inlined = outermostInlined(g, tr.pc());
            if (inlined.isPresent()) {
                runs.add(inlined.get());
            } else {
                functionAt(tr.target()).map(FuncInfo::name)
                        .filter(n -> packages.origin(n) != GoPackages.Origin.RUNTIME)
                        .ifPresent(runs::add);
            }
        }
        ClosureFlow flow = s.indirectCalls.isEmpty() ? null : flow(g);
        for (FunctionSummary.IndirectCall ic : s.indirectCalls) {
            Optional<String> inlined = outermostInlined(g, ic.pc());
            if (inlined.isPresent()) {
                runs.add(inlined.get());
                continue;
            }
            // gowrap calls the closure its go statement captured: word 0 of the funcval at context + d.
            if (flow.indirectTargetAt(ic.pc()) instanceof Field code && code.disp() == 0
                    && code.base() instanceof Field captured && captured.base() instanceof Context
                    && t.captured().containsKey(captured.disp())) {
                Funcval c = t.captured().get(captured.disp());
                runs.add(c.fn().name());
                graph.add(g.name(), c.fn().name(), EdgeKind.CLOSURE);
                resolvedIndirectPcs.add(ic.pc());
                consumedAddressPcs.addAll(c.addressPcs());
            }
        }
        // Other funcvals the go statement captured are arguments the goroutine may call.
        for (Funcval c : t.captured().values()) {
            graph.add(g.name(), c.fn().name(), EdgeKind.ADDRESS_TAKEN);
        }
        if (runs.size() == 1) {
            return runs.iterator().next();
        }
        unresolved.add(new Unresolved(Unresolved.Kind.GO_WRAPPER_CALLEE, spawner.name(), pc, position(spawner, pc),
                g.name() + " does not show which one function it runs (candidates: " + runs + ")"));
        return g.name();
    }

    /** The function inlined directly into {@code fn} at {@code pc}, if the code there is inlined. */
    private Optional<String> outermostInlined(FuncInfo fn, long pc) {
        List<SourceFrame> frames = pclntab.frames(fn, pc);
        return frames.size() >= 2 ? Optional.of(frames.get(frames.size() - 2).function()) : Optional.empty();
    }

    // ---- channel operands ----

    /** The channel operand of every close, send and select send case (docs/binary-facts.md, "Channel operands"). */
    private void channelOperands() {
        ChannelOperands ops = new ChannelOperands(operandProgram());
        for (CallSite site : sites) {
            Optional<FuncInfo> fn = functionAt(site.pc());
            if (fn.isEmpty()) {
                continue;
            }
            switch (site.callee()) {
                case "runtime.closechan", "runtime.chansend1", "runtime.selectnbsend" ->
                        operands.put(site.pc(), ops.argument(fn.get(), site.pc()));
                case "runtime.selectgo" -> {
                    List<ChannelOperand> l = ops.selectSends(fn.get(), site.pc());
                    if (!l.isEmpty() || selects.containsKey(site.pc()) && selects.get(site.pc()).sends() == 0) {
                        selectSends.put(site.pc(), List.copyOf(l));
                    }
                }
                default -> { }
            }
        }
        // select { case <-ch: ... default: }: runtime.selectnbrecv(elem, c), the channel second.
        Optional<FuncInfo> nbrecv = pclntab.funcByName("runtime.selectnbrecv");
        if (nbrecv.isEmpty()) {
            return;
        }
        for (FunctionSummary s : summaryByEntry.values()) {
            if (packages.origin(s.fn.name()) == GoPackages.Origin.RUNTIME) {
                continue;
            }
            for (FunctionSummary.Transfer t : s.transfers) {
                if (!t.tail() && t.target() == nbrecv.get().entry()) {
                    receiveChecks.computeIfAbsent(s.fn.name(), k -> new ArrayList<>()).add(ops.argument(s.fn, t.pc(), 1));
                }
            }
        }
        receiveChecks.replaceAll((k, v) -> List.copyOf(v));
    }

    private ChannelOperands.Program operandProgram() {
        return new ChannelOperands.Program() {
            @Override
            public Optional<FuncInfo> function(long entry) {
                return Optional.ofNullable(byEntry.get(entry));
            }

            @Override
            public List<FuncInfo> builders(long entry) {
                if (builders == null) {
                    builders = new HashMap<>();
                    for (FunctionSummary s : summaryByEntry.values()) {
                        for (FunctionSummary.AddressLoad a : s.addresses) {
                            if (byEntry.containsKey(a.address())) {
                                List<FuncInfo> l = builders.computeIfAbsent(a.address(), k -> new ArrayList<>());
                                if (!l.contains(s.fn)) {
                                    l.add(s.fn);
                                }
                            }
                        }
                    }
                }
                return builders.getOrDefault(entry, List.of());
            }

            @Override
            public ClosureFlow flow(FuncInfo fn) {
                return operandFlows.computeIfAbsent(fn.entry(), e -> ClosureFlow.analyzeOperands(
                        FunctionCode.decode(decoder, fn, code(fn)).instructions, decoder.convention(), callModel(),
                        new FrameLayout(pclntab, fn, (a, n) -> exe.readVirtual(a - bias, n))));
            }

            @Override
            public Optional<String> callee(long pc) {
                return functionAt(pc).map(f -> summaryByEntry.get(f.entry())).flatMap(s -> s.transfers.stream()
                        .filter(t -> t.pc() == pc).findFirst()).flatMap(t -> functionAt(t.target())).map(FuncInfo::name);
            }

            @Override
            public String symbolAt(long address) {
                return objectSymbol(address - bias);
            }

            @Override
            public String typeName(long address) {
                return BinaryScanner.this.typeName(address - bias);
            }
        };
    }

    /**
     * The string of the type descriptor (internal/abi.Type, the same in 1.22 and 1.26) at a
     * link-time address: Str, a NameOff at +40 from the start of the types section
     * (runtime.types), names an abi.Name (a flag byte, a uvarint length, the bytes); with
     * TFlagExtraStar (TFlag at +20, bit 1) the string has a '*' to drop. "" when unreadable.
     */
    private String typeName(long address) {
        OptionalLong types = typesBase();
        Optional<byte[]> t = exe.readVirtual(address, 48);
        if (types.isEmpty() || t.isEmpty()) {
            return "";
        }
        ByteBuffer b = ByteBuffer.wrap(t.get()).order(ByteOrder.LITTLE_ENDIAN);
        boolean extraStar = (b.get(20) & 2) != 0;
        long name = types.getAsLong() + b.getInt(40);
        Optional<byte[]> head = exe.readVirtual(name, 4);
        if (head.isEmpty()) {
            return "";
        }
        int[] pos = {1};
        long len = uvarint(head.get(), pos);
        if (len <= 0 || len > 4096) {
            return "";
        }
        String s = exe.readVirtual(name + pos[0], (int) len)
                .map(x -> new String(x, java.nio.charset.StandardCharsets.UTF_8)).orElse("");
        return extraStar && s.startsWith("*") ? s.substring(1) : s;
    }

    /** runtime.types: the symbol, else (stripped) moduledata.types as the file holds it; read once. */
    private OptionalLong typesBase() {
        if (typesBase == null) {
            OptionalLong sym = exe.symbolAddress("runtime.types");
            typesBase = sym.isPresent() ? sym : exe.section(".gopclntab").flatMap(s -> FileModuledata.read(exe, s.addr()))
                    .filter(m -> m.types() != 0).map(m -> OptionalLong.of(m.types())).orElse(OptionalLong.empty());
        }
        return typesBase;
    }

    private OptionalLong typesBase;

    /** The name of the ELF data symbol containing a link-time address, "" when none. */
    private String objectSymbol(long address) {
        if (objectStarts == null) {
            List<ElfFile.Symbol> objs = exe.symbols().stream().filter(x -> x.type() == ElfFile.STT_OBJECT && x.value() != 0)
                    .sorted(Comparator.comparingLong(ElfFile.Symbol::value)).toList();
            objectSymbols = objs.toArray(new ElfFile.Symbol[0]);
            objectStarts = objs.stream().mapToLong(ElfFile.Symbol::value).toArray();
        }
        int i = java.util.Arrays.binarySearch(objectStarts, address);
        if (i < 0) {
            i = -i - 2;
        }
        if (i < 0) {
            return "";
        }
        ElfFile.Symbol sym = objectSymbols[i];
        return address < sym.value() + Math.max(sym.size(), 8) ? sym.name() : "";
    }

    // ---- roots and edges ----

    private void addMainRoots() {
        if (pclntab.funcByName("main.main").isPresent()) {
            roots.add(0, new GoRoot("main.main", "main.main", GoRoot.Kind.MAIN, Optional.empty(), 0, Optional.empty()));
        }
        Set<String> seen = new HashSet<>();
        for (FunctionSummary s : summaryByEntry.values().stream()
                .sorted(Comparator.comparingLong(x -> x.fn.entry())).toList()) {
            String n = s.fn.name();
            String pkg = GoPackages.packageOf(n);
            // pkg.init (variable initialisation) and pkg.init.N (func init() bodies), not methods named init.
            boolean init = n.length() > pkg.length() && INIT.matcher(n.substring(pkg.length())).matches();
            if (init && packages.origin(n) != GoPackages.Origin.RUNTIME && seen.add(n)) {
                roots.add(new GoRoot(n, n, GoRoot.Kind.INIT, Optional.empty(), 0, Optional.empty()));
            }
        }
    }

    /** A function whose code materialises another function's entry or funcval may run it (defer, closure, callback). */
    private void addAddressEdges() {
        for (FunctionSummary s : summaryByEntry.values()) {
            for (FunctionSummary.AddressLoad a : s.addresses) {
                if (consumedAddressPcs.contains(a.pc())) {
                    continue;
                }
                FuncInfo f = byEntry.get(a.address());
                if (f == null) {
                    f = byEntry.get(readWord(a.address()));
                }
                if (f != null) {
                    graph.add(s.fn.name(), f.name(), EdgeKind.ADDRESS_TAKEN);
                }
            }
        }
    }

    private void noteIndirectCalls(FunctionSummary s) {
        boolean user = packages.origin(s.fn.name()) == GoPackages.Origin.USER;
        Set<Long> deferSlots = s.indirectCalls.isEmpty() ? Set.of() : openDeferSlots(s);
        FrameStores frame = null;
        for (FunctionSummary.IndirectCall ic : s.indirectCalls) {
            if (resolvedIndirectPcs.contains(ic.pc())) {
                continue;
            }
            long top = deferSlots.isEmpty() ? 0 : pclntab.spDelta(s.fn, ic.pc());
            boolean deferred = ic.closureSlot() >= 0 && deferSlots.contains(ic.closureSlot() - top);
            if (deferred) {
                if (frame == null) {
                    frame = new FrameStores(FunctionCode.decode(decoder, s.fn, code(s.fn)).instructions,
                            decoder.convention(), pc -> pclntab.spDelta(s.fn, pc));
                }
                Optional<FuncInfo> callee = deferredFunction(frame, ic.closureSlot() - top);
                if (callee.isPresent()) {
                    graph.add(s.fn.name(), callee.get().name(), EdgeKind.DEFERRED);
                    continue;
                }
            }
            indirectCallers.add(s.fn.name());
            if (user) {
                unresolved.add(new Unresolved(Unresolved.Kind.INDIRECT_CALL, s.fn.name(), ic.pc(),
                        position(s.fn, ic.pc()), deferred
                                ? "open-coded defer of a func value that is not a closure built here; callee unknown"
                                : describeIndirect(ic.loadOffset())));
            }
        }
    }

    /**
     * The SP offsets of a function's open-coded defer slots, from FUNCDATA_OpenCodedDeferInfo
     * (uvarint deferBitsOffset, uvarint slotsOffset; runtime/panic.go, Go 1.22 and 1.26): slot i
     * is at varp - slotsOffset + 8i, below varp, and varp = SP + frame size - 8 for the saved
     * frame pointer (runtime/traceback.go). Go allows at most 8 open-coded defers per function.
     */
    private Set<Long> openDeferSlots(FunctionSummary s) {
        long info = pclntab.funcdata(s.fn, Pclntab.FUNCDATA_OpenCodedDeferInfo);
        if (info == 0 || s.fn.deferreturn() == 0) {
            return Set.of();
        }
        Optional<byte[]> bytes = exe.readVirtual(info - bias, 20);
        if (bytes.isEmpty()) {
            return Set.of();
        }
        int[] pos = {0};
        uvarint(bytes.get(), pos);
        long slotsOffset = uvarint(bytes.get(), pos);
        // Frame offsets (from SP + frame size): varp is 8 below, under the saved frame pointer.
        // The slots run upward from varp - slotsOffset and end below varp.
        Set<Long> out = new HashSet<>();
        for (int i = 0; i < Math.min(8, slotsOffset / 8); i++) {
            out.add(-8L - slotsOffset + 8L * i);
        }
        return out;
    }

    private static long uvarint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; pos[0] < b.length && shift < 64; shift += 7) {
            int c = b[pos[0]++] & 0xff;
            v |= (long) (c & 0x7f) << shift;
            if (c < 0x80) {
                break;
            }
        }
        return v;
    }

    /**
     * The function an open-coded defer slot runs: every store into the slot in this function
     * put the same value there, a static funcval or the address of a closure struct on this
     * frame whose word 0 only ever got one function's entry. Defer slots and their closure
     * structs are dedicated compiler temporaries, so these stores are all their writes.
     */
    private Optional<FuncInfo> deferredFunction(FrameStores frame, long slot) {
        FrameStores.SlotValue v = frame.at(slot);
        if (v instanceof FrameStores.SlotPointer p) {
            v = frame.at(p.frameOffset());
            if (v instanceof FrameStores.SlotAddress code) {
                return Optional.ofNullable(byEntry.get(code.address()));
            }
            return Optional.empty();
        }
        if (v instanceof FrameStores.SlotAddress a) {
            return Optional.ofNullable(byEntry.get(readWord(a.address())));
        }
        return Optional.empty();
    }

    /**
     * What an indirect call most likely is, from the offset its target was loaded from: word 0
     * of a funcval (a func value, closure or method value) or a method slot of an itab (an
     * interface method: itab.fun starts at 24 on 64-bit, internal/abi.ITab).
     */
    private static String describeIndirect(long loadOffset) {
        if (loadOffset == 0) {
            return "call through a func value (closure, method value or func parameter); callee unknown";
        }
        if (loadOffset >= 24 && loadOffset % 8 == 0) {
            return "call through an interface method table (itab word " + loadOffset + ", method "
                    + (loadOffset - 24) / 8 + "); callee unknown";
        }
        return "call through a register; callee unknown";
    }
}
