// lib-accuracy is the report step of scripts/accuracy. It is built with
// `go build -o X scripts/lib-accuracy.go` (standard library only):
//
//	report -fixtures DIR -runs RUNS.tsv -results OUT.jsonl [-strict] [-threshold 0.8]
//
// RUNS.tsv has one line per run: goVersion, GOMAXPROCS, fixture name, the
// run's directory, the binary, the build kind and the module path the build
// used, tab-separated (the last two may be absent: static, the fixtures' own). A run's directory holds
// crash.json (written by scripts/accuracy: whether the crash reproduced, the
// observed panic site, the attempts), analysis.json (the output of `chanscope
// analyze --json`), analysis.meta.json (its exit status and duration) and
// analysis.err. The expected answer is the fixture's truth.json "pattern";
// the answer is the report's diagnosis.pattern and diagnosis.confidence. The
// culprit is checked too: diagnosis.closer (function and line) against the
// truth's closer that ran (closedFirst, or the only one), and the victim:
// panic.userFrame against the truth's victim.
// Until the diagnosis exists these fields are absent: the answer is "-" and
// counts as undetermined.
//
// It prints every answer, a confusion matrix (rows expected, columns
// answered) for every build kind and for all, the closer and victim accuracy,
// and the wrong answers (pattern or closer) whose confidence is at or above
// the threshold (or missing), and writes every answer as a JSON line to
// OUT.jsonl. Exit status: 0; 1 when a wrong answer has confidence >= threshold
// or none (the project's hard rule); 3 with -strict when some answer is not
// correct.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// The answers a diagnosis can give, in the order of TAXONOMY.md.
var patterns = []string{
	"multi-closer", "send-then-close", "double-close", "premature-close",
	"select-close", "defer-close", "close-of-nil", "not-channel-panic",
}

const undetermined = "undetermined"

var short = map[string]string{
	"multi-closer": "MC", "send-then-close": "STC", "double-close": "DC", "premature-close": "PC",
	"select-close": "SC", "defer-close": "DFC", "close-of-nil": "NIL", "not-channel-panic": "NCP",
	undetermined: "UND",
}

// Result is one line of results.jsonl.
type Result struct {
	Fixture         string   `json:"fixture"`
	GoVersion       string   `json:"goVersion"`
	Build           string   `json:"build"`
	Gomaxprocs      int      `json:"gomaxprocs"`
	Expected        string   `json:"expected"`
	Got             string   `json:"got"`                 // "-" when the report has no diagnosis
	Confidence      *float64 `json:"confidence"`          // null when absent
	Outcome         string   `json:"outcome"`             // OK, WRONG, UNDETERMINED, ERROR, NO-CORE
	Detail          string   `json:"detail,omitempty"`    // why ERROR / NO-CORE
	PanicSite       string   `json:"panicSite,omitempty"` // observed in the crash's traceback
	Attempts        int      `json:"attempts,omitempty"`  // crash runs needed
	AnalysisSeconds *float64 `json:"analysisSeconds"`     // wall time of chanscope analyze
	AnalysisExit    *int     `json:"analysisExit"`        // its exit status
	Core            string   `json:"core,omitempty"`      // path of the core
	Binary          string   `json:"binary,omitempty"`    // path of the binary
	Runners         []string `json:"runnersUp,omitempty"` // diagnosis.candidates/runnersUp, when given
	Closer          string   `json:"closer"`              // OK, WRONG, NONE (no closer named), N/A (the truth has none)
	CloserGot       string   `json:"closerGot,omitempty"` // function:line the report names
	CloserWant      string   `json:"closerWant,omitempty"`
	Victim          string   `json:"victim"` // OK, WRONG, NONE, N/A
	VictimGot       string   `json:"victimGot,omitempty"`
	// Runtime facts against the runtime's own traceback (stderr.txt): goroutines
	// whose id and frames (file:line, in order) match, of those it printed.
	FactsMatched int    `json:"factsMatched"`
	FactsTotal   int    `json:"factsTotal"`
	FactsDetail  string `json:"factsDetail,omitempty"` // the first mismatch
	// The log column: `chanscope log --json --binary BIN stderr.txt` on the
	// runtime's stderr of the same crash, against the core's answer.
	LogGot        string   `json:"logGot,omitempty"`        // its pattern, "-" when it gave none
	LogConfidence *float64 `json:"logConfidence,omitempty"` // null when absent
	LogOutcome    string   `json:"logOutcome,omitempty"`    // same, undetermined, different (as the core's answer)
	LogDetail     string   `json:"logDetail,omitempty"`     // why there is no answer
}

