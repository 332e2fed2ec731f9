// lib-samplecheck is the helper of scripts/make-sample-cores. It is built with
// `go build -o X scripts/lib-samplecheck.go` (standard library only) and has
// three subcommands:
//
//	truth    -fixtures DIR -name NAME [-binary BIN -goroot GOROOT]
//	         validates NAME/truth.json: the fields, the "// truth:<role>" marker
//	         comments of the fixture's sources (every site has its marker and
//	         every marker has its site), and, given the built binary, that each
//	         closer is a call of runtime.closechan and each sender a call of
//	         chansend1/selectgo/selectnbsend at that file:line, inside the named
//	         function (read from DWARF, inlining included).
//	run      -fixtures DIR -name NAME -stderr FILE -chan-go GOROOT/src/runtime/chan.go
//	         checks one crash's stderr against the truth: first line, the
//	         panicking goroutine, the panic site, the victim frame. Prints the
//	         observed panic site on stdout; exits 1 with the reason otherwise.
//	chanarg  -fixtures DIR -name NAME -stderr FILE
//	         prints the channel argument of the panicking goroutine's innermost
//	         runtime.chansend/closechan ("0xADDR chan") or runtime.selectgo
//	         ("0xADDR scase") frame and the truth's "elem cap" for
//	         scripts/lib-chancheck.py; prints nothing when there is no channel to
//	         check (no capacity in the truth, or the runtime marked the argument
//	         value as uncertain with "?").
//	manifest -out DIR -add ENTRIES.jsonl
//	         merges the entries produced by this run into DIR/MANIFEST.json,
//	         drops entries whose directory is gone, sorts, writes.
package main

import (
	"bufio"
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

type Site struct {
	Function    string   `json:"function"`
	File        string   `json:"file"`
	Line        int      `json:"line"`
	Wrapper     string   `json:"wrapper,omitempty"`
	ClosedFirst *bool    `json:"closedFirst,omitempty"`
	ReachedFrom []string `json:"reachedFrom,omitempty"`
}

// Sites accepts a single site object, a list of them, or null.
type Sites []Site

func (s *Sites) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*s = nil
		return nil
	}
	if len(b) > 0 && b[0] == '[' {
		var l []Site
		if err := json.Unmarshal(b, &l); err != nil {
			return err
		}
		*s = l
		return nil
	}
	var one Site
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*s = Sites{one}
	return nil
}

// Strings accepts a string or a list of strings.
type Strings []string

func (s *Strings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var l []string
		if err := json.Unmarshal(b, &l); err != nil {
			return err
		}
		*s = l
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*s = Strings{one}
	return nil
}

type Truth struct {
	Pattern         string   `json:"pattern"`
	PanicMessage    *string  `json:"panicMessage"`
	FatalSignal     string   `json:"fatalSignal"`
	PanicKind       string   `json:"panicKind"`
	PanicSite       Strings  `json:"panicSite"`
	Repanicked      bool     `json:"repanicked"`
	Closer          Sites    `json:"closer"`
	Sender          Sites    `json:"sender"`
	Victim          Sites    `json:"victim"`
	Trigger         Sites    `json:"trigger"`
	ChannelElemType *string  `json:"channelElemType"`
	ChannelCapacity *int     `json:"channelCapacity"`
	Upstream        []string `json:"upstream"`
	Description     string   `json:"description"`
}

var (
	patterns   = set("multi-closer", "send-then-close", "double-close", "premature-close", "select-close", "defer-close", "close-of-nil", "not-channel-panic")
	panicKinds = set("send-on-closed", "close-of-closed", "close-of-nil", "other")
	panicSites = set("chansend-first-check", "chansend-after-park", "selectgo", "closechan", "other")
	roles      = []string{"closer", "sender", "victim", "trigger"}
)

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func die(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "lib-samplecheck: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 2 {
		die("usage: lib-samplecheck truth|run|manifest [flags]")
	}
	switch os.Args[1] {
	case "truth":
		cmdTruth(os.Args[2:])
	case "run":
		cmdRun(os.Args[2:])
	case "manifest":
		cmdManifest(os.Args[2:])
	case "chanarg":
		cmdChanArg(os.Args[2:])
	default:
		die("unknown subcommand %q", os.Args[1])
	}
}