type crashInfo struct {
	Status    string  `json:"status"` // "ok" or "not-reproduced"
	Reason    string  `json:"reason"`
	PanicSite string  `json:"panicSite"`
	Attempts  int     `json:"attempts"`
	Seconds   float64 `json:"seconds"`
}

type analysisMeta struct {
	Exit    int     `json:"exit"`
	Seconds float64 `json:"seconds"`
}

func die(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "lib-accuracy: "+format+"\n", args...)
	os.Exit(2)
}

func main() {
	if len(os.Args) >= 2 && os.Args[1] == "versions" {
		versionTable(os.Args[2:])
		return
	}
	if len(os.Args) < 2 || os.Args[1] != "report" {
		die("usage: lib-accuracy report -fixtures DIR -runs RUNS.tsv -results OUT.jsonl [-strict] [-threshold 0.8]\n" +
			"       lib-accuracy versions -results OUT.jsonl [-threshold 0.8]")
	}
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	fixtures := fs.String("fixtures", "", "fixture module directory (src/test/go)")
	runsPath := fs.String("runs", "", "runs, one per line: go, gomaxprocs, name, dir, binary")
	resultsPath := fs.String("results", "", "JSON lines output")
	strict := fs.Bool("strict", false, "exit 3 when any answer is not correct")
	threshold := fs.Float64("threshold", 0.8, "confidence at or above which a wrong answer breaks the hard rule")
	fs.Parse(os.Args[2:])

	runs := readRuns(*runsPath)
	var results []Result
	for _, r := range runs {
		results = append(results, evaluate(*fixtures, r))
	}
	sort.SliceStable(results, func(i, j int) bool {
		a, b := results[i], results[j]
		if a.Expected != b.Expected {
			return indexOf(a.Expected) < indexOf(b.Expected)
		}
		if a.Fixture != b.Fixture {
			return a.Fixture < b.Fixture
		}
		if a.GoVersion != b.GoVersion {
			return versionLess(b.GoVersion, a.GoVersion) // newest first
		}
		if a.Build != b.Build {
			return a.Build < b.Build
		}
		return a.Gomaxprocs < b.Gomaxprocs
	})
	writeResults(*resultsPath, results)

	printTable(results)
	builds := map[string]bool{}
	for _, r := range results {
		builds[r.Build] = true
	}
	if len(builds) > 1 {
		var names []string
		for b := range builds {
			names = append(names, b)
		}
		sort.Strings(names)
		for _, b := range names {
			var sub []Result
			for _, r := range results {
				if r.Build == b {
					sub = append(sub, r)
				}
			}
			printMatrix("build "+b, sub)
		}
	}
	printMatrix("all builds", results)
	printCulprits(results)
	bad := printSummary(results, *threshold)
	bad += printLogColumn(results, *threshold)
	switch {
	case bad > 0:
		os.Exit(1)
	case *strict && countOutcome(results, "OK") != len(results):
		os.Exit(3)
	}
}

type run struct {
	goVersion  string
	gomaxprocs int
	name       string
	dir        string
	binary     string
	build      string
	module     string
}

func readRuns(path string) []run {
	f, err := os.Open(path)
	if err != nil {
		die("%v", err)
	}
	defer f.Close()
	var out []run
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		p := strings.Split(sc.Text(), "\t")
		if len(p) != 5 && len(p) != 7 {
			die("%s: bad line %q", path, sc.Text())
		}
		n, err := strconv.Atoi(p[1])
		if err != nil {
			die("%s: bad GOMAXPROCS %q", path, p[1])
		}
		r := run{p[0], n, p[2], p[3], p[4], "static", fixturesModule}
		if len(p) == 7 {
			r.build, r.module = p[5], p[6]
		}
		out = append(out, r)
	}
	return out
}