// fixturesModule is the module path the fixtures are written for; truth.json
// names functions of the fixtures' packages under it.
const fixturesModule = "chanscope.dev/fixtures"

// builtModule is the module path the binary was built with: FIXTURE_MODULE
// (a build kind may rename the module, e.g. to a path without a dot), else
// fixturesModule.
func builtModule() string {
	if m := os.Getenv("FIXTURE_MODULE"); m != "" {
		return m
	}
	return fixturesModule
}

func loadTruth(fixtures, name string) (*Truth, error) {
	b, err := os.ReadFile(filepath.Join(fixtures, name, "truth.json"))
	if err != nil {
		return nil, err
	}
	if m := builtModule(); m != fixturesModule {
		b = bytes.ReplaceAll(b, []byte(`"`+fixturesModule+"/"), []byte(`"`+m+"/"))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var t Truth
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("%s/truth.json: %v", name, err)
	}
	return &t, nil
}

func (t *Truth) sites(role string) Sites {
	switch role {
	case "closer":
		return t.Closer
	case "sender":
		return t.Sender
	case "victim":
		return t.Victim
	case "trigger":
		return t.Trigger
	}
	return nil
}

// ---- truth ----

func cmdTruth(args []string) {
	fs := flag.NewFlagSet("truth", flag.ExitOnError)
	fixtures := fs.String("fixtures", "", "fixture module directory (src/test/go)")
	name := fs.String("name", "", "fixture name")
	binary := fs.String("binary", "", "built fixture binary (optional)")
	goroot := fs.String("goroot", "", "GOROOT of the toolchain that built it (for go tool objdump)")
	fs.Parse(args)
	t, err := loadTruth(*fixtures, *name)
	if err != nil {
		die("%v", err)
	}
	var problems []string
	bad := func(f string, a ...any) { problems = append(problems, fmt.Sprintf(f, a...)) }

	if !patterns[t.Pattern] {
		bad("pattern %q is not one of the known patterns", t.Pattern)
	}
	if !panicKinds[t.PanicKind] {
		bad("panicKind %q unknown", t.PanicKind)
	}
	if len(t.PanicSite) == 0 {
		bad("panicSite missing")
	}
	for _, s := range t.PanicSite {
		if !panicSites[s] {
			bad("panicSite %q unknown", s)
		}
	}
	if (t.PanicMessage == nil) == (t.FatalSignal == "") {
		bad("exactly one of panicMessage and fatalSignal must be given")
	}
	if t.Description == "" {
		bad("description missing")
	}
	switch t.PanicKind {
	case "send-on-closed":
		if len(t.Sender) == 0 || len(t.Closer) == 0 || len(t.Victim) == 0 {
			bad("send-on-closed needs closer, sender and victim")
		}
	case "close-of-closed", "close-of-nil":
		if len(t.Closer) == 0 || len(t.Victim) == 0 {
			bad("%s needs closer and victim", t.PanicKind)
		}
	}
	if t.PanicKind != "other" && (t.ChannelElemType == nil || *t.ChannelElemType == "") {
		bad("channelElemType missing for a channel panic")
	}
	if t.PanicKind != "other" && t.PanicKind != "close-of-nil" && t.ChannelCapacity == nil {
		bad("channelCapacity missing")
	}

	// Markers: collect every "truth:<role>" comment of the fixture's sources.
	type key struct {
		role, file string
		line       int
	}
	markers := map[key]bool{}
	dir := filepath.Join(*fixtures, *name)
	var files []string // the fixture's sources, its own packages included
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") {
			files = append(files, p)
		}
		return nil
	})
	markerRE := regexp.MustCompile(`//.*\btruth:(\w+)`)
	roleRE := regexp.MustCompile(`\btruth:(\w+)`)
	for _, f := range files {
		relInFixture, _ := filepath.Rel(dir, f)
		rel := *name + "/" + filepath.ToSlash(relInFixture)
		lines := readLines(f)
		for i, l := range lines {
			if !markerRE.MatchString(l) {
				continue
			}
			comment := l[strings.Index(l, "//"):]
			for _, m := range roleRE.FindAllStringSubmatch(comment, -1) {
				markers[key{m[1], rel, i + 1}] = true
			}
		}
	}
	used := map[key]bool{}
	for _, role := range roles {
		for _, s := range t.sites(role) {
			k := key{role, s.File, s.Line}
			if s.Function == "" || s.File == "" || s.Line <= 0 {
				bad("%s site incomplete: %+v", role, s)
				continue
			}
			if !strings.HasPrefix(s.File, *name+"/") {
				bad("%s site file %q is not in the fixture %s", role, s.File, *name)
			}
			if !markers[k] {
				bad("%s %s:%d has no // truth:%s marker on that line", role, s.File, s.Line, role)
			}
			used[k] = true
		}
	}
	for k := range markers {
		known := false
		for _, r := range roles {
			if r == k.role {
				known = true
			}
		}
		if !known {
			bad("unknown marker truth:%s at %s:%d", k.role, k.file, k.line)
		} else if !used[k] {
			bad("marker truth:%s at %s:%d is not in truth.json", k.role, k.file, k.line)
		}
	}

	if *binary != "" && len(problems) == 0 {
		calls, err := callSites(*binary, *goroot)
		if err != nil {
			die("%v", err)
		}
		check := func(role string, s Site, callees ...string) {
			want := s.Function
			if s.Wrapper != "" {
				want = s.Wrapper
			}
			var seen []string
			for _, c := range calls {
				if !contains(callees, c.callee) || c.line != s.Line || !strings.HasSuffix(c.file, "/"+s.File) {
					continue
				}
				if printName(c.function) == want {
					return
				}
				seen = append(seen, printName(c.function))
			}
			if len(seen) > 0 {
				bad("%s %s:%d: the call of %s there is in %v, truth says %s", role, s.File, s.Line, strings.Join(callees, "/"), seen, want)
			} else {
				bad("%s %s:%d: no call of %s at that line in the binary", role, s.File, s.Line, strings.Join(callees, "/"))
			}
		}
		for _, s := range t.Closer {
			check("closer", s, "runtime.closechan")
		}
		for _, s := range t.Sender {
			check("sender", s, "runtime.chansend1", "runtime.selectgo", "runtime.selectnbsend")
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "lib-samplecheck: %s: %s\n", *name, p)
		}
		os.Exit(1)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func readLines(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		die("%v", err)
	}
	return strings.Split(string(b), "\n")
}