func evaluate(fixtures string, r run) Result {
	res := Result{Fixture: r.name, GoVersion: r.goVersion, Build: r.build, Gomaxprocs: r.gomaxprocs, Got: "-",
		Binary: r.binary, Closer: "NONE", Victim: "NONE"}
	var truth truthFile
	if err := readTruth(filepath.Join(fixtures, r.name, "truth.json"), r.module, &truth); err != nil {
		die("%v", err)
	}
	res.Expected = truth.Pattern
	want := truth.closerThatRan()
	if want == nil {
		res.Closer = "N/A"
	} else {
		res.CloserWant = want.String()
	}
	if len(truth.Victim) == 0 {
		res.Victim = "N/A"
	}

	var c crashInfo
	if err := readJSON(filepath.Join(r.dir, "crash.json"), &c); err != nil {
		res.Outcome, res.Detail = "NO-CORE", "no crash record: "+err.Error()
		return res
	}
	res.PanicSite, res.Attempts = c.PanicSite, c.Attempts
	if c.Status != "ok" {
		res.Outcome, res.Detail = "NO-CORE", "not reproduced: "+c.Reason
		return res
	}
	res.Core = filepath.Join(r.dir, "core")

	var meta analysisMeta
	if err := readJSON(filepath.Join(r.dir, "analysis.meta.json"), &meta); err != nil {
		res.Outcome, res.Detail = "ERROR", "not analyzed: "+err.Error()
		return res
	}
	res.AnalysisExit, res.AnalysisSeconds = &meta.Exit, &meta.Seconds
	var report map[string]any
	if err := readJSON(filepath.Join(r.dir, "analysis.json"), &report); err != nil || meta.Exit != 0 {
		res.Outcome = "ERROR"
		res.Detail = fmt.Sprintf("chanscope exit %d: %s", meta.Exit, firstLine(filepath.Join(r.dir, "analysis.err")))
		return res
	}
	if d, ok := report["diagnosis"].(map[string]any); ok {
		if p, ok := d["pattern"].(string); ok && p != "" {
			res.Got = p
		}
		if c, ok := d["confidence"].(float64); ok {
			res.Confidence = &c
		}
		if c, ok := d["closer"].(map[string]any); ok && want != nil {
			got := siteOf(c)
			res.CloserGot = got.String()
			if (got.Function == want.Function || want.Wrapper != "" && got.Function == want.Wrapper) && got.Line == want.Line {
				res.Closer = "OK"
			} else {
				res.Closer = "WRONG"
			}
		}
		for _, key := range []string{"runnersUp", "candidates"} {
			if l, ok := d[key].([]any); ok {
				for _, x := range l {
					res.Runners = append(res.Runners, describeCandidate(x))
				}
			}
		}
	}
	res.FactsMatched, res.FactsTotal, res.FactsDetail = checkFacts(filepath.Join(r.dir, "stderr.txt"), report)
	if p, ok := report["panic"].(map[string]any); ok && len(truth.Victim) > 0 {
		if f, ok := p["userFrame"].(map[string]any); ok {
			got := siteOf(f)
			res.VictimGot = got.String()
			res.Victim = "WRONG"
			for _, v := range truth.Victim {
				if got.Function == v.Function && got.Line == v.Line {
					res.Victim = "OK"
				}
			}
		}
	}
	evaluateLog(&res, r.dir)
	switch {
	case res.Got == "-" || res.Got == undetermined:
		res.Outcome = "UNDETERMINED"
	case res.Got == res.Expected:
		res.Outcome = "OK"
	default:
		res.Outcome = "WRONG"
	}
	return res
}

const fixturesModule = "chanscope.dev/fixtures"

var (
	tbGoroutineRE = regexp.MustCompile(`^goroutine (\d+)(?: gp=\S+)?(?: m=\S+)?(?: mp=\S+)? \[[^\]]*\]:$`)
	tbFileLineRE  = regexp.MustCompile(`^\t(.+):(\d+)(?: \+0x[0-9a-f]+)?(?: .*)?$`)
)

// tbGoroutine is one goroutine section of a runtime traceback: its frames as
// base file name:line, up to the first elision.
type tbGoroutine struct {
	id       int
	frames   []string
	complete bool // no frames elided, the stack was available
}

func parseTraceback(path string) []tbGoroutine {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []tbGoroutine
	var cur *tbGoroutine
	for _, l := range strings.Split(string(b), "\n") {
		if m := tbGoroutineRE.FindStringSubmatch(l); m != nil {
			id, _ := strconv.Atoi(m[1])
			if id == 0 { // an M's g0: not a goroutine of allgs
				cur = nil
				continue
			}
			out = append(out, tbGoroutine{id: id, complete: true})
			cur = &out[len(out)-1]
			continue
		}
		if cur == nil {
			continue
		}
		switch {
		case l == "" || strings.HasPrefix(l, "created by ") || strings.HasPrefix(l, "runtime stack:"):
			cur = nil
		case strings.Contains(l, "frames elided") || strings.Contains(l, "stack unavailable"):
			cur.complete = false
			cur = nil
		default:
			if m := tbFileLineRE.FindStringSubmatch(l); m != nil {
				cur.frames = append(cur.frames, filepath.Base(m[1])+":"+m[2])
			}
		}
	}
	return out
}

// checkFacts compares the report's goroutines with the runtime's traceback.
func checkFacts(stderrPath string, report map[string]any) (matched, total int, detail string) {
	tb := parseTraceback(stderrPath)
	byID := map[int][]string{}
	partial := map[int]bool{}
	if gs, ok := report["goroutines"].([]any); ok {
		for _, x := range gs {
			g, _ := x.(map[string]any)
			id, _ := g["id"].(float64)
			var frames []string
			fs, _ := g["frames"].([]any)
			for _, y := range fs {
				f, _ := y.(map[string]any)
				file, _ := f["file"].(string)
				line, _ := f["line"].(float64)
				frames = append(frames, filepath.Base(file)+":"+strconv.Itoa(int(line)))
			}
			byID[int(id)] = frames
			if t, ok := g["framesTotal"].(float64); ok && int(t) > len(frames) {
				partial[int(id)] = true
			}
		}
	}
	for _, g := range tb {
		total++
		got, ok := byID[g.id]
		switch {
		case !ok:
			if detail == "" {
				detail = fmt.Sprintf("goroutine %d missing", g.id)
			}
		case !sameFrames(g, got, partial[g.id]):
			if detail == "" {
				detail = fmt.Sprintf("goroutine %d: frames %v, traceback %v", g.id, got, g.frames)
			}
		default:
			matched++
		}
	}
	return matched, total, detail
}

func sameFrames(g tbGoroutine, got []string, reportTrimmed bool) bool {
	n := len(g.frames)
	if len(got) < n {
		if !reportTrimmed {
			return false
		}
		n = len(got)
	}
	if g.complete && !reportTrimmed && len(got) != len(g.frames) {
		return false
	}
	for i := 0; i < n; i++ {
		if got[i] != g.frames[i] {
			return false
		}
	}
	return true
}

type site struct {
	Function    string `json:"function"`
	Line        int    `json:"line"`
	ClosedFirst *bool  `json:"closedFirst"`
	// Wrapper is the compiler-made function holding the call (a deferwrapN for
	// defer close(ch)); a report may name the close by it.
	Wrapper string `json:"wrapper"`
}

func (s site) String() string { return s.Function + ":" + strconv.Itoa(s.Line) }

func siteOf(m map[string]any) site {
	var s site
	s.Function, _ = m["function"].(string)
	if l, ok := m["line"].(float64); ok {
		s.Line = int(l)
	}
	return s
}

// sites accepts one site, a list of them, or null.
type sites []site

func (s *sites) UnmarshalJSON(b []byte) error {
	b = []byte(strings.TrimSpace(string(b)))
	switch {
	case string(b) == "null":
		*s = nil
		return nil
	case len(b) > 0 && b[0] == '[':
		var l []site
		err := json.Unmarshal(b, &l)
		*s = l
		return err
	}
	var one site
	err := json.Unmarshal(b, &one)
	*s = sites{one}
	return err
}

type truthFile struct {
	Pattern string `json:"pattern"`
	Closer  sites  `json:"closer"`
	Victim  sites  `json:"victim"`
}

// closerThatRan is the truth's closer marked closedFirst, or its only closer.
func (t *truthFile) closerThatRan() *site {
	for i, c := range t.Closer {
		if c.ClosedFirst != nil && *c.ClosedFirst {
			return &t.Closer[i]
		}
	}
	if len(t.Closer) == 1 {
		return &t.Closer[0]
	}
	return nil
}