// printName turns a symbol or DWARF name into the form the runtime prints:
// the type arguments of generic functions become "[...]".
func printName(name string) string {
	var b strings.Builder
	depth := 0
	for _, r := range name {
		switch {
		case r == '[':
			if depth == 0 {
				b.WriteString("[...]")
			}
			depth++
		case r == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

type call struct {
	pc       uint64
	callee   string
	file     string
	line     int
	function string // innermost function (inlining included) at pc
}

var objdumpRE = regexp.MustCompile(`^\s+\S+:\d+\s+0x([0-9a-f]+)\s+[0-9a-f]+\s+CALL (runtime\.[A-Za-z0-9_]+)\(SB\)`)

// callSites lists the calls of the runtime's channel entry points in the
// binary, with the file:line and the innermost function of each call.
func callSites(binary, goroot string) ([]call, error) {
	gotool := "go"
	if goroot != "" {
		gotool = filepath.Join(goroot, "bin", "go")
	}
	out, err := exec.Command(gotool, "tool", "objdump", "-s", `^(main\.|`+regexp.QuoteMeta(builtModule())+`/)`, binary).Output()
	if err != nil {
		return nil, fmt.Errorf("go tool objdump: %v", err)
	}
	ef, err := elf.Open(binary)
	if err != nil {
		return nil, err
	}
	defer ef.Close()
	d, err := ef.DWARF()
	if err != nil {
		return nil, err
	}
	idx, err := indexDWARF(d)
	if err != nil {
		return nil, err
	}
	var calls []call
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := objdumpRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		switch m[2] {
		case "runtime.closechan", "runtime.chansend1", "runtime.selectgo", "runtime.selectnbsend":
		default:
			continue
		}
		pc, _ := strconv.ParseUint(m[1], 16, 64)
		c := call{pc: pc, callee: m[2]}
		c.file, c.line = idx.line(pc)
		c.function = idx.function(pc)
		calls = append(calls, c)
	}
	return calls, nil
}

type span struct {
	lo, hi uint64
	depth  int
	name   string
}

type dwarfIndex struct {
	d     *dwarf.Data
	spans []span
	cus   []*dwarf.Entry
	cuRng [][][2]uint64
}

func indexDWARF(d *dwarf.Data) (*dwarfIndex, error) {
	idx := &dwarfIndex{d: d}
	names := map[dwarf.Offset]string{}
	type pending struct {
		rng    [][2]uint64
		depth  int
		origin dwarf.Offset
		name   string
	}
	var todo []pending
	r := d.Reader()
	depth := 0
	for {
		e, err := r.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		if e.Tag == 0 {
			depth--
			continue
		}
		switch e.Tag {
		case dwarf.TagCompileUnit:
			rng, _ := d.Ranges(e)
			idx.cus = append(idx.cus, e)
			idx.cuRng = append(idx.cuRng, rng)
		case dwarf.TagSubprogram, dwarf.TagInlinedSubroutine:
			if n, ok := e.Val(dwarf.AttrName).(string); ok {
				names[e.Offset] = n
			}
			rng, _ := d.Ranges(e)
			if len(rng) > 0 {
				p := pending{rng: rng, depth: depth}
				if o, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok {
					p.origin = o
				} else if n, ok := e.Val(dwarf.AttrName).(string); ok {
					p.name = n
				}
				todo = append(todo, p)
			}
		}
		if e.Children {
			depth++
		}
	}
	for _, p := range todo {
		n := p.name
		if n == "" {
			n = names[p.origin]
		}
		for _, rg := range p.rng {
			idx.spans = append(idx.spans, span{rg[0], rg[1], p.depth, n})
		}
	}
	return idx, nil
}

func (x *dwarfIndex) function(pc uint64) string {
	best, bestDepth := "", -1
	for _, s := range x.spans {
		if pc >= s.lo && pc < s.hi && s.depth > bestDepth {
			best, bestDepth = s.name, s.depth
		}
	}
	return best
}

func (x *dwarfIndex) line(pc uint64) (string, int) {
	for i, cu := range x.cus {
		for _, rg := range x.cuRng[i] {
			if pc < rg[0] || pc >= rg[1] {
				continue
			}
			lr, err := x.d.LineReader(cu)
			if err != nil || lr == nil {
				return "", 0
			}
			var le dwarf.LineEntry
			if err := lr.SeekPC(pc, &le); err != nil {
				return "", 0
			}
			return le.File.Name, le.Line
		}
	}
	return "", 0
}

// ---- run ----

type frame struct {
	function string
	file     string
	line     int
}

type section struct {
	header string
	id     int
	status string
	frames []frame
}

var (
	goroutineRE = regexp.MustCompile(`^goroutine (\d+)(?: gp=\S+)?(?: m=\S+)?(?: mp=\S+)? \[([^\]]*)\]:$`)
	fileLineRE  = regexp.MustCompile(`^\t(.+):(\d+)(?: \+0x[0-9a-f]+)?(?: .*)?$`)
)

func parseSections(lines []string) []section {
	var out []section
	var cur *section
	var pendingFunc string
	for _, l := range lines {
		if m := goroutineRE.FindStringSubmatch(l); m != nil {
			id, _ := strconv.Atoi(m[1])
			out = append(out, section{header: l, id: id, status: m[2]})
			cur = &out[len(out)-1]
			pendingFunc = ""
			continue
		}
		if cur == nil {
			continue
		}
		if l == "" {
			cur = nil
			continue
		}
		if strings.HasPrefix(l, "\t") {
			if pendingFunc != "" {
				if m := fileLineRE.FindStringSubmatch(l); m != nil {
					n, _ := strconv.Atoi(m[2])
					cur.frames = append(cur.frames, frame{pendingFunc, m[1], n})
				}
				pendingFunc = ""
			}
			continue
		}
		if strings.HasPrefix(l, "created by ") || strings.HasPrefix(l, "...") {
			pendingFunc = ""
			continue
		}
		pendingFunc = funcName(l)
	}
	return out
}

// funcName strips the argument list from a traceback function line.
func funcName(l string) string {
	if !strings.HasSuffix(l, ")") {
		return l
	}
	depth := 0
	for i := len(l) - 1; i >= 0; i-- {
		switch l[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return l[:i]
			}
		}
	}
	return l
}

// goparkLine is the line of chansend's gopark(chanparkcommit, ...) call.
func goparkLine(chanGo string) (int, error) {
	lines := readLines(chanGo)
	in := false
	for i, l := range lines {
		if strings.HasPrefix(l, "func chansend(") {
			in = true
			continue
		}
		if in && strings.HasPrefix(l, "}") {
			break
		}
		if in && strings.Contains(l, "gopark(chanparkcommit") {
			return i + 1, nil
		}
	}
	return 0, errors.New("no gopark(chanparkcommit, ...) in func chansend of " + chanGo)
}

func cmdRun(args []string) {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	fixtures := fs.String("fixtures", "", "fixture module directory")
	name := fs.String("name", "", "fixture name")
	stderrPath := fs.String("stderr", "", "stderr of the crash")
	chanGo := fs.String("chan-go", "", "GOROOT/src/runtime/chan.go of the toolchain")
	fs.Parse(args)
	t, err := loadTruth(*fixtures, *name)
	if err != nil {
		die("%v", err)
	}
	lines := readLines(*stderrPath)
	fail := func(f string, a ...any) {
		fmt.Printf("mismatch: "+f+"\n", a...)
		os.Exit(1)
	}
	if t.PanicMessage != nil {
		if want := "panic: " + *t.PanicMessage; !strings.HasPrefix(lines[0], want) {
			fail("first line %q, want prefix %q", lines[0], want)
		}
	} else if want := t.FatalSignal + ": "; !strings.HasPrefix(lines[0], want) {
		fail("first line %q, want prefix %q", lines[0], want)
	}
	secs := parseSections(lines)
	if len(secs) == 0 {
		fail("no goroutine sections")
	}
	observed := "other"
	if t.PanicMessage != nil {
		g := secs[0]
		if g.status != "running" && !strings.HasPrefix(g.status, "running,") {
			fail("first goroutine %d is [%s], not running", g.id, g.status)
		}
		park, err := goparkLine(*chanGo)
		if err != nil {
			die("%v", err)
		}
	site:
		for _, f := range g.frames {
			switch f.function {
			case "runtime.chansend":
				if f.line < park {
					observed = "chansend-first-check"
				} else {
					observed = "chansend-after-park"
				}
				break site
			case "runtime.selectgo":
				observed = "selectgo"
				break site
			case "runtime.closechan":
				observed = "closechan"
				break site
			}
		}
		for _, v := range t.Victim {
			found := false
			for _, f := range g.frames {
				if f.function == v.Function && f.line == v.Line && strings.HasSuffix(f.file, "/"+v.File) {
					found = true
				}
			}
			if !found {
				fail("victim frame %s at %s:%d not on the panicking goroutine %d", v.Function, v.File, v.Line, g.id)
			}
		}
	}
	if !contains(t.PanicSite, observed) {
		fail("panic site %s, truth says %v", observed, []string(t.PanicSite))
	}
	fmt.Println(observed)
}

// ---- chanarg ----

var argRE = regexp.MustCompile(`^runtime\.(chansend|closechan|selectgo)\((0x[0-9a-f]+)(\??)[,)]`)

func cmdChanArg(args []string) {
	fs := flag.NewFlagSet("chanarg", flag.ExitOnError)
	fixtures := fs.String("fixtures", "", "fixture module directory")
	name := fs.String("name", "", "fixture name")
	stderrPath := fs.String("stderr", "", "stderr of the crash")
	fs.Parse(args)
	t, err := loadTruth(*fixtures, *name)
	if err != nil {
		die("%v", err)
	}
	if t.ChannelCapacity == nil || t.ChannelElemType == nil {
		return
	}
	seen := 0
	for _, l := range readLines(*stderrPath) {
		if strings.HasPrefix(l, "goroutine ") {
			if seen++; seen > 1 {
				return
			}
			continue
		}
		m := argRE.FindStringSubmatch(l)
		if m == nil || seen != 1 {
			continue
		}
		if m[3] == "?" {
			return
		}
		kind := "chan"
		if m[1] == "selectgo" {
			kind = "scase"
		}
		fmt.Printf("%s %s %d %s\n", m[2], kind, *t.ChannelCapacity, *t.ChannelElemType)
		return
	}
}

// ---- manifest ----

type Entry struct {
	GoVersion string   `json:"goVersion"`
	Build     string   `json:"build,omitempty"`  // the build kind; absent for static
	Module    string   `json:"module,omitempty"` // the module path, when the build renamed it
	Arch      string   `json:"arch,omitempty"`   // GOARCH, when not amd64 (arm64: built with GOARCH=arm64, run under qemu)
	Name      string   `json:"name"`
	Dir       string   `json:"dir"`
	Pattern   string   `json:"pattern"`
	PanicSite string   `json:"panicSite"`
	Attempts  int      `json:"attempts"`
	Core      FileInfo `json:"core"`
	Binary    FileInfo `json:"binary"`
	Stderr    FileInfo `json:"stderr"`
}

type FileInfo struct {
	Path       string `json:"path"`
	Sha256     string `json:"sha256"`
	Size       int64  `json:"size"`
	StoredSize int64  `json:"storedSize"`
}

type Manifest struct {
	Generator string  `json:"generator"`
	Entries   []Entry `json:"entries"`
}

func cmdManifest(args []string) {
	fs := flag.NewFlagSet("manifest", flag.ExitOnError)
	out := fs.String("out", "", "sample-cores directory")
	add := fs.String("add", "", "JSON lines with this run's entries")
	fs.Parse(args)
	path := filepath.Join(*out, "MANIFEST.json")
	var m Manifest
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &m); err != nil {
			die("%s: %v", path, err)
		}
	}
	byKey := map[string]Entry{}
	for _, e := range m.Entries {
		byKey[e.Dir] = e
	}
	if *add != "" {
		for _, l := range readLines(*add) {
			if strings.TrimSpace(l) == "" {
				continue
			}
			var e Entry
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				die("%s: %v", *add, err)
			}
			byKey[e.Dir] = e
		}
	}
	m.Generator = "scripts/make-sample-cores"
	m.Entries = m.Entries[:0]
	for dir, e := range byKey {
		if _, err := os.Stat(filepath.Join(*out, dir, "core.xz")); err != nil {
			continue
		}
		m.Entries = append(m.Entries, e)
	}
	sort.Slice(m.Entries, func(i, j int) bool {
		a, b := m.Entries[i], m.Entries[j]
		if a.GoVersion != b.GoVersion {
			return versionLess(a.GoVersion, b.GoVersion)
		}
		if a.Build != b.Build {
			return a.Build < b.Build
		}
		return a.Name < b.Name
	})
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(path+".tmp", append(b, '\n'), 0o644); err != nil {
		die("%v", err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		die("%v", err)
	}
}

func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}