// readTruth reads a fixture's truth with its function names under the module
// path the binary was built as.
func readTruth(path, module string, t *truthFile) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if module != "" && module != fixturesModule {
		b = []byte(strings.ReplaceAll(string(b), `"`+fixturesModule+"/", `"`+module+"/"))
	}
	return json.Unmarshal(b, t)
}

// describeCandidate renders a runner-up, whatever shape the diagnosis gives
// it ("pattern", {"pattern": p, "confidence": c}).
func describeCandidate(x any) string {
	switch v := x.(type) {
	case string:
		return v
	case map[string]any:
		p, _ := v["pattern"].(string)
		if c, ok := v["confidence"].(float64); ok {
			return fmt.Sprintf("%s %.2f", p, c)
		}
		return p
	}
	b, _ := json.Marshal(x)
	return string(b)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

func firstLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no stderr)"
	}
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	if s == "" {
		return "(empty stderr)"
	}
	return s
}

func writeResults(path string, results []Result) {
	f, err := os.Create(path)
	if err != nil {
		die("%v", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, r := range results {
		if err := enc.Encode(r); err != nil {
			die("%v", err)
		}
	}
	if err := w.Flush(); err != nil {
		die("%v", err)
	}
	if err := f.Close(); err != nil {
		die("%v", err)
	}
}

func conf(c *float64) string {
	if c == nil {
		return "-"
	}
	return strconv.FormatFloat(*c, 'f', 2, 64)
}

func secs(s *float64) string {
	if s == nil {
		return "-"
	}
	return strconv.FormatFloat(*s, 'f', 1, 64) + "s"
}

func printTable(results []Result) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "FIXTURE\tGO\tBUILD\tP\tEXPECTED\tGOT\tCONF\tRESULT\tLOG\tCLOSER\tVICTIM\tFACTS\tPANIC SITE\tTRIES\tANALYZE")
	for _, r := range results {
		site, tries := r.PanicSite, "-"
		if site == "" {
			site = "-"
		}
		if r.Attempts > 0 {
			tries = strconv.Itoa(r.Attempts)
		}
		facts := "-"
		if r.FactsTotal > 0 {
			facts = fmt.Sprintf("%d/%d", r.FactsMatched, r.FactsTotal)
		}
		logCol := "-"
		if r.LogOutcome != "" {
			logCol = r.LogOutcome + " " + r.LogGot + " " + conf(r.LogConfidence)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Fixture, r.GoVersion, r.Build, r.Gomaxprocs,
			r.Expected, r.Got, conf(r.Confidence), r.Outcome, logCol, r.Closer, r.Victim, facts, site, tries, secs(r.AnalysisSeconds))
	}
	w.Flush()
}

// column is the confusion-matrix column of an answer: a pattern, or
// undetermined for "-", "undetermined", errors and missing cores.
func column(r Result) string {
	if r.Outcome == "OK" || r.Outcome == "WRONG" {
		if indexOf(r.Got) < len(patterns) {
			return r.Got
		}
	}
	return undetermined
}

func indexOf(p string) int {
	for i, x := range patterns {
		if x == p {
			return i
		}
	}
	return len(patterns)
}

func printMatrix(title string, results []Result) {
	cols := append(append([]string(nil), patterns...), undetermined)
	// Answers outside the taxonomy (a misspelled pattern) get their own column.
	extra := map[string]bool{}
	for _, r := range results {
		if (r.Outcome == "OK" || r.Outcome == "WRONG") && indexOf(r.Got) == len(patterns) {
			extra[r.Got] = true
		}
	}
	var extras []string
	for e := range extra {
		extras = append(extras, e)
	}
	sort.Strings(extras)
	counts := map[string]map[string]int{}
	for _, r := range results {
		col := column(r)
		if extra[r.Got] {
			col = r.Got
		}
		if counts[r.Expected] == nil {
			counts[r.Expected] = map[string]int{}
		}
		counts[r.Expected][col]++
	}
	cols = append(cols, extras...)
	fmt.Println()
	fmt.Printf("Confusion matrix, %s (rows: expected; columns: answered; UND = undetermined, no answer, analysis error or no core)\n", title)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "expected\t"
	for _, c := range cols {
		head += label(c) + "\t"
	}
	fmt.Fprintln(w, head+"total\t")
	for _, p := range patterns {
		row := counts[p]
		if row == nil {
			continue
		}
		line, total := label(p)+"\t", 0
		for _, c := range cols {
			n := row[c]
			total += n
			cell := "."
			if n > 0 {
				cell = strconv.Itoa(n)
			}
			line += cell + "\t"
		}
		fmt.Fprintln(w, line+strconv.Itoa(total)+"\t")
	}
	w.Flush()
	var legend []string
	for _, c := range cols {
		legend = append(legend, label(c)+"="+c)
	}
	fmt.Println("  " + strings.Join(legend, " "))
}

func label(p string) string {
	if s, ok := short[p]; ok {
		return s
	}
	return p
}

func countOutcome(results []Result, o string) int {
	n := 0
	for _, r := range results {
		if r.Outcome == o {
			n++
		}
	}
	return n
}

// printSummary prints the accuracy and the hard-rule violations; it returns
// their number.
func printSummary(results []Result, threshold float64) int {
	n := len(results)
	ok := countOutcome(results, "OK")
	pct := 0.0
	if n > 0 {
		pct = 100 * float64(ok) / float64(n)
	}
	fmt.Println()
	fmt.Printf("Accuracy: %d/%d correct (%.1f%%); wrong %d; undetermined %d (no answer %d, analysis errors %d, not reproduced %d)\n",
		ok, n, pct, countOutcome(results, "WRONG"),
		n-ok-countOutcome(results, "WRONG"), countOutcome(results, "UNDETERMINED"),
		countOutcome(results, "ERROR"), countOutcome(results, "NO-CORE"))

	var fixtures = map[string][2]int{}
	for _, r := range results {
		f := fixtures[r.Fixture]
		f[1]++
		if r.Outcome == "OK" {
			f[0]++
		}
		fixtures[r.Fixture] = f
	}
	allRight := 0
	for _, f := range fixtures {
		if f[0] == f[1] {
			allRight++
		}
	}
	fmt.Printf("Fixtures diagnosed correctly in every run: %d/%d\n", allRight, len(fixtures))
	factsRuns, factsAll, gMatched, gTotal := 0, 0, 0, 0
	for _, r := range results {
		if r.FactsTotal == 0 {
			continue
		}
		factsRuns++
		gMatched += r.FactsMatched
		gTotal += r.FactsTotal
		if r.FactsMatched == r.FactsTotal {
			factsAll++
		}
	}
	fmt.Printf("Runtime facts (goroutines and frames vs the runtime's traceback): %d/%d runs match in full; %d/%d goroutines\n",
		factsAll, factsRuns, gMatched, gTotal)
	for _, r := range results {
		if r.FactsTotal > 0 && r.FactsMatched < r.FactsTotal {
			fmt.Printf("  %s go%s %s GOMAXPROCS=%d: %d/%d; first: %s\n", r.Fixture, r.GoVersion, r.Build, r.Gomaxprocs,
				r.FactsMatched, r.FactsTotal, r.FactsDetail)
		}
	}

	// A wrong answer without a confidence cannot be shown to be below the
	// threshold, so it counts against the hard rule.
	var bad []Result
	for _, r := range results {
		confident := r.Confidence == nil || *r.Confidence >= threshold
		if confident && (r.Outcome == "WRONG" || (r.Outcome == "OK" && r.Closer == "WRONG")) {
			bad = append(bad, r)
		}
	}
	fmt.Println()
	if len(bad) == 0 {
		fmt.Printf("Wrong answers (pattern, or closer of a right pattern) with confidence >= %.2f (or none given): none\n", threshold)
	} else {
		fmt.Printf("Wrong answers with confidence >= %.2f (or none given): %d (the hard rule is broken)\n", threshold, len(bad))
		for _, r := range bad {
			what := "expected " + r.Expected + ", got " + r.Got
			if r.Outcome == "OK" {
				what = r.Got + " with the wrong closer " + r.CloserGot + " (truth: " + r.CloserWant + ")"
			}
			fmt.Printf("  %s go%s %s GOMAXPROCS=%d: %s at %s%s\n", r.Fixture, r.GoVersion, r.Build, r.Gomaxprocs,
				what, conf(r.Confidence), runnersUp(r))
		}
	}
	var errs []Result
	for _, r := range results {
		if r.Outcome == "ERROR" || r.Outcome == "NO-CORE" {
			errs = append(errs, r)
		}
	}
	if len(errs) > 0 {
		fmt.Printf("Runs without an answer (%d):\n", len(errs))
		for _, r := range errs {
			fmt.Printf("  %s go%s GOMAXPROCS=%d: %s: %s\n", r.Fixture, r.GoVersion, r.Gomaxprocs, r.Outcome, r.Detail)
		}
	}
	var wrong []Result
	for _, r := range results {
		if r.Outcome == "WRONG" && r.Confidence != nil && *r.Confidence < threshold {
			wrong = append(wrong, r)
		}
	}
	if len(wrong) > 0 {
		fmt.Printf("Other wrong answers (%d):\n", len(wrong))
		for _, r := range wrong {
			fmt.Printf("  %s go%s GOMAXPROCS=%d: expected %s, got %s at %s%s\n", r.Fixture, r.GoVersion, r.Gomaxprocs,
				r.Expected, r.Got, conf(r.Confidence), runnersUp(r))
		}
	}
	return len(bad)
}

// versionTable prints one row per Go version and build of a results file:
// the table of scripts/version-sweep.
func versionTable(args []string) {
	fs := flag.NewFlagSet("versions", flag.ExitOnError)
	resultsPath := fs.String("results", "", "results.jsonl of scripts/accuracy")
	threshold := fs.Float64("threshold", 0.8, "confidence of the hard rule")
	fs.Parse(args)
	f, err := os.Open(*resultsPath)
	if err != nil {
		die("%v", err)
	}
	defer f.Close()
	type row struct {
		runs, ok, confidentWrong, undetermined, noAnswer, closerOK, closerAsked, victimOK, factsFull, factsRuns int
	}
	rows := map[string]*row{}
	var keys []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			die("%s: %v", *resultsPath, err)
		}
		k := r.GoVersion + "\t" + r.Build
		if rows[k] == nil {
			rows[k] = &row{}
			keys = append(keys, k)
		}
		x := rows[k]
		x.runs++
		switch r.Outcome {
		case "OK":
			x.ok++
		case "UNDETERMINED":
			x.undetermined++
		case "ERROR", "NO-CORE":
			x.noAnswer++
		}
		if (r.Outcome == "WRONG" || r.Closer == "WRONG") && (r.Confidence == nil || *r.Confidence >= *threshold) {
			x.confidentWrong++
		}
		if r.Closer != "N/A" {
			x.closerAsked++
			if r.Closer == "OK" {
				x.closerOK++
			}
		}
		if r.Victim == "OK" {
			x.victimOK++
		}
		if r.FactsTotal > 0 {
			x.factsRuns++
			if r.FactsMatched == r.FactsTotal {
				x.factsFull++
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		vi, bi, _ := strings.Cut(keys[i], "\t")
		vj, bj, _ := strings.Cut(keys[j], "\t")
		if vi != vj {
			return versionLess(vi, vj)
		}
		return bi < bj
	})
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "GO\tBUILD\tRUNS\tPATTERN RIGHT\tWRONG >= %.2f\tUNDETERMINED\tNO ANSWER\tCLOSER RIGHT\tVICTIM RIGHT\tFACTS = TRACEBACK\n", *threshold)
	for _, k := range keys {
		x := rows[k]
		v, b, _ := strings.Cut(k, "\t")
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d/%d\t%d\t%d/%d\n", v, b, x.runs, x.ok, x.confidentWrong,
			x.undetermined, x.noAnswer, x.closerOK, x.closerAsked, x.victimOK, x.factsFull, x.factsRuns)
	}
	w.Flush()
}

// printCulprits prints, per build kind, how often the report named the closer
// that ran and the victim.
func printCulprits(results []Result) {
	type tally struct{ closerOK, closerWrong, closerNone, victimOK, victimWrong, victimNone, n int }
	by := map[string]*tally{}
	var order []string
	add := func(key string, r Result) {
		t := by[key]
		if t == nil {
			t = &tally{}
			by[key] = t
			order = append(order, key)
		}
		switch r.Closer {
		case "OK":
			t.closerOK++
		case "WRONG":
			t.closerWrong++
		case "NONE":
			t.closerNone++
		}
		switch r.Victim {
		case "OK":
			t.victimOK++
		case "WRONG":
			t.victimWrong++
		case "NONE":
			t.victimNone++
		}
		t.n++
	}
	for _, r := range results {
		add(r.Build, r)
	}
	sort.Strings(order)
	for _, r := range results {
		add("all builds", r)
	}
	fmt.Println()
	fmt.Println("Culprits (closer: the close that ran, named by diagnosis.closer; victim: panic.userFrame; none = not named)")
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "build\truns\tcloser right\twrong\tnone\tvictim right\twrong\tnone\t")
	for _, k := range order {
		t := by[k]
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", k, t.n, t.closerOK, t.closerWrong, t.closerNone,
			t.victimOK, t.victimWrong, t.victimNone)
	}
	w.Flush()
}

func runnersUp(r Result) string {
	if len(r.Runners) == 0 {
		return ""
	}
	return " (runners-up: " + strings.Join(r.Runners, ", ") + ")"
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

// evaluateLog reads the log column's answer (log-analysis.json, written by
// scripts/accuracy from `chanscope log --json --binary BIN stderr.txt`) and
// compares its pattern with the core's: same, undetermined (no answer, an
// error, or undetermined) or different.
func evaluateLog(res *Result, dir string) {
	var meta analysisMeta
	if err := readJSON(filepath.Join(dir, "log-analysis.meta.json"), &meta); err != nil {
		return // not run (an older output directory)
	}
	res.LogGot, res.LogOutcome = "-", "undetermined"
	var report map[string]any
	if err := readJSON(filepath.Join(dir, "log-analysis.json"), &report); err != nil || meta.Exit != 0 {
		res.LogDetail = fmt.Sprintf("chanscope log exit %d: %s", meta.Exit, firstLine(filepath.Join(dir, "log-analysis.err")))
		return
	}
	d, ok := report["diagnosis"].(map[string]any)
	if !ok {
		res.LogDetail = "no diagnosis"
		return
	}
	if p, ok := d["pattern"].(string); ok && p != "" {
		res.LogGot = p
	}
	if c, ok := d["confidence"].(float64); ok {
		res.LogConfidence = &c
	}
	switch {
	case res.LogGot == "-" || res.LogGot == undetermined:
	case res.LogGot == res.Got:
		res.LogOutcome = "same"
	default:
		res.LogOutcome = "different"
	}
}

// printLogColumn prints the log column's counts; a different answer at or
// above the threshold (or without a confidence) breaks the hard rule, and so
// does a log answer at or above it that the truth contradicts. It returns
// their number.
func printLogColumn(results []Result, threshold float64) int {
	counts := map[string]int{}
	var bad []Result
	for _, r := range results {
		if r.LogOutcome == "" {
			continue
		}
		counts[r.LogOutcome]++
		confident := r.LogConfidence == nil || *r.LogConfidence >= threshold
		wrong := r.LogOutcome == "different" || r.LogOutcome == "same" && r.LogGot != r.Expected
		if confident && wrong {
			bad = append(bad, r)
		}
	}
	if counts["same"]+counts["undetermined"]+counts["different"] == 0 {
		return 0
	}
	fmt.Println()
	fmt.Printf("Log column (chanscope log --binary on the runtime's stderr, against the core's answer): same %d, undetermined %d, different %d\n",
		counts["same"], counts["undetermined"], counts["different"])
	if len(bad) == 0 {
		fmt.Printf("Log answers different from the core or the truth with confidence >= %.2f: none\n", threshold)
		return 0
	}
	fmt.Printf("Log answers different from the core or the truth with confidence >= %.2f: %d (the hard rule is broken)\n", threshold, len(bad))
	for _, r := range bad {
		fmt.Printf("  %s go%s %s GOMAXPROCS=%d: log %s at %s, core %s, truth %s\n", r.Fixture, r.GoVersion, r.Build,
			r.Gomaxprocs, r.LogGot, conf(r.LogConfidence), r.Got, r.Expected)
	}
	return len(bad)
}
